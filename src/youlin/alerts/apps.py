from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "youlin.alerts"
    verbose_name = _("社区动态订阅")

    def ready(self) -> None:
        from youlin.alerts.rules import register_rules

        register_rules()
