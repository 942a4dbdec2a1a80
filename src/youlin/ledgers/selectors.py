"""Reads of ledgers and community work that encode a rule: visibility (through the access policy), campaign
progress, the counters the seed quotes, the entry list (keyset-paginated), the choices the forms offer, visits,
zone coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from youlin.access import policy
from youlin.cases.categories import localized
from youlin.ledgers.models import (
    Campaign,
    CampaignCase,
    EntryStatus,
    FrontageDuty,
    FrontageInspection,
    Ledger,
    LedgerEntry,
    LedgerEntryPhoto,
    MeasureClass,
    Visit,
    VisitFinding,
    ZoneLog,
)
from youlin.ledgers.resolvers import PlaceResolver, community_parties
from youlin.parties.models import Organisation, Responsibility
from youlin.places.models import Building, Community, Compound, Zone

PAGE_SIZE = 30

# ---------------------------------------------------------------- campaigns


@dataclass
class CampaignProgress:
    campaign: Campaign
    entries_done: int
    entries_open: int
    cases_closed: int
    cases_open: int

    @property
    def done(self) -> int:
        return self.entries_done + self.cases_closed

    @property
    def in_play(self) -> int:
        return self.done + self.entries_open + self.cases_open

    @property
    def target(self) -> int:
        return self.campaign.target_count or self.in_play

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.done / self.target))

    @property
    def continuing(self) -> bool:
        """Still going: open work remains, or the target is not reached yet."""
        return self.entries_open + self.cases_open > 0 or self.done < self.campaign.target_count


def campaign_progress(campaigns: list[Campaign]) -> list[CampaignProgress]:
    """Progress of each campaign from its ledger entries and its linked cases (a case counted through an entry
    is not counted again). Two queries."""
    from youlin.cases.models import CLOSED_STATUSES, OPEN_STATUSES

    ids = [c.pk for c in campaigns]
    entries = {
        (row["campaign_id"], row["status"]): row["n"]
        for row in LedgerEntry.objects.filter(campaign_id__in=ids)
        .values("campaign_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    cases = {
        (row["campaign_id"], row["case__status"]): row["n"]
        for row in CampaignCase.objects.filter(campaign_id__in=ids)
        .exclude(Exists(LedgerEntry.objects.filter(case_id=OuterRef("case_id"), campaign_id=OuterRef("campaign_id"))))
        .values("campaign_id", "case__status")
        .annotate(n=Count("id"))
        .order_by()
    }
    out = []
    for c in campaigns:
        out.append(
            CampaignProgress(
                campaign=c,
                entries_done=entries.get((c.pk, EntryStatus.DONE), 0),
                entries_open=entries.get((c.pk, EntryStatus.OPEN), 0) + entries.get((c.pk, EntryStatus.IN_PROGRESS), 0),
                cases_closed=sum(cases.get((c.pk, s), 0) for s in CLOSED_STATUSES),
                cases_open=sum(cases.get((c.pk, s), 0) for s in OPEN_STATUSES),
            )
        )
    return out


def visible_campaigns(user, community_ids: list[int] | None = None) -> QuerySet[Campaign]:
    qs = policy.scope(user, Campaign.objects.select_related("community"))
    if community_ids is not None:
        qs = qs.filter(community_id__in=community_ids)
    return qs.order_by("community__code", "starts_on", "id")


def community_campaigns(community_id: int) -> QuerySet[Campaign]:
    """The campaigns an entry of this community may count towards (a ledger's entries and filters), oldest
    first."""
    return Campaign.objects.filter(community_id=community_id).order_by("starts_on", "id")


# ---------------------------------------------------------------- ledgers and entries


def ledgers_open(user) -> bool:
    """Whether the ledgers' pages open for ``user`` (the menu shows them then): those who see a community as a
    whole, and a responsible party with entries on some ledger. No query but for the latter."""
    j = policy.jurisdiction_of(user)
    if j.sees_communities:
        return True
    return bool(j.organisation_ids) and policy.scope(user, Ledger.objects.all()).exists()


def visible_ledgers(user) -> list[Ledger]:
    """Ledgers the user sees, each with its entry counts. One query."""
    return list(
        policy.scope(user, Ledger.objects.select_related("community"))
        .annotate(
            entry_count=Count("entries", filter=~Q(entries__status=EntryStatus.CANCELLED)),
            done_count=Count("entries", filter=Q(entries__status=EntryStatus.DONE)),
        )
        .order_by("community__code", "kind", "name")
    )


def community_ledgers(community_id: int) -> QuerySet[Ledger]:
    """The ledgers of one community (a visit's finding may go on any of them)."""
    return Ledger.objects.filter(community_id=community_id).order_by("kind", "name")


def entry_categories():
    """The categories an entry or a visit's finding is filed under: active matters, local ones first."""
    from youlin.cases.models import Category

    return Category.objects.filter(is_active=True, kind=Category.Kind.MATTER).order_by("-is_local", "code")


def active_category(pk):
    """The active category (matter or component) with this primary key, if any."""
    from youlin.cases.models import Category

    return Category.objects.filter(pk=pk, is_active=True).first() if pk else None


@dataclass
class EntryChoices:
    """What the entry form offers for a ledger: its community's place names, parties, categories, campaigns."""

    places: list[str]
    parties: list[Organisation]
    categories: QuerySet
    campaigns: QuerySet[Campaign]

    def as_context(self) -> dict:
        return {
            "places": self.places,
            "parties": self.parties,
            "categories": self.categories,
            "campaigns": self.campaigns,
        }


def entry_choices(ledger: Ledger) -> EntryChoices:
    return EntryChoices(
        places=PlaceResolver(ledger.community_id).labels(),
        parties=list(community_parties(ledger.community)),
        categories=entry_categories(),
        campaigns=community_campaigns(ledger.community_id),
    )


def ledger_compounds(ledger: Ledger) -> QuerySet[Compound]:
    """The compounds a ledger's entries may be filtered by: its community's."""
    return Compound.objects.filter(community_id=ledger.community_id).order_by("name")


def recent_imports(user, ledger: Ledger, limit: int = 5) -> list:
    """The ledger's latest upload jobs (``youlin.jobs``), without the files themselves."""
    from youlin.jobs.selectors import recent_jobs

    return recent_jobs(user, "ledger_import", limit=limit, params__ledger=ledger.pk)


def entries_of(user, ledger: Ledger) -> QuerySet[LedgerEntry]:
    """The ledger's entries this user sees: all for the community, a responsible party's own otherwise."""
    return policy.scope(user, LedgerEntry.objects.filter(ledger=ledger))


def _filtered(qs: QuerySet[LedgerEntry], filters: dict, now: datetime) -> QuerySet[LedgerEntry]:
    if filters.get("status") == "overdue":
        qs = qs.filter(status__in=[EntryStatus.OPEN, EntryStatus.IN_PROGRESS], deadline__lt=timezone.localdate(now))
    elif filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for key in ("compound", "campaign", "responsible_party", "category"):
        if filters.get(key):
            qs = qs.filter(**{f"{key}_id": filters[key]})
    if filters.get("measure_class"):
        qs = qs.filter(measure_class=filters["measure_class"])
    if filters.get("q"):
        term = filters["q"].strip()
        qs = qs.filter(Q(description__icontains=term) | Q(location_text__icontains=term))
    return qs


@dataclass
class EntryPage:
    rows: list[LedgerEntry]
    next_cursor: int | None


def entry_search(
    user, ledger: Ledger, filters: dict, *, cursor: int | None = None, limit: int = PAGE_SIZE
) -> EntryPage:
    """Visible entries of a ledger matching ``filters``, newest (highest 序号) first, keyset-paginated on 序号.
    One query."""
    qs = _filtered(entries_of(user, ledger), filters, timezone.now()).select_related(
        "responsible_party", "category", "campaign"
    )
    if cursor:
        qs = qs.filter(seq__lt=cursor)
    rows = list(qs.order_by("-seq")[: limit + 1])
    next_cursor = rows[limit - 1].seq if len(rows) > limit else None
    return EntryPage(rows=rows[:limit], next_cursor=next_cursor)


def entry_export_rows(user, ledger: Ledger, filters: dict) -> QuerySet[LedgerEntry]:
    """Every visible entry matching ``filters`` in 序号 order, with what the sheet shows. Two queries."""
    return (
        _filtered(entries_of(user, ledger), filters, timezone.now())
        .select_related("responsible_party", "category", "campaign", "case")
        .prefetch_related(Prefetch("photos", queryset=LedgerEntryPhoto.objects.select_related("photo")))
        .order_by("seq")
    )


@dataclass(frozen=True)
class Counter:
    label: str
    count: int


def ledger_counters(ledger: Ledger) -> list[Counter]:
    """What a ledger has done, as the seed quotes it: "道路破损（维修）13 处". Done entries grouped by category
    and measure class. One query."""
    rows = (
        LedgerEntry.objects.filter(ledger=ledger, status=EntryStatus.DONE)
        .values("category__name", "category__name_en", "measure_class")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")
    )
    return [Counter(label=_counter_label(row), count=row["n"]) for row in rows]


def _counter_label(row: dict) -> str:
    """ "道路破损（维修）": the category with its measure class, as the seed counts done work."""
    name = localized(row["category__name"] or "", row.get("category__name_en") or "")
    measure = str(dict(MeasureClass.choices).get(row["measure_class"], "")) if row["measure_class"] else ""
    return f"{name}（{measure}）" if name and measure else (name or measure or "—")


# ---------------------------------------------------------------- door-to-door visits


def visit_buildings(communities: list[Community]) -> list[Building]:
    """The buildings a visit may be recorded at, in these communities, with their entrances. Two queries."""
    return list(
        Building.objects.filter(compound__community__in=communities)
        .select_related("compound")
        .prefetch_related("entrances")
        .order_by("compound__name", "name")
    )


def recent_visits(user, limit: int = 50) -> list[Visit]:
    """Visible visits, latest first, with their findings. Two queries."""
    return list(
        policy.scope(user, Visit.objects.all())
        .select_related("building__compound", "entrance", "person")
        .prefetch_related("findings")
        .order_by("-visited_on", "-id")[:limit]
    )


def visit_findings(visit: Visit) -> QuerySet[VisitFinding]:
    return visit.findings.select_related("case", "ledger_entry__ledger")


# ---------------------------------------------------------------- frontage duties


def frontage_duties(user) -> list[FrontageDuty]:
    """Visible agreements with their last inspection and failures in the last 60 days. One query."""
    since = timezone.now() - timedelta(days=60)
    return list(
        policy.scope(user, FrontageDuty.objects.select_related("community", "organisation"))
        .annotate(
            last_inspected_at=Max("inspections__inspected_at"),
            recent_failures=Count(
                "inspections", filter=Q(inspections__passed=False, inspections__inspected_at__gte=since)
            ),
        )
        .order_by("community__code", "name")
    )


def frontage_inspections(duty: FrontageDuty) -> list[FrontageInspection]:
    return list(
        duty.inspections.select_related("inspector", "escalated_case")
        .prefetch_related("photos")
        .order_by("-inspected_at", "-id")
    )


# ---------------------------------------------------------------- zone responsibility


@dataclass
class ZoneCoverage:
    zone: Zone
    groups: list[Organisation]
    last_logged_at: datetime | None
    logs_in_window: int
    covered: bool


def zone_coverage(user, *, days: int, now: datetime | None = None) -> list[ZoneCoverage]:
    """Every visible zone with its garden groups and its last patrol or maintenance log; a zone is covered when
    it has a log within the last ``days`` days. Uncovered zones first. Two queries."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    zones = (
        policy.scope(user, Zone.objects.all())
        .annotate(
            last_logged_at=Max("logs__logged_at", filter=Q(logs__logged_at__lte=now)),
            logs_in_window=Count("logs", filter=Q(logs__logged_at__gt=since, logs__logged_at__lte=now)),
        )
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.filter(duty=Responsibility.Duty.GARDEN_GROUP).select_related(
                    "organisation"
                ),
                to_attr="garden_duties",
            )
        )
        .order_by("community_id", "name")
    )
    out = [
        ZoneCoverage(
            zone=z,
            groups=[r.organisation for r in z.garden_duties],
            last_logged_at=z.last_logged_at,
            logs_in_window=z.logs_in_window,
            covered=z.logs_in_window > 0,
        )
        for z in zones
    ]
    out.sort(key=lambda c: (c.covered, c.last_logged_at or datetime.min.replace(tzinfo=now.tzinfo)))
    return out


def zone_logs(user, zone: Zone, limit: int = 50) -> list[ZoneLog]:
    return list(
        policy.scope(user, ZoneLog.objects.filter(zone=zone))
        .select_related("organisation", "person")
        .prefetch_related("photos")
        .order_by("-logged_at", "-id")[:limit]
    )


def zone_for(user, pk: int, loggable: dict[int, Zone]) -> Zone | None:
    """A zone the user sees, or one of the zones they may log (a garden group's zone outside their view)."""
    return policy.scope(user, Zone.objects.select_related("community")).filter(pk=pk).first() or loggable.get(pk)


def loggable_zones(user) -> list[Zone]:
    """Zones the user may log: their garden groups' zones, every zone of a community they manage."""
    j = policy.jurisdiction_of(user)
    if j.everything:
        return list(Zone.objects.order_by("community_id", "name"))
    condition = Q(community_id__in=j.manage_community_ids)
    if j.organisation_ids:
        condition |= Q(
            responsibilities__organisation_id__in=j.organisation_ids,
            responsibilities__duty=Responsibility.Duty.GARDEN_GROUP,
        )
    if j.person_id:
        condition |= Q(memberships__person_id=j.person_id)
    return list(Zone.objects.filter(condition).distinct().order_by("community_id", "name"))


# ---------------------------------------------------------------- dashboards and the bulletin


def community_ledger_figures(community_ids: list[int]) -> tuple[list[CampaignProgress], list[tuple[str, str, int]]]:
    """Campaign progress and the done-entry counters of every ledger in these communities (for dashboards):
    ([progress], [(ledger name, counter label, count)]). A fixed number of queries."""
    campaigns = list(Campaign.objects.filter(community_id__in=community_ids).select_related("community"))
    rows = (
        LedgerEntry.objects.filter(ledger__community_id__in=community_ids, status=EntryStatus.DONE)
        .values("ledger__name", "category__name", "category__name_en", "measure_class")
        .annotate(n=Count("id"))
        .order_by("ledger__name", "-n")
    )
    counters = [(row["ledger__name"], _counter_label(row), row["n"]) for row in rows]
    return campaign_progress(campaigns), counters


def bulletin_sentences(community, period) -> list[str]:
    """Campaign and ledger figures as the seed writes them: "截至目前，社区共清理堆物堆料65处"."""
    from django.utils.translation import ngettext

    progress, counters = community_ledger_figures([community.pk])
    sentences = []
    for p in progress:
        if p.done:
            values = {"title": p.campaign.title, "done": p.done}
            if p.continuing:
                text = ngettext(
                    "截至目前，社区“%(title)s”共完成 %(done)s 处，此项工作仍在持续进行中。",
                    "截至目前，社区“%(title)s”共完成 %(done)s 处，此项工作仍在持续进行中。",
                    p.done,
                )
            else:
                text = ngettext(
                    "截至目前，社区“%(title)s”共完成 %(done)s 处。",
                    "截至目前，社区“%(title)s”共完成 %(done)s 处。",
                    p.done,
                )
            sentences.append(text % values)
    for ledger, label, count in counters:
        text = ngettext("%(ledger)s：%(label)s %(count)s 处。", "%(ledger)s：%(label)s %(count)s 处。", count)
        sentences.append(text % {"ledger": ledger, "label": label, "count": count})
    return sentences
