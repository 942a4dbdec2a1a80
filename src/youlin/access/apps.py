from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "youlin.access"
    verbose_name = _("权限")

    def ready(self) -> None:
        from youlin.access.rules import register_rules

        register_rules()
