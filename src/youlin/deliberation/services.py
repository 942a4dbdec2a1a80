"""Every write of a meeting, from convening to the public notice of its outcome:

    meeting_create / meeting_create_from_case → meeting_invite → meeting_sign_in → agenda_item_add
    → proposal_add → vote_cast → decision_record (consensus, or the tally) → resolution + action_item_add
    → action_item_complete (written to the case's timeline) → meeting_close (minutes) → notice_publish
    → notice_respond (residents support or object during the notice period)

Each service checks the actor (``permissions``) and the stage, and refuses with a ``DeliberationError`` that
has a stable code and says what to do. Decisions and closing take the meeting's ``expected_version``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases import services as cases
from youlin.cases.models import OPEN_STATUSES, Case
from youlin.deliberation import permissions, selectors
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Material,
    Meeting,
    MeetingKind,
    NoticeResponse,
    Proposal,
    PublicNotice,
    Resolution,
    Vote,
)
from youlin.notifications.services import notify
from youlin.parties.models import Organisation, Person
from youlin.photos.services import PhotoError, photo_create

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}

# ---------------------------------------------------------------- helpers


def _label(actor) -> str:
    return str(actor)[:100] if actor is not None and getattr(actor, "is_authenticated", False) else ""


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _invalid(message, field: str | None = None) -> DeliberationError:
    return DeliberationError(ErrorCode.INVALID_INPUT, message, field=field)


def _required(value: str, message, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(message, field)
    return value


def _require_manager(actor, meeting: Meeting) -> None:
    if not permissions.manages(actor, meeting.community_id):
        raise DeliberationError(
            ErrorCode.PERMISSION_DENIED, _("只有社区工作人员或街道工作人员可以办理此事项。如需办理，请联系社区。")
        )


def _require_open(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise DeliberationError(
            ErrorCode.ILLEGAL_STAGE,
            _("会议当前状态为“%(status)s”，不能再签到、提出方案、表决或作出决定。如需继续议事，请召开新的会议。")
            % {"status": meeting.get_status_display()},
        )


def _conflict() -> DeliberationError:
    return DeliberationError(ErrorCode.CONFLICT, _("会议刚刚被其他人更新过，请刷新页面查看最新情况后再操作。"))


def _fresh(meeting_id: int, expected_version: int) -> Meeting:
    """The meeting as stored now; a stale ``expected_version`` is a conflict before any other check."""
    meeting = Meeting.objects.select_related("community").get(pk=meeting_id)
    if meeting.version != expected_version:
        raise _conflict()
    return meeting


def _bump(meeting: Meeting, expected_version: int, **fields) -> None:
    """The meeting changes only if nobody changed it since the page was loaded."""
    updated = Meeting.objects.filter(pk=meeting.pk, version=expected_version).update(version=F("version") + 1, **fields)
    if updated != 1:
        raise _conflict()
    meeting.refresh_from_db()


def meeting_url(meeting: Meeting) -> str:
    return reverse("deliberation:detail", args=[meeting.pk])


def users_of(*, people: Iterable[int] = (), organisations: Iterable[int] = ()) -> list:
    """Active login accounts of these people and of these organisations' members (one query)."""
    people, organisations = list(people), list(organisations)
    if not people and not organisations:
        return []
    condition = Q(person__id__in=people) | Q(person__memberships__organisation_id__in=organisations)
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


# ---------------------------------------------------------------- meetings


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
    title = _required(title, _("请填写会议名称。"), "title")
    place = _required(place, _("请填写会议地点。"), "place")
    if kind not in MeetingKind.values:
        raise _invalid(_("会议类型不正确。"), "kind")
    if not 1 <= quorum_percent <= 100:
        raise _invalid(_("法定人数比例应在 1% 到 100% 之间。"), "quorum_percent")
    if not 0 <= pass_percent <= 99:
        raise _invalid(_("通过比例应在 0% 到 99% 之间（赞成票须超过这一比例）。"), "pass_percent")
    if not permissions.manages(actor, community.pk):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有本社区或所属街道的工作人员可以召集会议。"))
    if compound is not None and compound.community_id != community.pk:
        raise _invalid(_("所选小区不在本社区。"), "compound")
    meeting = Meeting.objects.create(
        community=community,
        compound=compound,
        title=title,
        kind=kind,
        starts_at=starts_at,
        place=place,
        convener=_user(actor),
        convener_label=_label(actor),
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
        raise _invalid(_("请邀请一个组织或一位人员。"))
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
        exclude=_user(actor),
    )


