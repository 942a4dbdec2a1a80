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
from youlin.deliberation.models import AgendaItem, Proposal, Resolution, Vote
from youlin.deliberation.services.checks import bump, fresh, invalid, require_manager, require_open, required
from youlin.domain.writes import actor_label, actor_user
from youlin.parties.models import Membership, Organisation, Person


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
def vote_cast(
    *, actor, proposal: Proposal, choice: str, voter: Person | None = None, organisation: Organisation | None = None
) -> Vote:
    """For, against or abstain, by voting party: a person invited in person with a voting right votes for
    themselves; an invited organisation with one votes through its signed-in representative (one vote however
    many of its people attend). Staff may record the vote of a present party (a show of hands). Voting again
    before the decision changes the vote."""
    if choice not in Vote.Choice.values:
        raise invalid(_("请选择赞成、反对或弃权。"), "choice")
    item = AgendaItem.objects.select_related("meeting").get(pk=proposal.item_id)
    meeting = item.meeting
    require_open(meeting)
    if item.status != AgendaItem.Status.OPEN:
        raise DeliberationError(ErrorCode.ILLEGAL_STAGE, _("该议题已经作出决定，表决已结束。"))
    own = permissions.person_id_of(actor)
    manager = permissions.manages(actor, meeting.community_id)
    parties = selectors.voting_parties(meeting)
    if organisation is not None:
        party = next((p for p in parties if p.organisation_id == organisation.pk), None)
        if party is None:
            raise DeliberationError(
                ErrorCode.NO_VOTING_RIGHT,
                _("%(organisation)s 未受邀表决（没有表决权）。如有疑问，请联系会议召集人。")
                % {"organisation": organisation.name},
            )
        if party.representative is None:
            raise DeliberationError(
                ErrorCode.NO_VOTING_RIGHT,
                _("%(organisation)s 还没有代表签到。请先登记其代表签到，再表决。")
                % {"organisation": organisation.name},
            )
        voter_id = party.representative.person_id
        if voter_id != own and not manager:
            raise DeliberationError(ErrorCode.PERMISSION_DENIED, _("只有该单位的签到代表可以为其表决。"))
    else:
        voter_id = voter.pk if voter is not None else own
        if voter_id is None:
            raise DeliberationError(ErrorCode.NO_VOTING_RIGHT, _("您的账户没有关联人员信息，不能表决。请联系社区。"))
        if voter_id != own and not manager:
            raise DeliberationError(
                ErrorCode.PERMISSION_DENIED, _("只能为自己表决。代为登记表决请由社区工作人员办理。")
            )
        party = _party_of(meeting, parties, voter_id)
    lookup = (
        {"organisation_id": party.organisation_id}
        if party.organisation_id
        else {"voter_id": voter_id, "organisation": None}
    )
    vote, _created = Vote.objects.update_or_create(
        proposal=proposal,
        **lookup,
        defaults={"voter_id": voter_id, "choice": choice, "recorded_by": actor_user(actor), "cast_at": timezone.now()},
    )
    return vote


def _party_of(meeting, parties: list[selectors.VotingParty], person_id: int) -> selectors.VotingParty:
    """The one party a person votes for when none is named: themselves, or the organisation they represent."""
    personal = next((p for p in parties if p.person_id == person_id), None)
    represented = [p for p in selectors.capacities(parties, person_id) if p.organisation_id]
    if personal is not None and personal.present:
        return personal
    if personal is None and len(represented) == 1:
        return represented[0]
    if len(represented) > 1:  # cannot happen: one organisation per attendance
        raise invalid(_("请选择代表哪个单位表决。"), "organisation")
    voting_members = Membership.objects.filter(
        person_id=person_id, organisation_id__in=[p.organisation_id for p in parties if p.organisation_id]
    ).exists()
    signed_in = meeting.attendances.filter(person_id=person_id).exists()
    if voting_members and signed_in:
        raise DeliberationError(
            ErrorCode.NO_VOTING_RIGHT,
            _("每个单位由一名签到代表表决，您所在单位已有代表。如需更换代表，请联系会议召集人。"),
        )
    if personal is not None or voting_members:
        raise DeliberationError(ErrorCode.NO_VOTING_RIGHT, _("请先签到，再参加表决。"))
    raise DeliberationError(
        ErrorCode.NO_VOTING_RIGHT, _("只有受邀且有表决权的参会人可以表决。如有疑问，请联系会议召集人。")
    )


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
                    "参加表决的表决方不足法定人数（受邀表决方 %(eligible)d 个，每个单位一票；参加表决 %(voted)d 个，须至少 %(needed)d 个，即 %(quorum)d%%）。请等更多表决方签到表决，或改期再议。",
                    "参加表决的表决方不足法定人数（受邀表决方 %(eligible)d 个，每个单位一票；参加表决 %(voted)d 个，须至少 %(needed)d 个，即 %(quorum)d%%）。请等更多表决方签到表决，或改期再议。",
                    count.eligible,
                )
                % {
                    "eligible": count.eligible,
                    "voted": count.voted,
                    "needed": count.quorum_needed,
                    "quorum": count.quorum_percent,
                },
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
    note = text.strip()
    resolution = Resolution.objects.create(
        item=item,
        proposal=adopted,
        method=method,
        text=resolution_text(adopted, method, tally_data, note),
        note=note,
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


def resolution_text(adopted: Proposal, method: str, tally_data: dict, note: str = "") -> str:
    """The words of a resolution: which proposal was adopted, how (the votes for, against and abstaining, by
    voting party), its content, and the supplementary note added below (never instead)."""
    lines = [str(_("采纳方案：%(title)s") % {"title": adopted.title})]
    counts = (tally_data.get("proposals") or {}).get(str(adopted.pk))
    if method == Resolution.Method.VOTE and counts is not None:
        lines.append(
            str(
                _(
                    "表决结果：赞成 %(for)d，反对 %(against)d，弃权 %(abstain)d（受邀表决方 %(eligible)d 个，"
                    "参加表决 %(voted)d 个，每个单位一票）"
                )
                % {
                    "for": counts["for"],
                    "against": counts["against"],
                    "abstain": counts["abstain"],
                    "eligible": tally_data.get("eligible", 0),
                    "voted": tally_data.get("voted", 0),
                }
            )
        )
    else:
        lines.append(str(_("决定方式：协商一致")))
    if adopted.description:
        lines.append(adopted.description.strip())
    if note:
        lines.append(str(_("补充说明：%(note)s") % {"note": note}))
    return "\n".join(lines)
