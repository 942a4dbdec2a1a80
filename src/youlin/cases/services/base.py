"""The write helpers every step shares: the version check, the transition check, the compare-and-swap write with
its timeline event, and the photos that come with a step (all checked before anything is written)."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases import errors
from youlin.cases.errors import CaseError
from youlin.cases.models import (
    Case,
    CaseEvent,
    CaseFollower,
    CasePhoto,
    EventKind,
)
from youlin.cases.permissions import require as _require
from youlin.cases.selectors import case_audience
from youlin.cases.steps import STEPS
from youlin.domain.writes import actor_label, actor_user, required_text, row_at_version, update_at_version
from youlin.notifications import events
from youlin.notifications.services import notify
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, PreparedPhoto, photo_prepare, photos_create

MAX_PHOTOS = 9  # per step, as a phone's picker allows

# ---------------------------------------------------------------- the write helpers


# The shared write helpers (``youlin.domain.writes``) under the names this package's modules use.
_actor_label = actor_label
_user_or_none = actor_user


def _fresh(case: Case, expected_version: int) -> Case:
    """The case as stored now; a stale ``expected_version`` is a conflict before any other check."""
    return row_at_version(
        Case.objects.select_related("category", "community"),
        pk=case.pk,
        expected_version=expected_version,
        conflict=errors.conflict,
        missing=lambda: errors.invalid(_("案件不存在或已被删除。")),
    )


def _check_transition(case: Case, action: str) -> str | None:
    step = STEPS[action]
    if case.status not in step.from_statuses:
        raise errors.illegal_transition(case.get_status_display(), step.label)
    return step.to_status


def _event(
    case: Case,
    *,
    actor,
    kind: str,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    public_note: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=_user_or_none(actor),
        actor_label=actor_label or _actor_label(actor),
        at=at,
        from_status=from_status,
        to_status=to_status,
        note=note,
        public_note=(public_note or "").strip(),
        data=data or {},
    )


def _write(
    case: Case,
    *,
    actor,
    expected_version: int,
    kind: str,
    now: datetime,
    to_status: str | None = None,
    fields: dict[str, Any] | None = None,
    note: str = "",
    public_note: str = "",
    data: dict | None = None,
    actor_label: str = "",
    photos: Sequence[PreparedPhoto] = (),
    photo_kind: str = CasePhoto.Kind.AFTER,
    after_event: Callable[[CaseEvent], object] | None = None,
) -> Case:
    """UPDATE the case only if nobody changed it since ``expected_version``, then store the (already checked)
    photos and append the event they came with. Photos are stored only once the version check has passed.
    ``after_event`` writes what belongs to the event (e.g. a follow-up visit) in the same transaction."""
    updates = dict(fields or {})
    if to_status is not None:
        updates["status"] = to_status
    update_at_version(
        Case, pk=case.pk, expected_version=expected_version, conflict=errors.conflict, updated_at=now, **updates
    )
    stored = _store_photos(actor, photos)
    if stored:
        data = {**(data or {}), "photos": [p.pk for p in stored]}
    from_status = case.status
    event = _event(
        case,
        actor=actor,
        kind=kind,
        at=now,
        from_status=from_status,
        to_status=to_status or from_status,
        note=note,
        public_note=public_note,
        data=data,
        actor_label=actor_label,
    )
    _attach_photos(case, event, stored, photo_kind)
    if after_event is not None:
        after_event(event)
    case.refresh_from_db()
    return case


def _step(
    action: str,
    kind: str,
    *,
    actor,
    case: Case,
    expected_version: int,
    note: str = "",
    public_note: str = "",
    fields: dict[str, Any] | None = None,
    data: dict | None = None,
    token: str | None = None,
    photos: Sequence[UploadedFile] = (),
    stay: bool = False,
    after_event: Callable[[CaseEvent], object] | None = None,
) -> Case:
    """One step of the loop: version, transition and role checks, the photos checked, then the write and
    the followers told (in the same transaction; e-mail copies go out after commit). ``stay``: the step was
    taken but the status does not move (a follow-up call that did not reach the caller)."""
    current = _fresh(case, expected_version)
    to_status = _check_transition(current, action)
    if stay:
        to_status = None
    facts = _require(actor, current, action, token=token)
    photos = _check_photos(photos)
    now = timezone.now()
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=kind,
        now=now,
        to_status=to_status,
        fields={k: (now if v is _NOW else v) for k, v in (fields or {}).items()},
        note=note,
        public_note=public_note,
        data={**facts, **(data or {})},
        actor_label=_actor_label(actor, current.reporter_name if facts.get("by") == "reporter" else ""),
        photos=photos,
        after_event=after_event,
    )
    _notify_followers(result, kind, actor=actor, note=note)
    _sync(case, result)
    return result


_NOW = object()  # placeholder in ``fields``: the time of this step


def _sync(target: Case, source: Case) -> None:
    """Let callers keep using the instance they passed in."""
    if target is not source:
        for f in Case._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def _required_text(value: str, message, field: str) -> str:
    return required_text(value, message, field=field, error=CaseError)


# ---------------------------------------------------------------- photos


def _check_photos(uploads: Sequence[UploadedFile]) -> list[PreparedPhoto]:
    """Check every upload before anything is written: one bad photo refuses the whole step. Returns the
    cleaned photos, ready to store."""
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise errors.invalid(
            _("每次最多上传 %(count)d 张照片，请删去一些再提交。") % {"count": MAX_PHOTOS}, field="photos"
        )
    prepared = []
    for number, upload in enumerate(uploads, start=1):
        try:
            prepared.append(photo_prepare(upload))
        except PhotoError as exc:
            message = exc.message
            if len(uploads) > 1:
                message = _("第 %(number)d 张照片：%(message)s") % {"number": number, "message": exc.message}
            raise errors.invalid(message, field="photos") from None
    return prepared


def _store_photos(actor, prepared: Sequence[PreparedPhoto]) -> list[Photo]:
    try:
        return photos_create(actor=actor, prepared=prepared)
    except PhotoError as exc:  # the file store is down: the step is refused whole, with the photos' message
        raise CaseError(exc.code, exc.message, field="photos") from exc


def _attach_photos(case: Case, event: CaseEvent, photos: Sequence[Photo], kind: str) -> None:
    if photos:
        CasePhoto.objects.bulk_create([CasePhoto(case=case, photo=p, kind=kind, event=event) for p in photos])


# ---------------------------------------------------------------- followers and notifications

# The notice each step sends to a case's followers. Whole sentences, so each language words them its own way.
NOTICE_TITLES = {
    EventKind.DISPATCHED: _("案件 %(number)s 已派遣"),
    EventKind.VOIDED: _("案件 %(number)s 已作废"),
    EventKind.ACCEPTED: _("案件 %(number)s 已接单"),
    EventKind.RETURNED: _("案件 %(number)s 被退回"),
    EventKind.STARTED: _("案件 %(number)s 开始处置"),
    EventKind.REPORTED_DONE: _("案件 %(number)s 已反馈处置结果"),
    EventKind.VERIFIED: _("案件 %(number)s 核查通过"),
    EventKind.VERIFICATION_FAILED: _("案件 %(number)s 核查未通过，需返工"),
    EventKind.CLOSED: _("案件 %(number)s 已结案"),
    EventKind.EVALUATED: _("案件 %(number)s 已评价"),
    EventKind.REOPENED: _("案件 %(number)s 已重新打开"),
    EventKind.SUPERVISED: _("案件 %(number)s 已超期，被督办"),
    EventKind.MERGED: _("案件 %(number)s 已合并至案件 %(survivor)s"),
}


def case_url(case: Case) -> str:
    return f"/cases/{case.number}/"


def _notice_body(case: Case, note: str = "") -> str:
    body = f"{case.category.label} · {case.address}"
    return f"{body}\n{note}" if note else body


def _notify_followers(
    case: Case, kind: str, *, actor, note: str = "", managers: bool = False, values: dict | None = None
) -> None:
    """Tell the case's followers (and, with ``managers``, its community's staff) about a step, not the actor.
    Two queries however many they are."""
    title = NOTICE_TITLES.get(kind)
    if title is None:
        return
    notify(
        recipients=case_audience(case, managers=managers),
        title=title % {"number": case.number, **(values or {})},
        body=_notice_body(case, note),
        url=case_url(case),
        event=events.CASE_PROGRESS,
        exclude=_user_or_none(actor),
    )


def _follow_by_default(case: Case, user_ids: Iterable[int | None]) -> None:
    rows = [CaseFollower(case=case, user_id=pk) for pk in dict.fromkeys(user_ids) if pk]
    CaseFollower.objects.bulk_create(rows, ignore_conflicts=True)
