from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "youlin.places"
    verbose_name = _("地点")

    def ready(self) -> None:
        from youlin.places import signals

        signals.connect()
