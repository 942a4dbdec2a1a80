from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "youlin.volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.volunteers.models import Activity, SignUp

        # The community sees its activities; a team's and a partner unit's people see theirs; a volunteer sees
        # the activities they signed up for.
        register(
            Activity,
            Rule(
                community="community",
                subdistrict="community__subdistrict",
                organisation="team",
                owner="signups__person",
            ),
        )
        register(
            SignUp,
            Rule(
                community="activity__community",
                subdistrict="activity__community__subdistrict",
                organisation="activity__team",
                owner="person",
            ),
        )
