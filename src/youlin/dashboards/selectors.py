"""Reads for the dashboards, the map and the public pages. Numbers come from the cases measures selector, so a
dashboard figure and the measures' definition are one and the same computation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youlin.access import policy
from youlin.cases import selectors as case_selectors
from youlin.cases.categories import localized
from youlin.cases.models import CLOSED_STATUSES, OPEN_STATUSES, Case, Category, Status, SupervisionLevel
from youlin.parties.models import Organisation
from youlin.places.models import Community, Subdistrict


@dataclass(frozen=True)
class Period:
    start_day: date
    end_day: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.start_day, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def default_period(today: date | None = None) -> Period:
    """The last twelve months up to today (Asia/Shanghai)."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return Period(start, today)


@dataclass
class Area:
    """What a dashboard looks at: the district, one sub-district or one community."""

    level: str  # "district" | "subdistrict" | "community"
    name: str
    community_ids: list[int]


def areas_for(user) -> list[tuple[str, str]]:
    """(value, label) choices of areas a user may look at: the district (superusers), their sub-districts and
    communities."""
    j = policy.jurisdiction_of(user)
    choices: list[tuple[str, str]] = []
    if j.everything:
        choices.append(("district", "全区"))
    for sd in policy.scope(user, Subdistrict.objects.all()).order_by("code"):
        if j.everything or sd.pk in j.subdistrict_ids:
            choices.append((f"s{sd.pk}", sd.name))
    for c in policy.visible_communities(user).order_by("code"):
        choices.append((f"c{c.pk}", c.name))
    return choices


def resolve_area(user, value: str | None) -> Area | None:
    """The area named by ``value`` if the user may look at it; their first area otherwise; None if none."""
    choices = dict(areas_for(user))
    if not choices:
        return None
    if value not in choices:
        value = next(iter(choices))
    visible = policy.visible_communities(user)
    if value == "district":
        ids = list(visible.values_list("pk", flat=True))
        return Area("district", choices[value], ids)
    kind, pk = value[0], int(value[1:])
    if kind == "s":
        return Area("subdistrict", choices[value], list(visible.filter(subdistrict_id=pk).values_list("pk", flat=True)))
    return Area("community", choices[value], [pk])


def area_cases(user, area: Area) -> QuerySet[Case]:
    return policy.scope(user, Case.objects.all()).filter(community_id__in=area.community_ids)


@dataclass
class Dashboard:
    measures: case_selectors.Measures
    months: list[str]
    registered_by_month: list[int]
    closed_by_month: list[int]
    by_category: list[tuple[str, int]]
    by_status: list[tuple[str, str, int]]
    overdue: list[Case]
    overdue_count: int
    listed: list[Case]  # 区级挂牌督办: open cases escalated to the district
    hotspots: list
    parties: list[tuple[Organisation, case_selectors.Measures]]
    trend: list[dict]
    campaigns: list = field(default_factory=list)
    ledger_counters: list = field(default_factory=list)
    volunteer_hours: list = field(default_factory=list)


def _month_keys(period: Period) -> list[str]:
    keys, d = [], period.start_day.replace(day=1)
    while d <= period.end_day:
        keys.append(d.strftime("%Y-%m"))
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return keys


