from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "youlin.deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from youlin.deliberation.rules import register_rules

        register_rules()
