from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "youlin.ledgers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.jobs import kinds
        from youlin.ledgers.models import (
            Campaign,
            CampaignCase,
            FrontageDuty,
            FrontageInspection,
            Ledger,
            LedgerEntry,
            LedgerEntryPhoto,
            Visit,
            VisitFinding,
            ZoneLog,
        )

        # Community staff manage their community's ledgers; the community's other roles read them; a property
        # company (any responsible party) sees the entries it answers for, and the ledgers they are on.
        register(Campaign, Rule(community="community", subdistrict="community__subdistrict"))
        register(CampaignCase, Rule(community="campaign__community", subdistrict="campaign__community__subdistrict"))
        register(
            Ledger,
            Rule(
                community="community",
                subdistrict="community__subdistrict",
                organisation="entries__responsible_party",
            ),
        )
        register(
            LedgerEntry,
            Rule(community="community", subdistrict="community__subdistrict", organisation="responsible_party"),
        )
        register(
            LedgerEntryPhoto,
            Rule(
                community="entry__community",
                subdistrict="entry__community__subdistrict",
                organisation="entry__responsible_party",
            ),
        )
        register(Visit, Rule(community="community", subdistrict="community__subdistrict", owner="person"))
        register(
            VisitFinding,
            Rule(community="visit__community", subdistrict="visit__community__subdistrict", owner="visit__person"),
        )
        register(
            FrontageDuty,
            Rule(community="community", subdistrict="community__subdistrict", organisation="organisation"),
        )
        register(
            FrontageInspection,
            Rule(
                community="duty__community",
                subdistrict="duty__community__subdistrict",
                organisation="duty__organisation",
            ),
        )
        kinds.register("ledger_import", "youlin.ledgers.imports.LEDGER_IMPORT")
        # A garden group's members see their zone's logs; the community sees all of them.
        register(
            ZoneLog,
            Rule(community="zone__community", subdistrict="zone__community__subdistrict", organisation="organisation"),
        )
