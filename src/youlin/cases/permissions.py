"""Who may take which step of a case: the state machine and the role checks, in one place.

Services call ``require`` (it refuses with a ``CaseError``); ``selectors.available_actions`` calls ``permits`` (it
answers yes or no) to offer the same steps as buttons. Both read the same rules, so a button is shown exactly
when the service would accept the step.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors
from youlin.cases.errors import CaseError
from youlin.cases.models import CLOSED_STATUSES, OPEN_STATUSES, Case, CaseAssignment, Status
from youlin.parties.selectors import grid_workers_by_grid

REOPEN_WINDOW = timedelta(days=30)

# The state machine: action → (statuses it may start from, status it leads to). ``None``: status unchanged.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "dispatch": (frozenset({Status.REGISTERED, Status.RETURNED}), Status.DISPATCHED),
    "void": (frozenset({Status.REGISTERED, Status.RETURNED}), Status.VOIDED),
    "reroute": (frozenset({Status.REGISTERED, Status.DISPATCHED, Status.RETURNED}), None),
    "accept": (frozenset({Status.DISPATCHED}), Status.ACCEPTED),
    "return": (frozenset({Status.DISPATCHED}), Status.RETURNED),
    "start": (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    "report_done": (frozenset({Status.IN_PROGRESS}), Status.REPORTED_DONE),
    "verify": (frozenset({Status.REPORTED_DONE}), Status.VERIFIED),
    "verify_fail": (frozenset({Status.REPORTED_DONE}), Status.IN_PROGRESS),
    "close": (frozenset({Status.VERIFIED}), Status.CLOSED),
    "evaluate": (frozenset({Status.CLOSED}), Status.EVALUATED),
    "reopen": (frozenset(CLOSED_STATUSES), Status.DISPATCHED),
    "extension_request": (frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS}), None),
    "extension_decide": (frozenset(OPEN_STATUSES), None),
    "supervise": (frozenset(OPEN_STATUSES), None),
    "merge": (frozenset({Status.REGISTERED, Status.DISPATCHED, Status.RETURNED}), Status.MERGED),
}

# Everything a person can do to an existing case, in the order a case page shows the buttons. Each name is
# one service call (the view maps the name to a button and a form):
#   dispatch           case_dispatch                  reroute      case_route_override
#   void               case_void                      accept       case_accept
#   return             case_return                    start        case_start
#   extension_request  case_extension_request         report_done  case_report_done
#   verify             case_verify(passed=True)       verify_fail  case_verify(passed=False)
#   extension_decide   case_extension_decide          supervise    case_supervise
#   close              case_close                     evaluate     case_evaluate
#   reopen             case_reopen                    merge        case_merge
#   support            case_support (+1; not a step of the loop, takes no version)
CASE_ACTIONS: tuple[str, ...] = (
    "dispatch",
    "reroute",
    "void",
    "accept",
    "return",
    "start",
    "extension_request",
    "report_done",
    "verify",
    "verify_fail",
    "extension_decide",
    "supervise",
    "close",
    "evaluate",
    "reopen",
    "merge",
    "support",
)

ACTION_LABELS = {
    "register": _("登记"),
    "dispatch": _("派遣"),
    "void": _("作废"),
    "reroute": _("调整责任单位"),
    "accept": _("接单"),
    "return": _("退回"),
    "start": _("开始处置"),
    "report_done": _("反馈处置结果"),
    "verify": _("核查"),
    "verify_fail": _("核查"),
    "close": _("结案"),
    "evaluate": _("评价"),
    "reopen": _("重新打开"),
    "extension_request": _("申请延期"),
    "extension_decide": _("审批延期"),
    "supervise": _("督办"),
    "merge": _("合并"),
    "support": _("点赞"),
}

_MANAGER_ACTIONS = frozenset({"dispatch", "void", "reroute", "close", "extension_decide", "merge", "supervise"})
_HANDLER_ACTIONS = frozenset({"accept", "return", "start", "report_done", "extension_request"})
_VERIFIER_ACTIONS = frozenset({"verify", "verify_fail"})
_REPORTER_ACTIONS = frozenset({"evaluate", "reopen"})


def label(action: str):
    return ACTION_LABELS.get(action, action)


class Standing:
    """What one user is to one case. Worked out lazily: a check pays only for the queries it needs, and
    checking many actions pays for each at most once."""

    def __init__(self, actor, case: Case, *, token: str | None = None):
        self.case = case
        self.token = token
        self.jurisdiction = policy.jurisdiction_of(actor)

    @property
    def is_manager(self) -> bool:
        """Community staff and secretaries of the case's community, its sub-district's officers, the district."""
        j = self.jurisdiction
        return j.everything or self.case.community_id in j.manage_community_ids

    @cached_property
    def assigned_organisation_ids(self) -> frozenset[int]:
        rows = CaseAssignment.objects.filter(case_id=self.case.pk).values_list("organisation_id", flat=True)
        return frozenset(rows)

    @property
    def handler_organisation_ids(self) -> frozenset[int]:
        """The assigned organisations this user answers for."""
        if not self.jurisdiction.organisation_ids:
            return frozenset()
        return self.assigned_organisation_ids & self.jurisdiction.organisation_ids

    @cached_property
    def is_grid_worker(self) -> bool:
        j = self.jurisdiction
        if j.person_id is None or "grid_worker" not in j.roles:
            return False
        workers = grid_workers_by_grid(self.case.community_id)
        return any(person.pk == j.person_id for people in workers.values() for person in people)

    @property
    def is_reporter(self) -> bool:
        if self.token and secrets.compare_digest(self.token, self.case.tracking_token):
            return True
        return self.jurisdiction.person_id is not None and self.case.reporter_id == self.jurisdiction.person_id

    @property
    def sees_case(self) -> bool:
        j = self.jurisdiction
        return (
            j.everything
            or self.case.community_id in j.view_community_ids
            or bool(self.handler_organisation_ids)
            or (j.person_id is not None and self.case.reporter_id == j.person_id)
        )


def permits(standing: Standing, action: str) -> dict[str, Any] | None:
    """The facts for the timeline (e.g. the acting organisation) if this standing allows ``action``, else None.
    Only the role: the status is ``TRANSITIONS``' business."""
    if action in _MANAGER_ACTIONS:
        return {} if standing.is_manager else None
    if action in _HANDLER_ACTIONS:
        organisations = standing.handler_organisation_ids
        if organisations:
            return {"organisations": sorted(organisations)}
        if standing.is_manager:  # the community records it on behalf of a party without an account (代办)
            return {"on_behalf": True}
        return None
    if action in _VERIFIER_ACTIONS:
        return {} if standing.jurisdiction.everything or standing.is_grid_worker else None
    if action in _REPORTER_ACTIONS:
        if standing.is_reporter:
            return {"by": "reporter"}
        if action == "reopen" and standing.is_manager:
            return {"by": "community"}
        return None
    return None


def deny(standing: Standing, action: str) -> CaseError:
    """Someone who cannot even see the case is outside its jurisdiction; someone who can is not allowed."""
    if standing.sees_case:
        return errors.permission_denied(label(action))
    return errors.outside_jurisdiction()


def require(actor, case: Case, action: str, *, token: str | None = None) -> dict[str, Any]:
    """Check the actor may take ``action`` on ``case``; returns facts for the timeline (e.g. the organisation)."""
    standing = Standing(actor, case, token=token)
    facts = permits(standing, action)
    if facts is None:
        raise deny(standing, action)
    return facts


def is_overdue(case: Case, now: datetime) -> bool:
    return now > case.deadline


def reopen_window_open(case: Case, now: datetime) -> bool:
    return case.closed_at is not None and now - case.closed_at <= REOPEN_WINDOW
