"""The steps of the loop from dispatch to evaluation and reopening (see ``youlin.cases.steps`` for the table of
steps: who may take each and from which status)."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseAssignment,
    EventKind,
)
from youlin.cases.permissions import reopen_window_open
from youlin.cases.permissions import require as _require
from youlin.cases.selectors import category_time_limit
from youlin.cases.services.base import (
    _NOW,
    _check_transition,
    _fresh,
    _required_text,
    _step,
)

# ---------------------------------------------------------------- the loop


@transaction.atomic
def case_dispatch(*, actor, case: Case, expected_version: int, note: str = "", public_note: str = "") -> Case:
    """Send the case to its responsible organisations (set at registration, or re-routed by staff)."""
    current = _fresh(case, expected_version)
    _check_transition(current, "dispatch")
    _require(actor, current, "dispatch")
    if not current.assignments.exists():
        raise errors.invalid(_("此案件还没有责任单位，请先指定责任单位再派遣。"), field="organisations")
    return _step(
        "dispatch",
        EventKind.DISPATCHED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
        fields={"dispatched_at": _NOW},
    )


@transaction.atomic
def case_void(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    reason = _required_text(reason, _("请说明作废理由，例如：重复上报、不属实、不属于受理范围。"), "reason")
    return _step("void", EventKind.VOIDED, actor=actor, case=case, expected_version=expected_version, note=reason)


@transaction.atomic
def case_accept(*, actor, case: Case, expected_version: int, note: str = "", public_note: str = "") -> Case:
    result = _step(
        "accept",
        EventKind.ACCEPTED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
        fields={"accepted_at": _NOW},
    )
    j = policy.jurisdiction_of(actor)
    CaseAssignment.objects.filter(case=result, organisation_id__in=j.organisation_ids, accepted_at=None).update(
        accepted_at=result.accepted_at
    )
    return result


@transaction.atomic
def case_return(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    """A party says the case is not theirs; the community re-routes it (or voids it)."""
    reason = _required_text(reason, _("请说明退回理由，例如：不属于本单位管理范围，并注明应由谁负责。"), "reason")
    return _step("return", EventKind.RETURNED, actor=actor, case=case, expected_version=expected_version, note=reason)


@transaction.atomic
def case_start(*, actor, case: Case, expected_version: int, note: str = "", public_note: str = "") -> Case:
    return _step(
        "start",
        EventKind.STARTED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
    )


@transaction.atomic
def case_report_done(
    *,
    actor,
    case: Case,
    expected_version: int,
    note: str = "",
    public_note: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Case:
    """The party reports the work done, with up to nine photos of the result (kind "after")."""
    return _step(
        "report_done",
        EventKind.REPORTED_DONE,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
        fields={"reported_done_at": _NOW},
        photos=photos,
    )


@transaction.atomic
def case_verify(
    *,
    actor,
    case: Case,
    expected_version: int,
    passed: bool,
    note: str = "",
    public_note: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Case:
    """A grid worker checks on site, with up to nine photos of what they found (kind "after"). Failing sends
    it back to the party and counts one rework."""
    if passed:
        return _step(
            "verify",
            EventKind.VERIFIED,
            actor=actor,
            case=case,
            expected_version=expected_version,
            note=note,
            public_note=public_note,
            fields={"verified_at": _NOW},
            photos=photos,
        )
    note = _required_text(note, _("请写明核查发现的问题，便于责任单位返工。"), "note")
    return _step(
        "verify_fail",
        EventKind.VERIFICATION_FAILED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
        fields={"rework_count": F("rework_count") + 1, "reported_done_at": None},
        photos=photos,
    )


@transaction.atomic
def case_close(*, actor, case: Case, expected_version: int, note: str = "", public_note: str = "") -> Case:
    return _step(
        "close",
        EventKind.CLOSED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        public_note=public_note,
        fields={"closed_at": _NOW},
    )


@transaction.atomic
def case_reopen(*, actor, case: Case, expected_version: int, reason: str, token: str | None = None) -> Case:
    """Within 30 days of closing, the problem is back: the case returns to its parties with a new deadline.
    The earlier closing stays on the timeline; the case counts as closed again only when it is. The latest
    follow-up visit stays the case's answer (a 不满意 still counts against the unit) until a new visit after the
    next closing replaces it."""
    reason = _required_text(reason, _("请说明问题为何没有解决。"), "reason")
    current = _fresh(case, expected_version)
    _check_transition(current, "reopen")
    _require(actor, current, "reopen", token=token)
    now = timezone.now()
    if not reopen_window_open(current, now):
        raise CaseError(
            CaseErrorCode.WINDOW_CLOSED,
            _("结案已超过 30 天，不能重新打开。请重新上报一个新的诉求。"),
        )
    return _step(
        "reopen",
        EventKind.REOPENED,
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=reason,
        token=token,
        fields={
            "reopen_count": F("reopen_count") + 1,
            "supervision_level": 0,  # a new deadline: a new overdue period
            "deadline": category_time_limit(
                current.category, current.community.subdistrict_id, urgency=current.urgency
            ).deadline(now),
            "dispatched_at": _NOW,
            "accepted_at": None,
            "reported_done_at": None,
            "verified_at": None,
            "closed_at": None,
        },
        data={"closed_at": current.closed_at.isoformat()},
    )
