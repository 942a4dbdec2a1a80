"""Who sees and changes which ledger rows: the ledgers' registrations with the access policy."""

from youlin.access.policy import Rule, register
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


def register_rules() -> None:
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
    # A garden group's members see their zone's logs; the community sees all of them.
    register(
        ZoneLog,
        Rule(community="zone__community", subdistrict="zone__community__subdistrict", organisation="organisation"),
    )
    register_files()


def register_files() -> None:
    from youlin.files.attachments import Attachment
    from youlin.files.attachments import register as register_file

    # Ledger photos are the office's working record: never public.
    register_file(Attachment(LedgerEntryPhoto, photo="photo"))
    register_file(Attachment(FrontageInspection, photo="photos"))
    register_file(Attachment(ZoneLog, photo="photos"))
