from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "youlin.volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from youlin.volunteers.rules import register_rules

        register_rules()
