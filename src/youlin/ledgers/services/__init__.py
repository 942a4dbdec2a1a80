"""Every write of ledgers and community work, one module per part of the work:

    ledgers:   ledger_ensure, ledger_create, campaign_create, campaign_case_link
    entries:   ledger_entry_create, ledger_entry_transition (ENTRY_TRANSITIONS), ledger_entry_photo_add
    visits:    visit_record, finding_to_case, finding_to_entry
    frontage:  frontage_duty_create, frontage_inspect
    zones:     zone_groups, zone_log_record

Each service is keyword-only and atomic, checks the actor against the access policy, and raises ``LedgerError``
(stable code, a message that says what to do). Cases are opened only through
``youlin.cases.services.case_register``: a visit's finding (channel door_to_door) and the frontage-duty
escalation (channel patrol, by the inspector who recorded the third failure). The Excel import is ``excel``.
"""

from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.services.checks import MAX_PHOTOS, check_photos, invalid, manages
from youlin.ledgers.services.entries import (
    ENTRY_ACTION_LABELS,
    ENTRY_TRANSITIONS,
    ledger_entry_create,
    ledger_entry_photo_add,
    ledger_entry_transition,
    status_change_allowed,
)
from youlin.ledgers.services.frontage import (
    FRONTAGE_CATEGORY,
    FRONTAGE_FAILURES,
    FRONTAGE_WINDOW,
    frontage_duty_create,
    frontage_inspect,
)
from youlin.ledgers.services.ledgers import campaign_case_link, campaign_create, ledger_create, ledger_ensure
from youlin.ledgers.services.visits import finding_to_case, finding_to_entry, visit_record
from youlin.ledgers.services.zones import zone_groups, zone_log_record

__all__ = [
    "ENTRY_ACTION_LABELS",
    "ENTRY_TRANSITIONS",
    "FRONTAGE_CATEGORY",
    "FRONTAGE_FAILURES",
    "FRONTAGE_WINDOW",
    "MAX_PHOTOS",
    "LedgerError",
    "LedgerErrorCode",
    "campaign_case_link",
    "campaign_create",
    "check_photos",
    "finding_to_case",
    "finding_to_entry",
    "frontage_duty_create",
    "frontage_inspect",
    "invalid",
    "ledger_create",
    "ledger_ensure",
    "ledger_entry_create",
    "ledger_entry_photo_add",
    "ledger_entry_transition",
    "manages",
    "status_change_allowed",
    "visit_record",
    "zone_groups",
    "zone_log_record",
]
