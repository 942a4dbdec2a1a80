from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "youlin.dashboards"
    verbose_name = _("看板与公示")

    def ready(self) -> None:
        from youlin.dashboards.rules import register_rules

        register_rules()