@transaction.atomic
def meeting_invite(
    *, actor, meeting: Meeting, organisation=None, person=None, label: str = "", can_vote: bool = False
) -> Invitation:
    """Invite one more organisation or person (or change their voting right) before the meeting ends."""
    _require_manager(actor, meeting)
    _require_open(meeting)
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
def meeting_sign_in(*, actor, meeting: Meeting, person: Person | None = None) -> Attendance:
    """签到. Staff sign anyone in (walk-in residents too); an invitee signs themselves in."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_open(meeting)
    own = permissions.person_id_of(actor)
    person_id = person.pk if person is not None else own
    if person_id is None:
        raise _invalid(_("请选择签到人。"), "person")
    if not permissions.manages(actor, meeting.community_id) and (
        person_id != own or own not in selectors.invited_person_ids(meeting)
    ):
        raise DeliberationError(
            ErrorCode.PERMISSION_DENIED, _("只有受邀人员可以自行签到；其他参会人请由社区工作人员登记签到。")
        )
    attendance, _created = Attendance.objects.get_or_create(
        meeting=meeting,
        person_id=person_id,
        defaults={"signed_in_at": timezone.now(), "recorded_by": _user(actor)},
    )
    return attendance


@transaction.atomic
def agenda_item_add(
    *, actor, meeting: Meeting, title: str, description: str = "", cases: Sequence[Case] = ()
) -> AgendaItem:
    _require_manager(actor, meeting)
    _require_open(meeting)
    title = _required(title, _("请填写议题。"), "title")
    for case in cases:
        if case.community_id != meeting.community_id:
            raise _invalid(_("案件 %(number)s 不属于本社区，不能列入议题。") % {"number": case.number}, "cases")
    position = meeting.agenda_items.count() + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, description=description.strip())
    if cases:
        item.cases.set(list(dict.fromkeys(cases)))
    return item


@transaction.atomic
def proposal_add(
    *, actor, item: AgendaItem, title: str, description: str = "", proposed_by_label: str = ""
) -> Proposal:
    """A competing proposal (方案): staff record it, or an invitee puts it forward."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    meeting = item.meeting
    _require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("该议题已经作出决定，不能再提出方案。"))
    own = permissions.person_id_of(actor)
    if not permissions.manages(actor, meeting.community_id) and own not in selectors.invited_person_ids(meeting):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有受邀参会人或社区工作人员可以提出方案。"))
    title = _required(title, _("请写明方案内容。"), "title")
    return Proposal.objects.create(
        item=item,
        title=title,
        description=description.strip(),
        proposed_by_label=(proposed_by_label.strip() or _label(actor))[:100],
        created_by=_user(actor),
    )


@transaction.atomic
def vote_cast(*, actor, proposal: Proposal, choice: str, voter: Person | None = None) -> Vote:
    """For, against or abstain. A signed-in invitee with a voting right votes for themselves; staff may record
    the vote of such an attendee (a show of hands). Voting again before the decision changes the vote."""
    if choice not in Vote.Choice.values:
        raise _invalid(_("请选择赞成、反对或弃权。"), "choice")
    item = AgendaItem.objects.select_related("meeting").get(pk=proposal.item_id)
    meeting = item.meeting
    _require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("该议题已经作出决定，表决已结束。"))
    own = permissions.person_id_of(actor)
    voter_id = voter.pk if voter is not None else own
    if voter_id is None:
        raise DeliberationError(ErrorCode.NO_VOTING_RIGHT, _("您的账户没有关联人员信息，不能表决。请联系社区。"))
    if voter_id != own and not permissions.manages(actor, meeting.community_id):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只能为自己表决。代为登记表决请由社区工作人员办理。"))
    if voter_id not in selectors.voting_person_ids(meeting):
        raise DeliberationError(
            ErrorCode.NO_VOTING_RIGHT, _("只有受邀且有表决权的参会人可以表决。如有疑问，请联系会议召集人。")
        )
    if not Attendance.objects.filter(meeting=meeting, person_id=voter_id).exists():
        raise DeliberationError(ErrorCode.NO_VOTING_RIGHT, _("请先签到，再参加表决。"))
    vote, _created = Vote.objects.update_or_create(
        proposal=proposal,
        voter_id=voter_id,
        defaults={"choice": choice, "recorded_by": _user(actor), "cast_at": timezone.now()},
    )
    return vote


