from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "youlin.cases"
    verbose_name = _("诉求案件")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.cases.models import (
            Case,
            CaseAssignment,
            CaseEvent,
            CaseExtension,
            CaseFollower,
            CasePhoto,
            CaseSupport,
            CategoryTimeLimit,
            RoutingRule,
        )
        from youlin.core import periodic
        from youlin.jobs import kinds

        # A responsible organisation sees the cases routed to it; a reporter sees their own.
        register(
            Case,
            Rule(
                community="community",
                subdistrict="community__subdistrict",
                organisation="assignments__organisation",
                owner="reporter",
            ),
        )
        for model in (CaseEvent, CaseAssignment, CaseExtension, CaseSupport, CasePhoto, CaseFollower):
            register(
                model,
                Rule(
                    community="case__community",
                    subdistrict="case__community__subdistrict",
                    organisation="case__assignments__organisation",
                    owner="case__reporter",
                ),
            )
        register(RoutingRule, Rule(community="community", subdistrict="community__subdistrict"))
        register(CategoryTimeLimit, Rule(subdistrict="subdistrict"))
        periodic.register("youlin.cases.tasks.sweep_overdue", every_seconds=300)
        kinds.register("hotline_import", "youlin.cases.imports.jobs.HOTLINE_IMPORT")
