"""Every write to a case, by stage. One service call is one step of the loop:

    registered ─dispatch→ dispatched ─accept→ accepted ─start→ in_progress ─report_done→ reported_done
        │                    │                                     ↑                       │
        void                return → returned (re-route, dispatch again, or void)          verify
        ↓                                                          └──── failed (rework) ───┤
      voided                                                                                ↓ passed
                                  evaluated ←evaluate─ closed ←close─────────────────── verified
                                       └──────── reopen (≤ 30 days) ──→ dispatched

The table of steps (who may take each, from which status, with which form and API input) is
``youlin.cases.steps``. Each call loads the case, checks the transition and the actor's role, then writes with
``UPDATE … WHERE version = expected_version`` (a lost race is a ``conflict``) and appends a ``CaseEvent`` in the
same transaction (``base``). Photos sent with a step are all checked before anything is written, and stored only
once the version check has passed. Each step tells the case's followers in the same transaction; e-mail copies
go out after commit. Errors are ``CaseError`` with a stable code.

    routing        categories, default routing rules, staff re-routing and correcting (更正)
    registration   立案: locate, number, recurrence, route
    loop           dispatch … evaluate, reopen
    deadlines      extensions, supervision (督办) by staff and by the overdue sweep
    visits         回访: staff callbacks and the reporter's own rating (the three 12345 questions)
    merge          a duplicate joins the case that goes on
    followers      follow, unfollow, support (+1)
    updates        updates (进展留言) from the reporter, residents and staff; hiding and flagging them
    annotations    what deliberation and projects record on a case
    base           the shared write helpers
"""

from youlin.cases.notes import SystemNote
from youlin.cases.services.annotations import (
    ANNOTATION_KINDS,
    PROJECT_ACCEPTABLE_STATUSES,
    case_accept_by_project,
    case_annotate,
)
from youlin.cases.services.base import MAX_PHOTOS, NOTICE_TITLES, case_url
from youlin.cases.services.deadlines import (
    SYSTEM_LABEL,
    case_escalate_overdue,
    case_extension_decide,
    case_extension_request,
    case_supervise,
    supervision_due,
)
from youlin.cases.services.followers import case_follow, case_support, case_support_by_number, case_unfollow
from youlin.cases.services.loop import (
    case_accept,
    case_close,
    case_dispatch,
    case_reopen,
    case_report_done,
    case_return,
    case_start,
    case_verify,
    case_void,
)
from youlin.cases.services.merge import case_merge
from youlin.cases.services.registration import case_register
from youlin.cases.services.routing import (
    case_correct,
    case_route_override,
    category_load,
    routing_rule_seed_defaults,
    routing_rules_default,
    seed_routing_rules,
)
from youlin.cases.services.updates import (
    case_update_add,
    case_update_flag,
    case_update_hide,
    case_update_restore,
    flagger_key,
)
from youlin.cases.services.visits import case_evaluate, case_follow_up

__all__ = [
    "ANNOTATION_KINDS",
    "MAX_PHOTOS",
    "NOTICE_TITLES",
    "PROJECT_ACCEPTABLE_STATUSES",
    "SYSTEM_LABEL",
    "SystemNote",
    "case_accept",
    "case_accept_by_project",
    "case_annotate",
    "case_close",
    "case_correct",
    "case_dispatch",
    "case_evaluate",
    "case_extension_decide",
    "case_extension_request",
    "case_follow",
    "case_follow_up",
    "case_merge",
    "case_register",
    "case_reopen",
    "case_report_done",
    "case_return",
    "case_route_override",
    "case_start",
    "case_supervise",
    "case_escalate_overdue",
    "case_support",
    "case_support_by_number",
    "case_unfollow",
    "case_update_add",
    "case_update_flag",
    "case_update_hide",
    "case_update_restore",
    "case_url",
    "case_verify",
    "case_void",
    "category_load",
    "flagger_key",
    "routing_rule_seed_defaults",
    "routing_rules_default",
    "seed_routing_rules",
    "supervision_due",
]