@transaction.atomic
def decision_record(
    *,
    actor,
    item: AgendaItem,
    expected_version: int,
    method: str,
    proposal: Proposal | None = None,
    text: str = "",
) -> Resolution | None:
    """Record the decision on an agenda item, by consensus (the chosen proposal) or by the tally of the votes.
    An adopted proposal becomes the resolution (决议) and each linked case's timeline records it; a proposal
    voted down leaves the item rejected (no resolution). Without a quorum, or on a tie, nothing is recorded:
    the item stays open."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    meeting = _fresh(item.meeting_id, expected_version)
    _require_manager(actor, meeting)
    _require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("该议题已经作出决定。"))
    if method not in Resolution.Method.values:
        raise _invalid(_("请选择协商一致或表决。"), "method")
    now = timezone.now()
    tally_data: dict = {}
    if method == Resolution.Method.CONSENSUS:
        if proposal is None or proposal.item_id != item.pk:
            raise _invalid(_("请选择协商一致采纳的方案。"), "proposal")
        adopted = proposal
    else:
        count = selectors.tally(item)
        tally_data = count.as_dict()
        outcome = count.outcome
        if outcome == selectors.Outcome.NO_QUORUM:
            raise DeliberationError(
                ErrorCode.NO_QUORUM,
                _(
                    "表决人数不足法定人数（有表决权的签到人 %(eligible)d 人，参加表决 %(voted)d 人，须达到 %(quorum)d%%）。请等更多参会人签到表决，或改期再议。"
                )
                % {"eligible": count.eligible, "voted": count.voted, "quorum": count.quorum_percent},
            )
        if outcome == selectors.Outcome.TIE:
            raise DeliberationError(
                ErrorCode.TIE, _("表决结果持平，无法形成决议。请继续协商后重新表决，或协商一致后记录决定。")
            )
        adopted = count.winner
        if adopted is not None and proposal is not None and proposal.pk != adopted.pk:
            raise _invalid(_("计票结果与所选方案不一致，请刷新页面查看计票结果。"), "proposal")
    _bump(meeting, expected_version)
    if adopted is None:
        AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.REJECTED, decided_at=now)
        return None
    resolution = Resolution.objects.create(
        item=item,
        proposal=adopted,
        method=method,
        text=text.strip() or adopted.title + (f"\n{adopted.description}" if adopted.description else ""),
        tally=tally_data,
        decided_by=_user(actor),
        decided_at=now,
    )
    AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.ADOPTED, decided_at=now)
    for case in item.cases.all():
        cases.case_annotate(
            actor=actor,
            case=case,
            kind="deliberated",
            note=_("%(meeting)s 形成决议：%(text)s") % {"meeting": meeting.title, "text": adopted.title},
            data={"meeting": meeting.pk, "resolution": resolution.pk, "method": method},
        )
    return resolution


# ---------------------------------------------------------------- action items


@transaction.atomic
def action_item_add(
    *,
    actor,
    resolution: Resolution,
    title: str,
    due_on: date,
    assignee_organisation: Organisation | None = None,
    assignee_person: Person | None = None,
    case: Case | None = None,
) -> ActionItem:
    """A task of a resolution: what, who (an organisation or a person), by when, for which case."""
    meeting = resolution.item.meeting
    _require_manager(actor, meeting)
    title = _required(title, _("请写明任务内容。"), "title")
    if assignee_organisation is None and assignee_person is None:
        raise _invalid(_("请指定负责的单位或人员。"), "assignee")
    if case is not None and case.community_id != meeting.community_id:
        raise _invalid(_("案件不属于本社区。"), "case")
    item = ActionItem.objects.create(
        resolution=resolution,
        title=title,
        due_on=due_on,
        assignee_organisation=assignee_organisation,
        assignee_person=assignee_person,
        case=case,
    )
    notify(
        recipients=users_of(
            people=[assignee_person.pk] if assignee_person else [],
            organisations=[assignee_organisation.pk] if assignee_organisation else [],
        ),
        title=_("新任务：%(title)s") % {"title": title},
        body=_("来自 %(meeting)s，期限 %(due)s") % {"meeting": meeting.title, "due": due_on.isoformat()},
        url=reverse("deliberation:my-action-items"),
        exclude=_user(actor),
    )
    return item


@transaction.atomic
def action_item_complete(*, actor, action_item: ActionItem, note: str = "") -> ActionItem:
    """The assignee (or the community on their behalf) reports the task done; the linked case's timeline
    records it and the convener is told."""
    item = ActionItem.objects.select_for_update().select_related("resolution__item__meeting").get(pk=action_item.pk)
    meeting = item.resolution.item.meeting
    if not selectors.is_assignee(actor, item) and not permissions.manages(actor, meeting.community_id):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有任务的责任单位或责任人可以报告完成。"))
    if item.status != ActionItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("该任务已经完成。"))
    note = _required(note, _("请简要说明完成情况，例如：已张贴通知。"), "note")
    now = timezone.now()
    item.status = ActionItem.Status.DONE
    item.completed_at = now
    item.completed_by = _user(actor)
    item.completion_note = note
    item.save(update_fields=["status", "completed_at", "completed_by", "completion_note"])
    if item.case_id:
        cases.case_annotate(
            actor=actor,
            case=item.case,
            kind="action_item_done",
            note=_("任务“%(title)s”已完成：%(note)s") % {"title": item.title, "note": note},
            data={"action_item": item.pk, "meeting": meeting.pk},
        )
    notify(
        recipients=[meeting.convener] if meeting.convener_id else [],
        title=_("任务已完成：%(title)s") % {"title": item.title},
        body=note,
        url=meeting_url(meeting),
        exclude=_user(actor),
    )
    return item


@transaction.atomic
def action_items_remind_overdue(*, today: date | None = None) -> int:
    """Remind the assignees (and the convener) of every overdue open task, at most once a day per task."""
    today = today or timezone.localdate()
    reminded = 0
    for item in selectors.action_items_due_for_reminder(today):
        # Claim the task for today first: a second worker running at the same time claims nothing.
        claimed = (
            ActionItem.objects.filter(pk=item.pk, status=ActionItem.Status.OPEN)
            .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
            .update(last_reminded_on=today)
        )
        if not claimed:
            continue
        meeting = item.resolution.item.meeting
        recipients = users_of(
            people=[item.assignee_person_id] if item.assignee_person_id else [],
            organisations=[item.assignee_organisation_id] if item.assignee_organisation_id else [],
        )
        if meeting.convener_id:
            recipients.append(meeting.convener)
        notify(
            recipients=recipients,
            title=_("任务已超期：%(title)s") % {"title": item.title},
            body=_("期限 %(due)s，来自 %(meeting)s。完成后请在“我的任务”中报告。")
            % {"due": item.due_on.isoformat(), "meeting": meeting.title},
            url=reverse("deliberation:my-action-items"),
        )
        reminded += 1
    return reminded


# ---------------------------------------------------------------- minutes and materials


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting, expected_version: int, minutes: str) -> Meeting:
    """End the meeting with its minutes (会议纪要). Signing in, voting and deciding end with it."""
    current = _fresh(meeting.pk, expected_version)
    _require_manager(actor, current)
    _require_open(current)
    minutes = _required(minutes, _("请填写会议纪要：谁参加、议了什么、决定了什么。"), "minutes")
    _bump(meeting, expected_version, status=Meeting.Status.HELD, minutes=minutes, held_at=timezone.now())
    return meeting


@transaction.atomic
def material_add(*, actor, meeting: Meeting, title: str, upload) -> Material:
    """A photo (stored without EXIF) or a document (PDF, Office, text; at most 20 MB)."""
    _require_manager(actor, meeting)
    title = (title or "").strip() or PurePath(getattr(upload, "name", "")).name[:120]
    title = _required(title, _("请填写材料名称。"), "title")
    suffix = PurePath(getattr(upload, "name", "")).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        try:
            photo = photo_create(actor=actor, upload=upload)
        except PhotoError as exc:
            raise _invalid(exc.message, "upload") from None
        return Material.objects.create(meeting=meeting, title=title, photo=photo, uploaded_by=_user(actor))
    if suffix not in DOCUMENT_EXTENSIONS:
        raise _invalid(_("只接受照片（JPEG、PNG、WebP）或 PDF、Word、Excel、PPT、文本文件。"), "upload")
    if getattr(upload, "size", 0) > MAX_DOCUMENT_BYTES:
        raise _invalid(_("文件不能超过 20 MB。"), "upload")
    if not getattr(upload, "size", 0):
        raise _invalid(_("文件是空的，请重新选择。"), "upload")
    material = Material(meeting=meeting, title=title, uploaded_by=_user(actor))
    material.document.save(f"meeting-{meeting.pk}{suffix}", upload, save=False)
    material.save()
    return material


# ---------------------------------------------------------------- public notice


@transaction.atomic
def notice_publish(
    *,
    actor,
    meeting: Meeting,
    days: int = 7,
    review_on: date | None = None,
    title: str = "",
    body: str = "",
) -> PublicNotice:
    """公示 the meeting's resolutions to the residents of its compound (or community) for ``days`` days, with
    a review date after the period. The residents there are told."""
    _require_manager(actor, meeting)
    if not 1 <= days <= 60:
        raise _invalid(_("公示期应为 1 到 60 天。"), "days")
    resolutions = list(
        Resolution.objects.filter(item__meeting=meeting).select_related("proposal").prefetch_related("action_items")
    )
    if not resolutions:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("会议还没有形成决议，无可公示。请先对议题作出决定。"))
    now = timezone.now()
    ends_at = now + timedelta(days=days)
    review_on = review_on or timezone.localdate(ends_at)
    if review_on < timezone.localdate(ends_at):
        raise _invalid(_("复核日期不能早于公示期结束。"), "review_on")
    if not body.strip():
        lines = []
        for r in resolutions:
            lines.append(f"{r.item.title}：{r.text}")
            lines.extend(f"  · {a.title}（{a.due_on:%Y-%m-%d}）" for a in r.action_items.all())
        body = "\n".join(lines)
    notice = PublicNotice.objects.create(
        meeting=meeting,
        community=meeting.community,
        compound=meeting.compound,
        title=(title.strip() or _("公示：%(title)s") % {"title": meeting.title})[:160],
        body=body.strip(),
        starts_at=now,
        ends_at=ends_at,
        review_on=review_on,
        published_by=_user(actor),
    )
    notify(
        recipients=_residents(meeting),
        title=notice.title,
        body=_("公示期至 %(end)s，欢迎发表意见。") % {"end": f"{timezone.localtime(ends_at):%Y-%m-%d %H:%M}"},
        url=reverse("deliberation:notice", args=[notice.pk]),
        exclude=_user(actor),
    )
    return notice


def _residents(meeting: Meeting) -> list:
    """Login accounts living in the meeting's compound (or its community when it has none)."""
    if meeting.compound_id:
        place = (
            Q(person__memberships__compound_id=meeting.compound_id)
            | Q(person__memberships__building__compound_id=meeting.compound_id)
            | Q(person__memberships__entrance__building__compound_id=meeting.compound_id)
        )
    else:
        place = Q(person__community_id=meeting.community_id)
    return list(get_user_model().objects.filter(place, is_active=True).distinct().order_by("pk"))