def dashboard(user, area: Area, period: Period, *, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries (no query per month, party or category)."""
    now = now or timezone.now()
    cases = area_cases(user, area)
    # The headline measures, registrations by month and by category: one aggregate query.
    breakdown = case_selectors.case_measures_breakdown(start=period.start, end=period.end, cases=cases)
    measures = breakdown.measures
    months = _month_keys(period)
    tz = timezone.get_current_timezone()
    registered = breakdown.registered_by_month
    closed = dict(
        (
            row["m"].astimezone(tz).strftime("%Y-%m") if timezone.is_aware(row["m"]) else row["m"].strftime("%Y-%m"),
            row["n"],
        )
        for row in cases.filter(closed_at__gte=period.start, closed_at__lt=period.end)
        .annotate(m=TruncMonth("closed_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
    )
    in_period = cases.filter(registered_at__gte=period.start, registered_at__lt=period.end).exclude(
        status__in=[Status.VOIDED, Status.MERGED]
    )
    counts = breakdown.registered_by_category
    by_name: dict[str, int] = {}
    for pk, name, name_en in Category.objects.filter(pk__in=list(counts)).values_list("pk", "name", "name_en"):
        label = localized(name, name_en)
        by_name[label] = by_name.get(label, 0) + counts[pk]
    by_category = sorted(by_name.items(), key=lambda pair: (-pair[1], pair[0]))[:12]
    labels = dict(Status.choices)
    by_status = [
        (row["status"], str(labels.get(row["status"], row["status"])), row["n"])
        for row in in_period.values("status").annotate(n=Count("id")).order_by("status")
    ]
    overdue_qs = cases.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    grouped = case_selectors.case_measures(start=period.start, end=period.end, cases=cases, group_by="organisation")
    organisations = Organisation.objects.in_bulk([k for k in grouped if k is not None])
    parties = sorted(
        ((organisations[k], m) for k, m in grouped.items() if k in organisations),
        key=lambda pair: (-(pair[1].on_time_rate or 0), -(pair[1].satisfaction_rate or 0), pair[0].name),
    )
    trend = _monthly_rates(cases, months, period)
    from youlin.ledgers.selectors import community_ledger_figures
    from youlin.volunteers.selectors import community_hours

    campaigns, counters = community_ledger_figures(area.community_ids)
    return Dashboard(
        measures=measures,
        months=months,
        registered_by_month=[registered.get(m, 0) for m in months],
        closed_by_month=[closed.get(m, 0) for m in months],
        by_category=by_category,
        by_status=by_status,
        overdue=list(overdue_qs.select_related("category", "community").order_by("deadline")[:20]),
        overdue_count=overdue_qs.count(),
        listed=list(
            overdue_qs.filter(supervision_level=SupervisionLevel.DISTRICT)
            .select_related("category", "community")
            .order_by("deadline")[:20]
        ),
        hotspots=case_selectors.recurrence_hotspots(cases=cases, min_count=4),
        parties=parties,
        trend=trend,
        campaigns=campaigns,
        ledger_counters=counters,
        volunteer_hours=community_hours(area.community_ids, period.start, period.end),
    )


def _monthly_rates(cases: QuerySet[Case], months: list[str], period: Period) -> list[dict]:
    """结案率, 按期结案率, 满意率 and 返工率 per month (the last twelve), all in one aggregate query."""
    keys, periods = [], []
    for key in months[-12:]:
        y, m = (int(x) for x in key.split("-"))
        start_day = max(date(y, m, 1), period.start_day)
        nxt = (date(y, m, 28) + timedelta(days=4)).replace(day=1)
        end_day = min(nxt - timedelta(days=1), period.end_day)
        p = Period(start_day, end_day)
        keys.append(key)
        periods.append((p.start, p.end))
    series = case_selectors.case_measures_series(periods=periods, cases=cases)
    return [
        {
            "month": key,
            "closure_rate": mm.closure_rate,
            "on_time_rate": mm.on_time_rate,
            "satisfaction_rate": mm.satisfaction_rate,
            "rework_rate": mm.rework_rate,
        }
        for key, mm in zip(keys, series, strict=True)
    ]


# ---------------------------------------------------------------- the map

STATUS_COLOURS = {
    "registered": "#6c757d",
    "returned": "#6c757d",
    "dispatched": "#0d6efd",
    "accepted": "#0d6efd",
    "in_progress": "#6f42c1",
    "reported_done": "#20c997",
    "verified": "#20c997",
    "closed": "#198754",
    "evaluated": "#198754",
}


def map_features(user, area: Area, period: Period, *, limit: int = 5000) -> dict:
    """Cases (coloured by status), grids, compounds, zones and recurrence hotspots as one FeatureCollection."""
    from youlin.places.models import Compound, Grid, Zone

    cases = (
        area_cases(user, area)
        .filter(registered_at__gte=period.start, registered_at__lt=period.end)
        .exclude(status__in=[Status.VOIDED, Status.MERGED])
    )
    features = []
    for c in cases.values("number", "lon", "lat", "status", "category__name", "category__name_en").order_by(
        "-registered_at"
    )[:limit]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                "properties": {
                    "layer": "case",
                    "name": f"{c['number']} {localized(c['category__name'], c['category__name_en'])}",
                    "status": c["status"],
                    "colour": STATUS_COLOURS.get(c["status"], "#333"),
                    "number": c["number"],
                },
            }
        )
    for model, layer in ((Grid, "grid"), (Compound, "compound"), (Zone, "zone")):
        for name, geometry in model.objects.filter(community_id__in=area.community_ids).values_list("name", "geometry"):
            if geometry:
                features.append({"type": "Feature", "geometry": geometry, "properties": {"layer": layer, "name": name}})
    for community in Community.objects.filter(pk__in=area.community_ids).only("name", "geometry"):
        if community.geometry:
            features.append(
                {
                    "type": "Feature",
                    "geometry": community.geometry,
                    "properties": {"layer": "community", "name": community.name},
                }
            )
    for h in case_selectors.recurrence_hotspots(cases=area_cases(user, area), min_count=3):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [h.root.lon, h.root.lat]},
                "properties": {"layer": "hotspot", "name": f"{h.root.category.label} ×{h.count}", "count": h.count},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------- public pages (no personal data)


@dataclass
class FixedCase:
    number: str
    category: str
    place: str
    closed_at: datetime
    days: float
    before: list
    after: list
    satisfaction: str


def recently_fixed(community: Community, *, limit: int = 12) -> list[FixedCase]:
    """Closed cases with their before/after photos; the place is the compound or building, never a home."""
    rows = list(
        Case.objects.filter(community=community, status__in=CLOSED_STATUSES)
        .select_related("category", "compound", "building")
        .order_by("-closed_at")[:limit]
    )
    photos = case_selectors.case_photos_for([c.pk for c in rows])
    result = []
    for c in rows:
        place = c.compound.name if c.compound_id else community.name
        if c.building_id:
            place += c.building.name
        got = {
            "before": [row.photo for row in photos[c.pk].before],
            "after": [row.photo for row in photos[c.pk].after],
        }
        result.append(
            FixedCase(
                number=c.number,
                category=c.category.label,
                place=place,
                closed_at=c.closed_at,
                days=(c.closed_at - c.registered_at).total_seconds() / 86400,
                before=got["before"],
                after=got["after"],
                satisfaction=c.get_satisfaction_display() if c.satisfaction else "",
            )
        )
    return result


def bulletins_published(community_ids, *, since=None, until=None, limit: int = 100) -> list:
    """Published bulletins covering any of these communities, published in (since, until], newest first (for
    public feeds and area alerts). One query."""
    from youlin.dashboards.models import Bulletin

    qs = Bulletin.objects.filter(communities__in=list(community_ids), status=Bulletin.Status.PUBLISHED)
    if since is not None:
        qs = qs.filter(published_at__gt=since)
    if until is not None:
        qs = qs.filter(published_at__lte=until)
    return list(qs.distinct().order_by("-published_at", "-id")[:limit])


def public_counts(community: Community, since: datetime | None = None) -> dict:
    cases = Case.objects.filter(community=community).exclude(status__in=[Status.VOIDED, Status.MERGED])
    if since is not None:
        cases = cases.filter(registered_at__gte=since)
    return cases.aggregate(
        registered=Count("id"),
        closed=Count("id", filter=Q(status__in=CLOSED_STATUSES)),
        satisfied=Count("id", filter=Q(satisfaction="satisfied")),
    )
