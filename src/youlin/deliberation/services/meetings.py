"""Convening a meeting and keeping it: create (from a case that needs deliberation, or directly) with invitees,
invite more, sign in, put items on the agenda, add materials, close with the minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases.models import OPEN_STATUSES, Case
from youlin.deliberation import permissions, selectors
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import AgendaItem, Attendance, Invitation, Material, Meeting, MeetingKind
from youlin.deliberation.services.checks import (
    bump,
    fresh,
    invalid,
    meeting_url,
    require_manager,
    require_open,
    required,
)
from youlin.domain.writes import actor_label, actor_user
from youlin.files.names import random_name
from youlin.notifications import events
from youlin.notifications.services import notify
from youlin.parties import services as parties
from youlin.parties.models import Membership, Organisation, Person, Role
from youlin.parties.selectors import users_of
from youlin.photos.services import PhotoError, photo_create

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class InvitationSpec:
    organisation: Organisation | None = None
    person: Person | None = None
    label: str = ""
    can_vote: bool = False


@transaction.atomic
def meeting_create(
    *,
    actor,
    community,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str,
    compound=None,
    source_case: Case | None = None,
    quorum_percent: int = 50,
    pass_percent: int = 50,
    invitations: Sequence[InvitationSpec] = (),
) -> Meeting:
    """Convene a meeting in a community the actor manages, with its invitees."""
    title = required(title, _("请填写会议名称。"), "title")
    place = required(place, _("请填写会议地点。"), "place")
    if kind not in MeetingKind.values:
        raise invalid(_("会议类型不正确。"), "kind")
    if not 1 <= quorum_percent <= 100:
        raise invalid(_("法定人数比例应在 1% 到 100% 之间。"), "quorum_percent")
    if not 0 <= pass_percent <= 99:
        raise invalid(_("通过比例应在 0% 到 99% 之间（赞成票须超过这一比例）。"), "pass_percent")
    if not permissions.manages(actor, community.pk):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有本社区或所属街道的工作人员可以召集会议。"))
    if compound is not None and compound.community_id != community.pk:
        raise invalid(_("所选小区不在本社区。"), "compound")
    meeting = Meeting.objects.create(
        community=community,
        compound=compound,
        title=title,
        kind=kind,
        starts_at=starts_at,
        place=place,
        convener=actor_user(actor),
        convener_label=actor_label(actor),
        quorum_percent=quorum_percent,
        pass_percent=pass_percent,
        source_case=source_case,
    )
    for spec in invitations:
        _invite(meeting, spec)
    _tell_invitees(meeting, [spec for spec in invitations], actor=actor)
    return meeting


def _invite(meeting: Meeting, spec: InvitationSpec) -> Invitation:
    if (spec.organisation is None) == (spec.person is None):
        raise invalid(_("请邀请一个组织或一位人员。"))
    lookup = {"organisation": spec.organisation} if spec.organisation else {"person": spec.person}
    invitation, _created = Invitation.objects.update_or_create(
        meeting=meeting, **lookup, defaults={"label": spec.label.strip()[:40], "can_vote": spec.can_vote}
    )
    return invitation


def _tell_invitees(meeting: Meeting, specs: Sequence[InvitationSpec], *, actor) -> None:
    recipients = users_of(
        people=[s.person.pk for s in specs if s.person],
        organisations=[s.organisation.pk for s in specs if s.organisation],
    )
    local = timezone.localtime(meeting.starts_at)
    notify(
        recipients=recipients,
        title=_("会议邀请：%(title)s") % {"title": meeting.title},
        body=_("%(kind)s · %(at)s · %(place)s")
        % {"kind": meeting.get_kind_display(), "at": f"{local:%Y-%m-%d %H:%M}", "place": meeting.place},
        url=meeting_url(meeting),
        event=events.MEETING,
        exclude=actor_user(actor),
    )


@transaction.atomic
def meeting_invite(
    *, actor, meeting: Meeting, organisation=None, person=None, label: str = "", can_vote: bool = False
) -> Invitation:
    """Invite one more organisation or person (or change their voting right) before the meeting ends."""
    require_manager(actor, meeting)
    require_open(meeting)
    spec = InvitationSpec(organisation=organisation, person=person, label=label, can_vote=can_vote)
    invitation = _invite(meeting, spec)
    _tell_invitees(meeting, [spec], actor=actor)
    return invitation


@transaction.atomic
def meeting_create_from_case(
    *,
    actor,
    case: Case,
    starts_at: datetime,
    place: str,
    title: str = "",
    kind: str = MeetingKind.DELIBERATION,
    invitations: Sequence[InvitationSpec] = (),
    extra_cases: Sequence[Case] = (),
    quorum_percent: int = 50,
    pass_percent: int = 50,
) -> Meeting:
    """Convene a meeting for a case flagged "needs deliberation": the case (and any related ones) becomes the
    first agenda item."""
    if not case.needs_deliberation:
        raise DeliberationError(
            ErrorCode.ILLEGAL_STAGE,
            _("案件 %(number)s 未标记为“需议事协商”。请按案件流程派遣办理，或调整责任单位后再召集会议。")
            % {"number": case.number},
        )
    if case.status not in OPEN_STATUSES:
        raise DeliberationError(
            ErrorCode.ILLEGAL_STAGE,
            _("案件 %(number)s 已“%(status)s”，无需再议事协商。")
            % {"number": case.number, "status": case.get_status_display()},
        )
    meeting = meeting_create(
        actor=actor,
        community=case.community,
        compound=case.compound,
        title=title.strip() or _("“友邻+”议事协商会：%(what)s") % {"what": case.category.name},
        kind=kind,
        starts_at=starts_at,
        place=place,
        source_case=case,
        invitations=invitations,
        quorum_percent=quorum_percent,
        pass_percent=pass_percent,
    )
    agenda_item_add(
        actor=actor,
        meeting=meeting,
        title=f"{case.category.name}：{case.address}"[:160],
        description=case.description,
        cases=[case, *extra_cases],
    )
    return meeting


@transaction.atomic
def meeting_sign_in(
    *,
    actor,
    meeting: Meeting,
    person: Person | None = None,
    organisation: Organisation | None = None,
    name: str = "",
    authorisation: str = "",
) -> Attendance:
    """签到. Staff sign anyone in (walk-in residents too); an invitee signs themselves in.

    An invited organisation signs in through one representative: a member of it (one named on the spot with
    ``name`` becomes a member), or a proxy whose written authorisation is noted in ``authorisation``. A member of
    an invited organisation signing in without naming one represents the first such organisation (those with a
    voting right first) that has no representative yet."""
    meeting = Meeting.objects.select_related("community").get(pk=meeting.pk)
    require_open(meeting)
    own = permissions.person_id_of(actor)
    manager = permissions.manages(actor, meeting.community_id)
    name, authorisation = (name or "").strip()[:64], (authorisation or "").strip()[:200]
    if organisation is not None and not Invitation.objects.filter(meeting=meeting, organisation=organisation).exists():
        raise invalid(
            _("%(organisation)s 未受邀参加本次会议。请先追加邀请，再登记其代表签到。")
            % {"organisation": organisation.name},
            "organisation",
        )
    if person is None and name:
        if not manager:
            raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("现场登记新的参会人请由社区工作人员办理。"))
        if organisation is None:
            raise invalid(_("请选择此人代表的受邀单位；列席的居民请从名单中选择。"), "organisation")
        person = parties.person_named(name=name, community=meeting.community)
        if not authorisation:  # named by the organisation on the spot: from now on one of its people
            parties.membership_ensure(
                person=person, role=Role.REPRESENTATIVE, organisation=organisation, title=str(_("参会代表"))
            )
    if person is None and organisation is not None and manager:
        # Staff checking an organisation in name its representative; they do not stand in for it themselves.
        raise invalid(_("请填写单位代表的姓名，或从单位人员中选择。"), "name")
    person_id = person.pk if person is not None else own
    if person_id is None:
        raise invalid(_("请选择签到人，或填写单位代表的姓名。"), "person")
    if not manager and person_id != own:
        raise DeliberationError(
            ErrorCode.PERMISSION_DENIED, _("只有受邀人员可以自行签到；其他参会人请由社区工作人员登记签到。")
        )
    if organisation is None:
        organisation = _organisation_represented(meeting, person_id)
        if not manager and organisation is None and own not in selectors.invited_person_ids(meeting):
            raise DeliberationError(
                ErrorCode.PERMISSION_DENIED, _("只有受邀人员可以自行签到；其他参会人请由社区工作人员登记签到。")
            )
    else:
        member = Membership.objects.filter(person_id=person_id, organisation=organisation).exists()
        if not member and not authorisation:
            raise invalid(
                _("%(name)s 不是 %(organisation)s 的人员。代为参会的，请填写书面授权委托书（如编号、出具日期）。")
                % {"name": Person.objects.get(pk=person_id).name, "organisation": organisation.name},
                "authorisation",
            )
        if not manager and not member:
            raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("代理人签到请由社区工作人员核对授权委托书后登记。"))
    if organisation is not None:
        taken = (
            Attendance.objects.filter(meeting=meeting, organisation=organisation)
            .exclude(person_id=person_id)
            .select_related("person")
            .first()
        )
        if taken is not None:
            raise DeliberationError(
                ErrorCode.ALREADY_DONE,
                _("%(organisation)s 已由 %(name)s 代表签到，每个单位一名代表、一票。")
                % {"organisation": organisation.name, "name": taken.person.name},
            )
    attendance, created = Attendance.objects.get_or_create(
        meeting=meeting,
        person_id=person_id,
        defaults={
            "organisation": organisation,
            "authorisation": authorisation if organisation is not None else "",
            "signed_in_at": timezone.now(),
            "recorded_by": actor_user(actor),
        },
    )
    if not created and organisation is not None and attendance.organisation_id != organisation.pk:
        if attendance.organisation_id is not None:
            raise DeliberationError(
                ErrorCode.ALREADY_DONE,
                _("%(name)s 已代表 %(organisation)s 签到，一人只能代表一个单位。")
                % {"name": attendance.person.name, "organisation": attendance.organisation.name},
            )
        attendance.organisation, attendance.authorisation = organisation, authorisation
        attendance.save(update_fields=["organisation", "authorisation"])
    return attendance


def _organisation_represented(meeting: Meeting, person_id: int) -> Organisation | None:
    """The first invited organisation (voting ones first) the person belongs to that has no representative."""
    taken = Attendance.objects.filter(meeting=meeting, organisation__isnull=False).values("organisation")
    invitation = (
        Invitation.objects.filter(
            meeting=meeting, organisation__memberships__person_id=person_id, organisation__isnull=False
        )
        .exclude(organisation__in=taken)
        .select_related("organisation")
        .order_by("-can_vote", "id")
        .first()
    )
    return invitation.organisation if invitation else None


@transaction.atomic
def agenda_item_add(
    *, actor, meeting: Meeting, title: str, description: str = "", cases: Sequence[Case] = ()
) -> AgendaItem:
    require_manager(actor, meeting)
    require_open(meeting)
    title = required(title, _("请填写议题。"), "title")
    for case in cases:
        if case.community_id != meeting.community_id:
            raise invalid(_("案件 %(number)s 不属于本社区，不能列入议题。") % {"number": case.number}, "cases")
    position = meeting.agenda_items.count() + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, description=description.strip())
    if cases:
        item.cases.set(list(dict.fromkeys(cases)))
    return item


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting, expected_version: int, minutes: str) -> Meeting:
    """End the meeting with its minutes (会议纪要). Signing in, voting and deciding end with it."""
    current = fresh(meeting.pk, expected_version)
    require_manager(actor, current)
    require_open(current)
    minutes = required(minutes, _("请填写会议纪要：谁参加、议了什么、决定了什么。"), "minutes")
    bump(meeting, expected_version, status=Meeting.Status.HELD, minutes=minutes, held_at=timezone.now())
    return meeting


@transaction.atomic
def meeting_record_held(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """A meeting held for a step recorded elsewhere (a project's site survey at the start of work, its acceptance):
    held now, with minutes saying what the step decided, in the step's own transaction. A meeting already
    closed with its own minutes is left as it is."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status != Meeting.Status.SCHEDULED:
        return current
    require_manager(actor, current)
    minutes = required(minutes, _("请填写会议纪要：谁参加、议了什么、决定了什么。"), "minutes")
    bump(current, current.version, status=Meeting.Status.HELD, minutes=minutes, held_at=timezone.now())
    return current


@transaction.atomic
def material_add(*, actor, meeting: Meeting, title: str, upload) -> Material:
    """A photo (stored without EXIF) or a document (PDF, Office, text; at most 20 MB)."""
    require_manager(actor, meeting)
    title = (title or "").strip() or PurePath(getattr(upload, "name", "")).name[:120]
    title = required(title, _("请填写材料名称。"), "title")
    suffix = PurePath(getattr(upload, "name", "")).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        try:
            photo = photo_create(actor=actor, upload=upload)
        except PhotoError as exc:
            raise invalid(exc.message, "upload") from None
        return Material.objects.create(meeting=meeting, title=title, photo=photo, uploaded_by=actor_user(actor))
    if suffix not in DOCUMENT_EXTENSIONS:
        raise invalid(_("只接受照片（JPEG、PNG、WebP）或 PDF、Word、Excel、PPT、文本文件。"), "upload")
    if getattr(upload, "size", 0) > MAX_DOCUMENT_BYTES:
        raise invalid(_("文件不能超过 20 MB。"), "upload")
    if not getattr(upload, "size", 0):
        raise invalid(_("文件是空的，请重新选择。"), "upload")
    material = Material(meeting=meeting, title=title, uploaded_by=actor_user(actor))
    material.document.save(random_name(suffix), upload, save=False)  # never guessable from the meeting
    material.save()
    return material
