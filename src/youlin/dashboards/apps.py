from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "youlin.dashboards"
    verbose_name = _("看板与公示")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.dashboards.models import Bulletin, BulletinSection

        register(Bulletin, Rule(community="communities", subdistrict="communities__subdistrict"))
        register(BulletinSection, Rule(community="community", subdistrict="community__subdistrict"))
