"""What other apps record on a case: a meeting's resolution, a finished action item, an escalation, and a
project's acceptance verifying the cases it was built for."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import errors
from youlin.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    EventKind,
    Status,
)
from youlin.cases.notes import SystemNote
from youlin.cases.notes import split as split_note
from youlin.cases.services.base import (
    _attach_photos,
    _event,
    _fresh,
    _notify_followers,
    _sync,
)
from youlin.photos.models import Photo

# ---------------------------------------------------------------- deliberation and projects

# Timeline kinds other apps may append without a step of the loop. The labels belong in ``EventKind``:
# until they are there, the timeline shows these raw names.
ANNOTATION_KINDS = frozenset({"deliberated", "action_item_done", "escalated"})


@transaction.atomic
def case_annotate(*, actor, case: Case, kind: str, note: str | SystemNote = "", data: dict | None = None) -> CaseEvent:
    """Record on a case's timeline what another app did about it: a meeting's resolution, a finished action
    item, an escalation to a project. Not a step of the loop: the status and the version stay as they are.
    A ``SystemNote`` is shown in each reader's language."""
    if kind not in ANNOTATION_KINDS:
        raise errors.invalid(_("不支持的进程类型。"), field="kind")
    current = Case.objects.get(pk=case.pk)
    note, note_data = split_note(note)
    data = {**(data or {}), **note_data}
    return _event(
        current,
        actor=actor,
        kind=kind,
        at=timezone.now(),
        from_status=current.status,
        to_status=current.status,
        note=note,
        data=data,
    )


# Statuses a project's acceptance may verify a case from: every open one (a case taken up by a project often
# never went through dispatch and report-back on its own).
PROJECT_ACCEPTABLE_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.RETURNED,
        Status.IN_PROGRESS,
        Status.REPORTED_DONE,
    }
)


@transaction.atomic
def case_accept_by_project(
    *,
    actor,
    case: Case,
    expected_version: int,
    project_label: str,
    photos: Sequence[Photo] = (),
    note: str | SystemNote = "",
    data: dict | None = None,
) -> Case:
    """A project's acceptance (验收) verifies a case it was built for: the case moves to verified with the
    project's after photos (already stored), its followers are told, and the community closes it as usual.
    Only someone who may change the case (its community's staff, its sub-district's officers) accepts."""
    note, note_data = split_note(note)
    data = {**(data or {}), **note_data}
    current = _fresh(case, expected_version)
    if current.status not in PROJECT_ACCEPTABLE_STATUSES:
        raise errors.illegal_transition(current.get_status_display(), _("通过项目验收核查"))
    if not policy.can(actor, policy.CHANGE, current):
        raise errors.permission_denied(_("通过项目验收核查"))
    now = timezone.now()
    updates = {
        "status": Status.VERIFIED,
        "verified_at": now,
        "version": F("version") + 1,
        "updated_at": now,
    }
    if Case.objects.filter(pk=current.pk, version=expected_version).update(**updates) != 1:
        raise errors.conflict()
    photos = list(photos)
    event = _event(
        current,
        actor=actor,
        kind=EventKind.VERIFIED,
        at=now,
        from_status=current.status,
        to_status=Status.VERIFIED,
        note=note,
        data={"project": project_label, **(data or {}), **({"photos": [p.pk for p in photos]} if photos else {})},
    )
    _attach_photos(current, event, photos, CasePhoto.Kind.AFTER)
    current.refresh_from_db()
    _notify_followers(current, EventKind.VERIFIED, actor=actor, note=note)
    _sync(case, current)
    return current
