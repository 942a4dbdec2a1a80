"""Deadlines: extensions requested and decided, and supervision (督办) of overdue cases, by staff and by the sweep."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases import errors
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseExtension,
    EventKind,
)
from youlin.cases.permissions import is_overdue
from youlin.cases.permissions import require as _require
from youlin.cases.services.base import (
    _check_transition,
    _fresh,
    _notify_followers,
    _required_text,
    _step,
    _sync,
    _user_or_none,
    _write,
)

# ---------------------------------------------------------------- deadline, supervision, support, merge


@transaction.atomic
def case_extension_request(
    *, actor, case: Case, expected_version: int, requested_deadline: datetime, reason: str
) -> CaseExtension:
    reason = _required_text(reason, _("请说明需要延期的理由。"), "reason")
    current = _fresh(case, expected_version)
    _check_transition(current, "extension_request")
    facts = _require(actor, current, "extension_request")
    if requested_deadline <= current.deadline:
        raise errors.invalid(_("申请的期限必须晚于当前期限。"), field="requested_deadline")
    if current.extensions.filter(status=CaseExtension.Status.PENDING).exists():
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("已有一个待审批的延期申请，请等待社区审批。"))
    extension = CaseExtension.objects.create(
        case=current,
        requested_by=_user_or_none(actor),
        reason=reason,
        old_deadline=current.deadline,
        requested_deadline=requested_deadline,
    )
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.EXTENSION_REQUESTED,
        now=timezone.now(),
        note=reason,
        data={**facts, "extension": extension.pk, "requested_deadline": requested_deadline.isoformat()},
    )
    _sync(case, result)
    return extension


@transaction.atomic
def case_extension_decide(
    *,
    actor,
    extension: CaseExtension,
    expected_version: int,
    approve: bool,
    note: str = "",
    deadline: datetime | None = None,
) -> CaseExtension:
    """The community approves (the case gets the new deadline, or one it sets) or rejects a request."""
    extension = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != CaseExtension.Status.PENDING:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("该延期申请已处理。"))
    current = _fresh(extension.case, expected_version)
    _check_transition(current, "extension_decide")
    _require(actor, current, "extension_decide")
    now = timezone.now()
    new_deadline = deadline or extension.requested_deadline
    if approve and new_deadline <= current.deadline:
        raise errors.invalid(_("新的期限必须晚于当前期限。"), field="deadline")
    extension.status = CaseExtension.Status.APPROVED if approve else CaseExtension.Status.REJECTED
    extension.decided_by = _user_or_none(actor)
    extension.decided_at = now
    extension.decision_note = note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED,
        now=now,
        fields={"deadline": new_deadline} if approve else None,
        note=note.strip(),
        data={
            "extension": extension.pk,
            "old_deadline": current.deadline.isoformat(),
            "deadline": new_deadline.isoformat() if approve else None,
        },
    )
    return extension


@transaction.atomic
def case_supervise(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    """督办: staff press an overdue case. Only an overdue open case can be supervised."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    _require(actor, current, "supervise")
    if not is_overdue(current, timezone.now()):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    return _step(
        "supervise",
        EventKind.SUPERVISED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note.strip(),
        fields={"supervise_count": F("supervise_count") + 1},
    )


SYSTEM_LABEL = _("系统")


@transaction.atomic
def case_supervise_overdue(*, case: Case, expected_version: int, now: datetime | None = None) -> Case:
    """督办 by the system: the overdue sweep presses an open case once per overdue period (a later deadline
    starts a new one). The event has no user; the followers and the community's staff are told."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    now = now or timezone.now()
    if not is_overdue(current, now):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    if current.events.filter(kind=EventKind.SUPERVISED, at__gte=current.deadline).exists():
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("此案件超期后已督办过。"))
    result = _write(
        current,
        actor=None,
        expected_version=expected_version,
        kind=EventKind.SUPERVISED,
        now=now,
        fields={"supervise_count": F("supervise_count") + 1},
        data={"by": "system", "deadline": current.deadline.isoformat()},
        actor_label=str(SYSTEM_LABEL),
    )
    _notify_followers(result, EventKind.SUPERVISED, actor=None, managers=True)
    _sync(case, result)
    return result