@transaction.atomic
def notice_respond(*, actor, notice: PublicNotice, stance: str, comment: str = "") -> NoticeResponse:
    """A resident supports or objects (with a reason) during the notice period, once. Objections go to the
    convener."""
    if stance not in NoticeResponse.Stance.values:
        raise _invalid(_("请选择支持或反对。"), "stance")
    if not permissions.is_resident_of(actor, notice.community_id):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有本社区居民可以对公示发表意见。"))
    now = timezone.now()
    if now < notice.starts_at or now >= notice.ends_at:
        raise DeliberationError(
            ErrorCode.NOTICE_CLOSED,
            _("公示期为 %(start)s 至 %(end)s，现在不在公示期内。如有意见，请直接联系社区。")
            % {
                "start": f"{timezone.localtime(notice.starts_at):%Y-%m-%d %H:%M}",
                "end": f"{timezone.localtime(notice.ends_at):%Y-%m-%d %H:%M}",
            },
        )
    comment = comment.strip()
    if stance == NoticeResponse.Stance.OBJECT and not comment:
        raise _invalid(_("请写明反对的理由，便于社区回应。"), "comment")
    person = Person.objects.filter(user=actor).first()
    try:
        with transaction.atomic():
            response = NoticeResponse.objects.create(
                notice=notice,
                user=actor,
                name=person.name if person else str(actor)[:64],
                stance=stance,
                comment=comment,
                created_at=now,
            )
    except IntegrityError:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("您已经对这条公示发表过意见。")) from None
    if stance == NoticeResponse.Stance.OBJECT:
        meeting = notice.meeting
        notify(
            recipients=[meeting.convener] if meeting.convener_id else [],
            title=_("公示收到反对意见：%(title)s") % {"title": notice.title},
            body=comment,
            url=reverse("deliberation:notice", args=[notice.pk]),
            exclude=_user(actor),
        )
    return response
