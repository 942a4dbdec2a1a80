"""Reads about meetings that encode a rule: visibility, voting rights, the tally, task lists and notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from youlin.access import policy
from youlin.deliberation.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    NoticeResponse,
    Proposal,
    PublicNotice,
    Resolution,
    Vote,
)
from youlin.parties.models import Membership

PAGE_SIZE = 20

# ---------------------------------------------------------------- visibility and lists


def meetings_visible(user, action: str = policy.VIEW) -> QuerySet[Meeting]:
    return policy.scope(user, Meeting.objects.all(), action)


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def encode_cursor(at, pk: int) -> str:
    return f"{at.isoformat()}~{pk}"


def decode_cursor(value: str | None, *, as_date: bool = False):
    if not value or "~" not in value:
        return None
    at, _sep, pk = value.rpartition("~")
    try:
        if as_date:
            return date.fromisoformat(at), int(pk)
        parsed = datetime.fromisoformat(at)
        return (parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)), int(pk)
    except ValueError:
        return None


def meeting_list(user, *, kind: str = "", cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Visible meetings, latest first, keyset-paginated on (starts_at, id). One query."""
    qs = (
        meetings_visible(user)
        .select_related("community", "compound")
        .annotate(
            item_count=Count("agenda_items", distinct=True),
            resolution_count=Count("agenda_items__resolution", distinct=True),
        )
    )
    if kind:
        qs = qs.filter(kind=kind)
    after = decode_cursor(cursor)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(starts_at__lt=at) | Q(starts_at=at, id__lt=pk))
    rows = list(qs.order_by("-starts_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].starts_at, rows[limit - 1].pk) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


def meeting_with_everything(meeting: Meeting) -> Meeting:
    """The meeting page's data in a fixed number of queries, whatever the number of items, votes or tasks."""
    return (
        Meeting.objects.select_related("community__subdistrict", "compound", "convener", "source_case")
        .prefetch_related(
            Prefetch("invitations", queryset=Invitation.objects.select_related("organisation", "person")),
            Prefetch("attendances", queryset=Attendance.objects.select_related("person", "organisation")),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.prefetch_related(
                    "cases",
                    Prefetch(
                        "proposals",
                        queryset=Proposal.objects.prefetch_related(
                            Prefetch("votes", queryset=Vote.objects.select_related("voter"))
                        ),
                    ),
                ),
            ),
            Prefetch(
                "agenda_items__resolution__action_items",
                queryset=ActionItem.objects.select_related("assignee_organisation", "assignee_person", "case"),
            ),
            "materials__photo",
            "notices",
        )
        .get(pk=meeting.pk)
    )


# ---------------------------------------------------------------- voting rights and the tally


def invited_person_ids(meeting: Meeting) -> set[int]:
    """People invited in person, and members of invited organisations."""
    direct = Invitation.objects.filter(meeting=meeting, person__isnull=False).values_list("person_id", flat=True)
    via = Membership.objects.filter(
        organisation__in=Invitation.objects.filter(meeting=meeting, organisation__isnull=False).values("organisation")
    ).values_list("person_id", flat=True)
    return set(direct) | set(via)


def invited_organisation_members(meeting: Meeting) -> dict[int, list]:
    """The people of each invited organisation, by name: whom staff pick as its representative (one query)."""
    result: dict[int, list] = {}
    rows = (
        Membership.objects.filter(
            organisation__in=Invitation.objects.filter(meeting=meeting, organisation__isnull=False).values(
                "organisation"
            )
        )
        .select_related("person")
        .order_by("person__name", "person_id")
    )
    for m in rows:
        people = result.setdefault(m.organisation_id, [])
        if all(p.pk != m.person_id for p in people):
            people.append(m.person)
    return result


@dataclass(frozen=True)
class VotingParty:
    """One vote of a meeting: an organisation invited with a voting right (it votes through its representative)
    or a person invited in person with one."""

    key: str  # "org-<id>" or "person-<id>": the value the vote forms post
    name: str
    organisation_id: int | None
    person_id: int | None
    representative: object | None = None  # the Attendance of whoever votes for it; None until signed in

    @property
    def present(self) -> bool:
        return self.representative is not None


def party_key(*, organisation_id: int | None = None, person_id: int | None = None) -> str:
    return f"org-{organisation_id}" if organisation_id else f"person-{person_id}"


def voting_parties(meeting: Meeting, invitations=None, attendances=None) -> list[VotingParty]:
    """Every voting party of the meeting with its representative, organisations first. From the lists given
    (the meeting page's prefetch: no query) or two queries."""
    if invitations is None:
        invitations = list(meeting.invitations.select_related("organisation", "person"))
    if attendances is None:
        attendances = list(meeting.attendances.select_related("person", "organisation"))
    by_org = {a.organisation_id: a for a in attendances if a.organisation_id}
    by_person = {a.person_id: a for a in attendances}
    parties = []
    for i in invitations:
        if not i.can_vote:
            continue
        if i.organisation_id:
            parties.append(
                VotingParty(
                    key=party_key(organisation_id=i.organisation_id),
                    name=i.organisation.name,
                    organisation_id=i.organisation_id,
                    person_id=None,
                    representative=by_org.get(i.organisation_id),
                )
            )
        else:
            parties.append(
                VotingParty(
                    key=party_key(person_id=i.person_id),
                    name=i.person.name,
                    organisation_id=None,
                    person_id=i.person_id,
                    representative=by_person.get(i.person_id),
                )
            )
    parties.sort(key=lambda p: (p.organisation_id is None,))
    return parties


def capacities(parties: list[VotingParty], person_id: int | None) -> list[VotingParty]:
    """The parties this person votes for now: themselves (invited in person, signed in) and the organisation
    they represent at this meeting."""
    if person_id is None:
        return []
    return [p for p in parties if p.representative is not None and p.representative.person_id == person_id]


class Outcome:
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    TIE = "tie"


@dataclass
class ProposalCount:
    proposal: Proposal
    for_count: int = 0
    against_count: int = 0
    abstain_count: int = 0
    passes: bool = False

    def as_dict(self) -> dict:
        return {"for": self.for_count, "against": self.against_count, "abstain": self.abstain_count}


@dataclass
class Tally:
    """The count of one agenda item, by voting party: each invited organisation with a voting right has one
    vote (cast by its representative), each person invited in person with one has one. Quorum: at least
    ``quorum_percent`` of the invited voting parties took part (abstaining is taking part). A proposal passes
    when its "for" votes exceed ``pass_percent`` of its "for" and "against" votes (abstentions are not counted
    there). The passing proposal with the most "for" votes is adopted; two passing with as many, or a proposal
    with as many for as against, is a tie."""

    eligible: int
    voted: int
    quorum_percent: int
    pass_percent: int
    counts: list[ProposalCount] = field(default_factory=list)
    organisations: int = 0
    people: int = 0
    present: int = 0

    @property
    def quorum_met(self) -> bool:
        return self.eligible > 0 and self.voted * 100 >= self.quorum_percent * self.eligible

    @property
    def quorum_needed(self) -> int:
        """The fewest voting parties that make the quorum."""
        return max(1, -(-self.quorum_percent * self.eligible // 100))

    @property
    def winner(self) -> Proposal | None:
        return self._decide()[1]

    @property
    def outcome(self) -> str:
        return self._decide()[0]

    def _decide(self) -> tuple[str, Proposal | None]:
        if not self.quorum_met:
            return Outcome.NO_QUORUM, None
        passing = [c for c in self.counts if c.passes]
        if not passing:
            if any(c.for_count and c.for_count == c.against_count for c in self.counts):
                return Outcome.TIE, None
            return Outcome.REJECTED, None
        top = max(c.for_count for c in passing)
        best = [c for c in passing if c.for_count == top]
        if len(best) > 1:
            return Outcome.TIE, None
        return Outcome.ADOPTED, best[0].proposal

    def as_dict(self) -> dict:
        return {
            "counted": "parties",
            "eligible": self.eligible,
            "organisations": self.organisations,
            "people": self.people,
            "present": self.present,
            "voted": self.voted,
            "quorum_percent": self.quorum_percent,
            "pass_percent": self.pass_percent,
            "proposals": {str(c.proposal.pk): c.as_dict() for c in self.counts},
        }


def tally(item: AgendaItem, *, parties: list[VotingParty] | None = None) -> Tally:
    """Count the votes of an agenda item (votes for no invited voting party are not counted)."""
    meeting = item.meeting
    parties = voting_parties(meeting) if parties is None else parties
    proposals = list(item.proposals.prefetch_related("votes"))
    return count_votes(meeting, proposals, parties)


def count_votes(meeting: Meeting, proposals: list[Proposal], parties: list[VotingParty]) -> Tally:
    """The tally from proposals whose ``votes`` are loaded (no query)."""
    keys = {p.key for p in parties}
    counts = []
    voters: set[str] = set()
    for p in proposals:
        c = ProposalCount(proposal=p)
        for v in p.votes.all():
            key = party_key(organisation_id=v.organisation_id, person_id=v.voter_id)
            if key not in keys:
                continue
            voters.add(key)
            if v.choice == Vote.Choice.FOR:
                c.for_count += 1
            elif v.choice == Vote.Choice.AGAINST:
                c.against_count += 1
            else:
                c.abstain_count += 1
        decisive = c.for_count + c.against_count
        c.passes = c.for_count > 0 and c.for_count * 100 > meeting.pass_percent * decisive
        counts.append(c)
    return Tally(
        eligible=len(parties),
        voted=len(voters),
        quorum_percent=meeting.quorum_percent,
        pass_percent=meeting.pass_percent,
        counts=counts,
        organisations=sum(1 for p in parties if p.organisation_id),
        people=sum(1 for p in parties if p.person_id),
        present=sum(1 for p in parties if p.present),
    )


def invitation_candidates(community, compound=None) -> tuple[list, list]:
    """Organisations of the community (and its sub-district's departments) and the residents and building
    captains living there (of the compound when one is given): whom a meeting may invite. Two queries."""
    from youlin.parties.models import Person
    from youlin.parties.selectors import community_organisations

    organisations = list(community_organisations(community.pk, community.subdistrict_id))
    roles = ["resident", "building_captain"]
    if compound is not None:
        place = (
            Q(memberships__compound=compound)
            | Q(memberships__building__compound=compound)
            | Q(memberships__entrance__building__compound=compound)
        )
    else:
        place = (
            Q(memberships__compound__community=community)
            | Q(memberships__building__compound__community=community)
            | Q(memberships__entrance__building__compound__community=community)
        )
    people = list(Person.objects.filter(place, memberships__role__in=roles).distinct().order_by("name"))
    return organisations, people


# Duties whose holders decide at the table (a vote) rather than attend to answer for the work.
VOTING_DUTIES = {"owner_unit", "owners_committee", "management_committee"}
VOTING_KINDS = {"owners_committee", "management_committee"}


def suggested_invitations(community, case=None) -> dict[str, str]:
    """What the convene form pre-selects ("org-<id>"/"person-<id>" → "vote" or "invite"; staff can untick):
    every party responsible for the place on the agenda, with a vote for owner units and committees and as
    attendees for property managers and others, and the building captains there (the residents'
    representatives) with a vote. Without a case, the community's committees. Three queries."""
    from youlin.parties.models import Organisation, Role
    from youlin.parties.selectors import responsible_for

    suggested: dict[str, str] = {}
    if case is None or case.compound_id is None:
        for o in Organisation.objects.filter(community=community, kind__in=VOTING_KINDS).only("pk"):
            suggested[f"org-{o.pk}"] = "vote"
        return suggested
    # A case in a shared courtyard is the courtyard's business: every building's parties sit at the table.
    place = {"building": case.building} if case.building_id and not case.needs_deliberation else {}
    parties = responsible_for(compound=case.compound, **place)
    for duty in parties.duties:
        key = f"org-{duty.organisation.pk}"
        if duty.duty in VOTING_DUTIES:
            suggested[key] = "vote"
        else:
            suggested.setdefault(key, "invite")
    captains = Membership.objects.filter(role=Role.BUILDING_CAPTAIN)
    captains = (
        captains.filter(building_id=case.building_id)
        if place
        else captains.filter(Q(building__compound_id=case.compound_id) | Q(compound_id=case.compound_id))
    )
    for person_id in captains.values_list("person_id", flat=True):
        suggested[f"person-{person_id}"] = "vote"
    return suggested


# ---------------------------------------------------------------- action items


def _assigned_to(user) -> Q | None:
    j = policy.jurisdiction_of(user)
    parts = []
    if j.person_id:
        parts.append(Q(assignee_person_id=j.person_id))
    if j.organisation_ids:
        parts.append(Q(assignee_organisation_id__in=j.organisation_ids))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def my_action_items(user, *, open_only: bool = True, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Action items assigned to the user or their organisations, soonest due first, keyset on (due_on, id)."""
    condition = _assigned_to(user)
    if condition is None:
        return Page(rows=[], next_cursor=None)
    qs = ActionItem.objects.filter(condition).select_related(
        "assignee_organisation", "assignee_person", "case", "resolution__item__meeting"
    )
    if open_only:
        qs = qs.filter(status=ActionItem.Status.OPEN)
    after = decode_cursor(cursor, as_date=True)
    if after is not None:
        due, pk = after
        qs = qs.filter(Q(due_on__gt=due) | Q(due_on=due, id__gt=pk))
    rows = list(qs.order_by("due_on", "id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].due_on, rows[limit - 1].pk) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


def is_assignee(user, item: ActionItem) -> bool:
    j = policy.jurisdiction_of(user)
    return (item.assignee_person_id is not None and item.assignee_person_id == j.person_id) or (
        item.assignee_organisation_id is not None and item.assignee_organisation_id in j.organisation_ids
    )


def action_items_due_for_reminder(today: date, *, limit: int = 500) -> list[ActionItem]:
    """Open action items past their due date not yet reminded today (one query)."""
    return list(
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_on__lt=today)
        .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
        .select_related("resolution__item__meeting", "assignee_person")
        .order_by("due_on", "id")[:limit]
    )


# ---------------------------------------------------------------- notices


def notice_is_open(notice: PublicNotice, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return notice.starts_at <= now < notice.ends_at


def notice_counts(notice: PublicNotice) -> dict[str, int]:
    rows = dict(notice.responses.values_list("stance").annotate(n=Count("id")).order_by())
    return {"support": rows.get(NoticeResponse.Stance.SUPPORT, 0), "object": rows.get(NoticeResponse.Stance.OBJECT, 0)}


def objections(notice: PublicNotice) -> list[NoticeResponse]:
    return list(notice.responses.filter(stance=NoticeResponse.Stance.OBJECT).order_by("created_at", "id"))


def own_response(user, notice: PublicNotice, phone_hash: str = "") -> NoticeResponse | None:
    """The answer of this account, or of this confirmed phone, if any."""
    if user is not None and user.is_authenticated:
        return notice.responses.filter(user=user).first()
    if phone_hash:
        return notice.responses.filter(phone_hash=phone_hash).first()
    return None


def notice_public(pk: int) -> PublicNotice | None:
    """A published notice, readable by anyone (no login): its meeting's place and resolutions loaded."""
    return (
        PublicNotice.objects.select_related("meeting", "community__subdistrict", "compound")
        .filter(pk=pk, starts_at__lte=timezone.now())
        .first()
    )


def notice_resolutions(notice: PublicNotice) -> list[Resolution]:
    """The resolutions of the notice's meeting, each with its agenda item and adopted proposal (one query)."""
    return list(
        Resolution.objects.filter(item__meeting_id=notice.meeting_id)
        .select_related("item", "proposal")
        .order_by("item__position", "item_id")
    )


# ---------------------------------------------------------------- a case's meetings and resolutions


def meetings_for_case(case) -> list[Meeting]:
    """Meetings that had the case on their agenda or were convened from it, latest first (one query)."""
    return list(
        Meeting.objects.filter(Q(agenda_items__cases=case) | Q(source_case=case))
        .distinct()
        .order_by("-starts_at", "-id")
    )


def resolutions_for_case(case) -> list[Resolution]:
    return list(
        Resolution.objects.filter(item__cases=case)
        .select_related("proposal", "item__meeting")
        .prefetch_related("action_items")
        .order_by("-decided_at", "-id")
    )


@dataclass(frozen=True)
class PublicNoticeRow:
    """A notice as the public pages list it: no personal data."""

    pk: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    open: bool
    support: int
    object: int

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("deliberation:notice", args=[self.pk])


def _notice_rows(qs, now: datetime) -> list[PublicNoticeRow]:
    rows = qs.select_related("community", "compound").annotate(
        support=Count("responses", filter=Q(responses__stance=NoticeResponse.Stance.SUPPORT)),
        objections=Count("responses", filter=Q(responses__stance=NoticeResponse.Stance.OBJECT)),
    )
    return [
        PublicNoticeRow(
            pk=n.pk,
            title=n.title,
            place=n.compound.name if n.compound_id else n.community.name,
            starts_at=n.starts_at,
            ends_at=n.ends_at,
            open=n.starts_at <= now < n.ends_at,
            support=n.support,
            object=n.objections,
        )
        for n in rows
    ]


def public_notices(community, now: datetime | None = None, *, limit: int = 10) -> list[PublicNoticeRow]:
    """The community's notices under 公示 now, ending soonest first, with their counts (one query)."""
    now = now or timezone.now()
    qs = PublicNotice.objects.filter(community=community, starts_at__lte=now, ends_at__gt=now)
    return _notice_rows(qs.order_by("ends_at", "id")[:limit], now)


def notices_for_case(case, now: datetime | None = None) -> list[PublicNoticeRow]:
    """Published notices of the meetings the case was on (on the agenda or convened from it), latest first. One
    query: the case's public tracking page links them."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(Q(agenda_items__cases=case) | Q(source_case=case)).values("pk")
    qs = PublicNotice.objects.filter(meeting__in=meetings, starts_at__lte=now)
    return _notice_rows(qs.order_by("-starts_at", "-id"), now)


def notices_published(community_ids, *, since=None, until=None, limit: int = 100) -> list[PublicNotice]:
    """Public notices (公示) of these communities that started in (since, until], newest first, for public feeds
    and area alerts (a notice is public by nature). One query."""
    qs = PublicNotice.objects.filter(community_id__in=list(community_ids))
    if since is not None:
        qs = qs.filter(starts_at__gt=since)
    if until is not None:
        qs = qs.filter(starts_at__lte=until)
    return list(qs.select_related("community").order_by("-starts_at", "-id")[:limit])


# ---------------------------------------------------------------- what projects take from a resolution


@dataclass(frozen=True)
class ResolutionOrigin:
    """What a project escalating a resolution takes from it: where it was decided, the cases on its agenda
    item, and the words to start the application from."""

    resolution: Resolution
    community: object
    compound: object | None
    cases: list = field(default_factory=list)
    item_title: str = ""
    proposal_title: str = ""


def resolution_for(user, pk, action: str = policy.CHANGE) -> Resolution:
    """A resolution the user may act on (404 for a foreign one), with its meeting and proposal."""
    return policy.get_for(
        user, Resolution.objects.select_related("item__meeting__community", "proposal"), action, pk=pk
    )


def resolution_origin(resolution: Resolution) -> ResolutionOrigin:
    meeting = resolution.item.meeting
    return ResolutionOrigin(
        resolution=resolution,
        community=meeting.community,
        compound=meeting.compound,
        cases=list(resolution.item.cases.all()),
        item_title=resolution.item.title,
        proposal_title=resolution.proposal.title,
    )


def notice_respondents(resolution_id: int) -> list:
    """Active accounts of the residents who answered the public notice of the meeting that made this
    resolution: they asked for it and should hear how it ends. One query."""
    meeting_ids = Resolution.objects.filter(pk=resolution_id).values_list("item__meeting_id", flat=True)
    user_ids = NoticeResponse.objects.filter(notice__meeting_id__in=meeting_ids).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
