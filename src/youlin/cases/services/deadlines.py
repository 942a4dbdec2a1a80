"""Deadlines: extensions requested and decided, and supervision (督办) of overdue cases, by staff and by the sweep."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors, workdays
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseExtension,
    EventKind,
    SupervisionLevel,
)
from youlin.cases.permissions import is_overdue
from youlin.cases.permissions import require as _require
from youlin.cases.selectors import supervision_audience
from youlin.cases.services.base import (
    _check_transition,
    _fresh,
    _required_text,
    _step,
    _sync,
    _user_or_none,
    _write,
    case_url,
)
from youlin.notifications import events
from youlin.notifications.services import notify

# ---------------------------------------------------------------- deadline, supervision, support, merge


@transaction.atomic
def case_extension_request(
    *,
    actor,
    case: Case,
    expected_version: int,
    reason: str,
    requested_deadline: datetime | None = None,
    working_days: int | None = None,
) -> CaseExtension:
    """The handler asks for more time: a new deadline, or a number of working days added to the current one."""
    reason = _required_text(reason, _("请说明需要延期的理由。"), "reason")
    current = _fresh(case, expected_version)
    _check_transition(current, "extension_request")
    facts = _require(actor, current, "extension_request")
    if working_days is not None:
        if not 1 <= working_days <= 60:
            raise errors.invalid(_("延期天数应在 1 到 60 个工作日之间。"), field="working_days")
        requested_deadline = workdays.add(current.deadline, workdays.Limit(working_days, workdays.WORKING_DAYS))
    if requested_deadline is None:
        raise errors.invalid(_("请填写延期到的日期，或延期的工作日数。"), field="requested_deadline")
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
        # A new deadline starts a new overdue period: supervision begins again from nothing.
        fields={"deadline": new_deadline, "supervision_level": SupervisionLevel.NONE} if approve else None,
        note=note.strip(),
        data={
            "extension": extension.pk,
            "old_deadline": current.deadline.isoformat(),
            "deadline": new_deadline.isoformat() if approve else None,
        },
    )
    return extension


def _tier(actor, case: Case) -> int:
    """The level a person's 督办 carries: the district's, the sub-district's, else the community's."""
    j = policy.jurisdiction_of(actor)
    if j.everything:
        return SupervisionLevel.DISTRICT
    if case.community.subdistrict_id in j.subdistrict_ids:
        return SupervisionLevel.SUBDISTRICT
    return SupervisionLevel.COMMUNITY


@transaction.atomic
def case_supervise(*, actor, case: Case, expected_version: int, note: str = "") -> Case:
    """督办: staff press an overdue case. Only an overdue open case can be supervised; the case's level rises to
    the presser's (community, sub-district or district) if it was lower."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    _require(actor, current, "supervise")
    if not is_overdue(current, timezone.now()):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    level = max(current.supervision_level, _tier(actor, current))
    return _step(
        "supervise",
        EventKind.SUPERVISED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note.strip(),
        fields={"supervise_count": F("supervise_count") + 1, "supervision_level": level},
        data={"level": level},
    )


SYSTEM_LABEL = _("系统")

# Who each level of 督办 tells, besides the case's followers (see ``selectors.supervision_audience``).
LEVEL_NOTICES = {
    SupervisionLevel.REMINDER: _("案件 %(number)s 已到处置期限，请尽快办结"),
    SupervisionLevel.COMMUNITY: _("案件 %(number)s 超期未办结，社区督办"),
    SupervisionLevel.SUBDISTRICT: _("案件 %(number)s 超期 %(days)s 个工作日，街道督办"),
    SupervisionLevel.DISTRICT: _("案件 %(number)s 超期 %(days)s 个工作日，区级挂牌督办"),
}


def supervision_due(days_overdue: int, thresholds: tuple[int, ...] | None = None) -> int:
    """The level an open case so many working days past its deadline should be at (0 before the deadline)."""
    thresholds = thresholds or tuple(settings.YOULIN_SUPERVISION_DAYS)
    level = SupervisionLevel.NONE
    for number, threshold in enumerate(thresholds, start=1):
        if days_overdue >= threshold:
            level = number
    return level


@transaction.atomic
def case_escalate_overdue(*, case: Case, expected_version: int, now: datetime | None = None) -> Case:
    """督办 by the system, in levels: at the deadline a reminder to the handling unit, then the community, the
    sub-district and the district (挂牌督办) as the working days overdue reach each level's threshold
    (``YOULIN_SUPERVISION_DAYS``). Each level crossed is one timeline event and tells its own audience. Nothing
    to do (not overdue, already at the level due) is an ``already_done`` error, so a sweep can run any time."""
    current = _fresh(case, expected_version)
    _check_transition(current, "supervise")
    now = now or timezone.now()
    if not is_overdue(current, now):
        raise errors.invalid(_("案件尚未超期，无需督办。"))
    days = workdays.working_days_overdue(current.deadline, now)
    due = supervision_due(days)
    if due <= current.supervision_level:
        raise CaseError(CaseErrorCode.ALREADY_DONE, _("此案件已按超期时长督办。"))
    version = expected_version
    for level in range(current.supervision_level + 1, due + 1):
        current = _write(
            current,
            actor=None,
            expected_version=version,
            kind=EventKind.SUPERVISED,
            now=now,
            fields={"supervise_count": F("supervise_count") + 1, "supervision_level": level},
            data={"by": "system", "level": level, "days_overdue": days, "deadline": current.deadline.isoformat()},
            actor_label=str(SYSTEM_LABEL),
        )
        version = current.version
        notify(
            recipients=supervision_audience(current, level),
            title=LEVEL_NOTICES[level] % {"number": current.number, "days": days},
            body=f"{current.category.label} · {current.address}",
            url=case_url(current),
            event=events.SUPERVISION,
        )
    _sync(case, current)
    return current
