"""Deciding an agenda item: competing proposals, votes (with quorum and pass threshold), and the decision by
consensus or by the tally; an adopted proposal becomes the resolution and each linked case's timeline says so."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from youlin.cases import services as cases
from youlin.deliberation import permissions, selectors
from youlin.deliberation.errors import DeliberationError, ErrorCode
from youlin.deliberation.models import AgendaItem, Attendance, Proposal, Resolution, Vote
from youlin.deliberation.services.checks import bump, fresh, invalid, require_manager, require_open, required
from youlin.domain.writes import actor_label, actor_user
from youlin.parties.models import Person


@transaction.atomic
def proposal_add(
    *, actor, item: AgendaItem, title: str, description: str = "", proposed_by_label: str = ""
) -> Proposal:
    """A competing proposal (方案): staff record it, or an invitee puts it forward."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    meeting = item.meeting
    require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("该议题已经作出决定，不能再提出方案。"))
    own = permissions.person_id_of(actor)
    if not permissions.manages(actor, meeting.community_id) and own not in selectors.invited_person_ids(meeting):
        raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有受邀参会人或社区工作人员可以提出方案。"))
    title = required(title, _("请写明方案内容。"), "title")
    return Proposal.objects.create(
        item=item,
        title=title,
        description=description.strip(),
        proposed_by_label=(proposed_by_label.strip() or actor_label(actor))[:100],
        created_by=actor_user(actor),
    )


@transaction.atomic
def vote_cast(*, actor, proposal: Proposal, choice: str, voter: Person | None = None) -> Vote:
    """For, against or abstain. A signed-in invitee with a voting right votes for themselves; staff may record
    the vote of such an attendee (a show of hands). Voting again before the decision changes the vote."""
    if choice not in Vote.Choice.values:
        raise invalid(_("请选择赞成、反对或弃权。"), "choice")
    item = AgendaItem.objects.select_related("meeting").get(pk=proposal.item_id)
    meeting = item.meeting
    require_open(meeting)
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
        defaults={"choice": choice, "recorded_by": actor_user(actor), "cast_at": timezone.now()},
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
    meeting = fresh(item.meeting_id, expected_version)
    require_manager(actor, meeting)
    require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ALREADY_DONE, _("该议题已经作出决定。"))
    if method not in Resolution.Method.values:
        raise invalid(_("请选择协商一致或表决。"), "method")
    now = timezone.now()
    tally_data: dict = {}
    if method == Resolution.Method.CONSENSUS:
        if proposal is None or proposal.item_id != item.pk:
            raise invalid(_("请选择协商一致采纳的方案。"), "proposal")
        adopted = proposal
    else:
        count = selectors.tally(item)
        tally_data = count.as_dict()
        outcome = count.outcome
        if outcome == selectors.Outcome.NO_QUORUM:
            raise DeliberationError(
                ErrorCode.NO_QUORUM,
                ngettext(
                    "表决人数不足法定人数（有表决权的签到人 %(eligible)d 人，参加表决 %(voted)d 人，须达到 %(quorum)d%%）。请等更多参会人签到表决，或改期再议。",
                    "表决人数不足法定人数（有表决权的签到人 %(eligible)d 人，参加表决 %(voted)d 人，须达到 %(quorum)d%%）。请等更多参会人签到表决，或改期再议。",
                    count.eligible,
                )
                % {"eligible": count.eligible, "voted": count.voted, "quorum": count.quorum_percent},
            )
        if outcome == selectors.Outcome.TIE:
            raise DeliberationError(
                ErrorCode.TIE, _("表决结果持平，无法形成决议。请继续协商后重新表决，或协商一致后记录决定。")
            )
        adopted = count.winner
        if adopted is not None and proposal is not None and proposal.pk != adopted.pk:
            raise invalid(_("计票结果与所选方案不一致，请刷新页面查看计票结果。"), "proposal")
    bump(meeting, expected_version)
    if adopted is None:
        AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.REJECTED, decided_at=now)
        return None
    resolution = Resolution.objects.create(
        item=item,
        proposal=adopted,
        method=method,
        text=text.strip() or adopted.title + (f"\n{adopted.description}" if adopted.description else ""),
        tally=tally_data,
        decided_by=actor_user(actor),
        decided_at=now,
    )
    AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.ADOPTED, decided_at=now)
    for case in item.cases.all():
        cases.case_annotate(
            actor=actor,
            case=case,
            kind="deliberated",
            note=cases.SystemNote(
                gettext_noop("%(meeting)s 形成决议：%(text)s"), {"meeting": meeting.title, "text": adopted.title}
            ),
            data={"meeting": meeting.pk, "resolution": resolution.pk, "method": method},
        )
    return resolution
