"""Reads about cases that encode a rule: routing, duplicates and recurrence, visibility, and the measures."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from youlin.access import policy
from youlin.cases import categories as category_data
from youlin.cases import workdays
from youlin.cases.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseExtension,
    CaseFollower,
    CasePhoto,
    CaseSupport,
    Category,
    PlaceKind,
    RoutingRule,
    Satisfaction,
    Status,
)
from youlin.cases.permissions import Standing, is_overdue, permits, reopen_window_open
from youlin.cases.routing_cache import routing_cache
from youlin.cases.steps import STEPS
from youlin.parties.models import Membership, Organisation, Responsibility
from youlin.parties.selectors import ResponsibleParties, responsible_for
from youlin.places.selectors import Location

Duty = Responsibility.Duty

# ---------------------------------------------------------------- time limits


@dataclass(frozen=True)
class TimeLimit:
    urgency: str
    limit: workdays.Limit

    def deadline(self, start: datetime) -> datetime:
        return workdays.add(start, self.limit)


def category_time_limit(category: Category, subdistrict_id: int | None, *, urgency: str | None = None) -> TimeLimit:
    """The sub-district's own limit for the category where it set one, else the category's default. With an
    ``urgency`` other than the category's (staff judged it more or less pressing), that urgency's usual limit.
    The sub-districts' own limits are kept per process (``routing_cache``)."""
    own = routing_cache().own_limit(category.pk, subdistrict_id) if subdistrict_id else None
    if own:
        found = TimeLimit(urgency=own[0], limit=workdays.Limit(own[1], own[2]))
    else:
        found = TimeLimit(category.urgency, workdays.Limit(category.time_limit, category.time_limit_unit))
    if urgency is not None and urgency != found.urgency:
        return TimeLimit(urgency, workdays.Limit(*category_data.LIMITS[urgency]))
    return found


# ---------------------------------------------------------------- distance


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance in metres: exact enough within a city (the same frame as places.geo)."""
    kx = 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * 110_540.0)


def _box(lon: float, lat: float, radius_m: float) -> Q:
    dlat = radius_m / 110_540.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 1e-6))
    return Q(lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat)


def _within(rows, lon: float, lat: float, radius_m: float) -> list[Case]:
    """Keep rows within the radius (the box pre-filter already ran in SQL) and sort them nearest first."""
    found = []
    for case in rows:
        case.distance_m = distance_m(lon, lat, case.lon, case.lat)
        if case.distance_m <= radius_m:
            found.append(case)
    found.sort(key=lambda c: (c.distance_m, -c.pk))
    return found


def nearby_open_cases(category: Category, lon: float, lat: float, radius_m: float | None = None) -> list[Case]:
    """Open cases of the same category within ``radius_m`` metres, nearest first (one query): duplicates to
    offer a reporter before they file a new case. The radius defaults to YOULIN_DUPLICATE_RADIUS_M."""
    if radius_m is None:
        radius_m = settings.YOULIN_DUPLICATE_RADIUS_M
    rows = Case.objects.filter(_box(lon, lat, radius_m), category=category, status__in=OPEN_STATUSES).select_related(
        "category", "community"
    )
    return _within(rows, lon, lat, radius_m)


def recurrence_root(category: Category, lon: float, lat: float, *, since: datetime, radius_m: float = 50):
    """The case a new report at this point would be a recurrence (反弹) of: the first case of the chain of the
    most recently closed case of the same category within the radius since ``since``, as (id, number); or None.
    One query reading ids, points and dates only (registration runs it on every report)."""
    rows = Case.objects.filter(
        _box(lon, lat, radius_m), category=category, status__in=CLOSED_STATUSES, closed_at__gte=since
    ).values_list("pk", "lon", "lat", "closed_at", "number", "recurrence_of_id", "recurrence_of__number")
    near = [r for r in rows if distance_m(lon, lat, r[1], r[2]) <= radius_m]
    if not near:
        return None
    latest = max(near, key=lambda r: (r[3], -distance_m(lon, lat, r[1], r[2]), r[0]))
    return (latest[5], latest[6]) if latest[5] else (latest[0], latest[4])


def recently_closed_nearby(
    category: Category, lon: float, lat: float, *, since: datetime, radius_m: float = 50
) -> list[Case]:
    """Cases of the same category closed since ``since`` within the radius, most recently closed first."""
    rows = Case.objects.filter(
        _box(lon, lat, radius_m), category=category, status__in=CLOSED_STATUSES, closed_at__gte=since
    )
    found = _within(rows, lon, lat, radius_m)
    found.sort(key=lambda c: c.closed_at, reverse=True)
    return found


@dataclass
class Hotspot:
    root: Case
    count: int  # the first case and every recurrence of it
    last_registered_at: datetime


def recurrence_hotspots(community=None, min_count: int = 3, *, cases: QuerySet[Case] | None = None) -> list[Hotspot]:
    """Places where the same problem keeps coming back (屡次反弹): a first case with its recurrences, when the
    chain holds at least ``min_count`` cases. Every recurrence points at the first case of its chain, so this
    is one grouped query plus one to fetch the first cases. Pass ``cases`` (e.g. a user's visible cases)
    instead of a community to look across a jurisdiction."""
    base = cases if cases is not None else Case.objects.filter(community=community)
    groups = (
        base.filter(recurrence_of__isnull=False)
        .values("recurrence_of")
        .annotate(n=Count("id"), last=Max("registered_at"))
        .filter(n__gte=max(min_count - 1, 1))
        .order_by("-n", "recurrence_of")
    )
    groups = list(groups)
    roots = Case.objects.select_related("category", "community", "compound").in_bulk(
        [g["recurrence_of"] for g in groups]
    )
    return [Hotspot(root=roots[g["recurrence_of"]], count=g["n"] + 1, last_registered_at=g["last"]) for g in groups]


# ---------------------------------------------------------------- routing


@dataclass
class Routing:
    """Who a new case goes to, and why."""

    organisations: list[Organisation] = field(default_factory=list)
    duty: str = ""
    rule: RoutingRule | None = None
    place_kind: str = PlaceKind.PUBLIC
    fallback: bool = False
    parties: ResponsibleParties | None = None

    @property
    def is_joint(self) -> bool:
        return len(self.organisations) > 1


def place_kinds(location: Location) -> list[str]:
    """The kinds of place a point is, most specific first (a point outside every compound is public)."""
    kinds = []
    if location.building is not None:
        kinds.append(PlaceKind.BUILDING)
    if location.zone is not None:
        kinds.append(PlaceKind.ZONE)
    if location.compound is not None:
        kinds.append(PlaceKind.COMPOUND)
    if location.compound is None and location.building is None:
        kinds.append(PlaceKind.PUBLIC)
    return kinds


_PLACE_RANK = {PlaceKind.BUILDING: 0, PlaceKind.ZONE: 1, PlaceKind.COMPOUND: 2, PlaceKind.PUBLIC: 3, PlaceKind.ANY: 4}


def _rule_fits(rule: RoutingRule, category: Category, community_id: int, kinds: set[str]) -> bool:
    return (
        (rule.community_id is None or rule.community_id == community_id)
        and (
            rule.category_id == category.pk
            or (rule.category_major != "" and rule.category_major == category.major_code)
            or (rule.category_id is None and rule.category_major == "")
        )
        and rule.place_kind in kinds
    )


def applicable_rules(category: Category, location: Location, *, cache=None) -> list[RoutingRule]:
    """Active rules that fit the category and place, in the order they are tried: the most specific category
    first (the code, then its major class, then any), then the most specific place, then the community's own
    rule over a district default, then priority. The rules are kept per process (``routing_cache``)."""
    kinds = {*place_kinds(location), PlaceKind.ANY}
    rules = [r for r in (cache or routing_cache()).rules if _rule_fits(r, category, location.community.pk, kinds)]

    def rank(rule: RoutingRule):
        category_rank = 0 if rule.category_id else (1 if rule.category_major else 2)
        return (category_rank, _PLACE_RANK[rule.place_kind], rule.community_id is None, rule.priority, rule.pk)

    return sorted(rules, key=rank)


def urban_management_offices(community) -> list[Organisation]:
    """The urban-management office answering for a community: its own, else its sub-district's."""
    rows = (
        Organisation.objects.filter(responsibilities__duty=Duty.URBAN_MANAGEMENT)
        .filter(Q(responsibilities__community=community) | Q(responsibilities__subdistrict_id=community.subdistrict_id))
        .annotate(own=Count("responsibilities", filter=Q(responsibilities__community=community)))
        .order_by("-own", "name")
    )
    rows = list(rows)
    own = [o for o in rows if o.own]
    return own[:1] or rows[:1]


def _parties(cache, location: Location) -> ResponsibleParties:
    """Who answers for the located place, kept per process (without grid workers: routing does not read them)."""
    compound_id = location.compound.pk if location.compound is not None else None
    if compound_id is None and location.building is not None:
        compound_id = location.building.compound_id
    key = (
        compound_id,
        location.building.pk if location.building else None,
        location.zone.pk if location.zone else None,
    )
    found = cache.parties.get(key)
    if found is None:
        found = cache.remember(
            cache.parties,
            key,
            responsible_for(compound=location.compound, building=location.building, zone=location.zone),
        )
    return found


def _offices(cache, community) -> list[Organisation]:
    found = cache.offices.get(community.pk)
    if found is None:
        found = cache.remember(cache.offices, community.pk, urban_management_offices(community))
    return found


def route(*, category: Category, location: Location) -> Routing:
    """Apply the routing rules to a located point. Several parties of the chosen duty (a shared courtyard)
    means a joint dispatch; nobody found means the urban-management office (fallback). On a warm cache this
    reads nothing but the routing revision."""
    cache = routing_cache()
    parties = _parties(cache, location)
    kinds = place_kinds(location)
    for rule in applicable_rules(category, location, cache=cache):
        if rule.duty == Duty.URBAN_MANAGEMENT:
            organisations = list(_offices(cache, location.community))
        else:
            organisations = parties.of_duty(rule.duty)
        if organisations:
            place_kind = rule.place_kind if rule.place_kind != PlaceKind.ANY else kinds[0]
            return Routing(
                organisations=organisations, duty=rule.duty, rule=rule, place_kind=place_kind, parties=parties
            )
    return Routing(
        organisations=list(_offices(cache, location.community)),
        duty=Duty.URBAN_MANAGEMENT,
        place_kind=kinds[0],
        fallback=True,
        parties=parties,
    )


# ---------------------------------------------------------------- visibility and lists


def cases_visible(user, *, action: str = policy.VIEW) -> QuerySet[Case]:
    """The cases a user may see (or change): the permission layer's answer, nothing else."""
    return policy.scope(user, Case.objects.all(), action)


def case_list(
    user,
    *,
    community=None,
    status: str | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[Case]:
    """A page of visible cases, newest first, keyset-paginated on (registered_at, id): pass the last row's
    (registered_at, id) as ``after`` for the next page. One query."""
    qs = cases_visible(user).select_related("category", "community", "compound", "building")
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    if after is not None:
        at, pk = after
        # The redundant bound lets the database range-scan the (registered_at, id) index from the cursor.
        qs = qs.filter(registered_at__lte=at).filter(Q(registered_at__lt=at) | Q(id__lt=pk))
    return list(qs.order_by("-registered_at", "-id")[:limit])


def case_timeline(case: Case):
    return case.events.select_related("actor").order_by("at", "id")


def overdue_cases(community, *, now: datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return Case.objects.filter(community=community, status__in=OPEN_STATUSES, deadline__lt=now).order_by("deadline")


def new_cases_in(
    community_ids, *, since: datetime | None = None, until: datetime | None = None, limit: int = 100
) -> list[Case]:
    """Cases registered in these communities in (since, until], newest first, for public feeds and area alerts:
    with their category, compound, building and grid (a caller shows no personal data: no reporter, no
    description, no address typed by a person). Voided and merged cases are left out. One query."""
    qs = Case.objects.filter(community_id__in=list(community_ids)).exclude(status__in=[Status.VOIDED, Status.MERGED])
    if since is not None:
        qs = qs.filter(registered_at__gt=since)
    if until is not None:
        qs = qs.filter(registered_at__lte=until)
    return list(
        qs.select_related("category", "community", "compound", "building", "grid").order_by("-registered_at", "-id")[
            :limit
        ]
    )


# ---------------------------------------------------------------- what a user may do


class StepOffer:
    """What the table of steps asks before the case page offers a step (``Step.offered``), each fact fetched only
    when a step asks for it."""

    def __init__(self, user, case: Case, standing: Standing, now: datetime):
        self.user = user
        self.case = case
        self.standing = standing
        self.now = now

    @property
    def overdue(self) -> bool:
        return is_overdue(self.case, self.now)

    @property
    def reopen_window_open(self) -> bool:
        return reopen_window_open(self.case, self.now)

    @cached_property
    def pending_extension(self) -> bool:
        return self.case.extensions.filter(status=CaseExtension.Status.PENDING).exists()

    @cached_property
    def supported(self) -> bool:
        return CaseSupport.objects.filter(case_id=self.case.pk, user_id=self.user.pk).exists()


def available_actions(user, case: Case, *, token: str | None = None) -> list[str]:
    """The actions (from ``steps.STEPS``, in that order) this user may take on this case now: the status allows
    the step, the user's role allows it (the same ``permits`` the services check), and the case meets the step's
    other conditions (``Step.offered``: something to dispatch to, overdue for ``supervise``, within 30 days for
    ``reopen``, a pending request for ``extension_decide`` and none for ``extension_request``, not yet supported
    for ``support``). ``token`` is a reporter's tracking token.

    At most four queries besides the user's jurisdiction (cached on the user): the assignments, the grid
    workers, the pending extension and the user's support, each only when an action needs it.
    """
    standing = Standing(user, case, token=token)
    offer = StepOffer(user, case, standing, timezone.now())
    actions = []
    for action, step in STEPS.items():
        if case.status not in step.from_statuses or permits(standing, action) is None:
            continue
        if step.offered is not None and not step.offered(offer):
            continue
        actions.append(action)
    return actions


def pending_extensions(case: Case) -> list[CaseExtension]:
    return list(case.extensions.filter(status=CaseExtension.Status.PENDING).order_by("pk"))


def pending_extension(case: Case, pk: int) -> CaseExtension | None:
    return CaseExtension.objects.filter(pk=pk, case_id=case.pk).first()


def reroute_choices(case: Case) -> list[Organisation]:
    """The organisations staff may route a case to: those of its community and of its sub-district."""
    community = case.community
    return list(
        Organisation.objects.filter(Q(community_id=community.pk) | Q(subdistrict_id=community.subdistrict_id)).order_by(
            "kind", "name"
        )
    )


class CasePhotos(NamedTuple):
    """A case's photos for its page: the problem (before) and the work done (after), each oldest first."""

    before: list[CasePhoto]
    after: list[CasePhoto]


def case_photo_pairs(case: Case) -> CasePhotos:
    """Before and after photos of a case, with their ``photo`` loaded (one query)."""
    before: list[CasePhoto] = []
    after: list[CasePhoto] = []
    for row in CasePhoto.objects.filter(case_id=case.pk).select_related("photo").order_by("created_at", "id"):
        (before if row.kind == CasePhoto.Kind.BEFORE else after).append(row)
    return CasePhotos(before, after)


def is_following(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return CaseFollower.objects.filter(case_id=case.pk, user_id=user.pk).exists()


def member_user_ids(organisation_ids: Iterable[int]) -> dict[int, set[int]]:
    """The active login accounts of each organisation's people (one query)."""
    organisation_ids = list(organisation_ids)
    result: dict[int, set[int]] = {}
    if not organisation_ids:
        return result
    rows = Membership.objects.filter(
        organisation_id__in=organisation_ids, person__user__isnull=False, person__user__is_active=True
    ).values_list("organisation_id", "person__user_id")
    for organisation_id, user_id in rows:
        result.setdefault(organisation_id, set()).add(user_id)
    return result


def followers_of(organisation_ids: Iterable[int]) -> set[int]:
    """The active login accounts of these organisations' people, who follow a new case routed to them; kept per
    process (``routing_cache``): one query for the organisations not seen yet, none on a warm cache."""
    cache = routing_cache()
    result: set[int] = set()
    missing = []
    for pk in organisation_ids:
        hit = cache.members.get(pk)
        if hit is None:
            missing.append(pk)
        else:
            result |= hit
    if missing:
        found = member_user_ids(missing)
        for pk in missing:
            users = cache.remember(cache.members, pk, frozenset(found.get(pk, ())))
            result |= users
    return result


def case_audience(case: Case, *, managers: bool = False) -> list:
    """Who is told about a step: the case's active followers, and with ``managers`` the staff and secretary of
    its community (one query, however many they are)."""
    condition = Q(followed_cases__case_id=case.pk)
    if managers:
        staff = Q(person__memberships__role__in=policy.MANAGE_ROLES)
        condition |= staff & (
            Q(person__memberships__community_id=case.community_id)
            | Q(
                person__memberships__community__isnull=True,
                person__memberships__organisation__community_id=case.community_id,
            )
        )
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


def cases_due_for_supervision(now: datetime, *, limit: int = 500) -> list[Case]:
    """Open cases past their deadline that may be due a higher level of 督办 (one query), most overdue first.
    Working time never runs faster than the clock, so a case can be due level L only once its deadline is at
    least L's threshold of calendar days behind; the service checks the working days exactly."""
    due = Q()
    for level, threshold in enumerate(settings.YOULIN_SUPERVISION_DAYS, start=1):
        due |= Q(supervision_level=level - 1, deadline__lte=now - timedelta(days=threshold))
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now)
        .filter(due)
        .select_related("category", "community")
        .order_by("deadline", "id")[:limit]
    )


def supervision_audience(case: Case, level: int) -> list:
    """Who a level of 督办 tells (one query): the case's followers and the handling unit's people; from the
    community level its staff and secretary, from the sub-district level its officers, at the district level the
    district's administrators."""
    from youlin.cases.models import SupervisionLevel

    condition = Q(followed_cases__case_id=case.pk) | Q(
        person__memberships__organisation__case_assignments__case_id=case.pk
    )
    if level >= SupervisionLevel.COMMUNITY:
        staff = Q(person__memberships__role__in=policy.MANAGE_ROLES)
        condition |= staff & (
            Q(person__memberships__community_id=case.community_id)
            | Q(
                person__memberships__community__isnull=True,
                person__memberships__organisation__community_id=case.community_id,
            )
        )
    if level >= SupervisionLevel.SUBDISTRICT:
        subdistrict = case.community.subdistrict_id
        condition |= Q(person__memberships__role="subdistrict_officer") & (
            Q(person__memberships__subdistrict_id=subdistrict)
            | Q(person__memberships__organisation__subdistrict_id=subdistrict)
        )
    if level >= SupervisionLevel.DISTRICT:
        condition |= Q(is_superuser=True)
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


@dataclass(frozen=True)
class SupervisedCase:
    case: Case
    days_overdue: int


def supervised_cases(user, level: int, *, now: datetime | None = None, limit: int = 200) -> list[SupervisedCase]:
    """The 督办 list of one level: open cases the user sees that are at that level, oldest deadline first, with
    the working days each is overdue."""
    now = now or timezone.now()
    rows = (
        policy.scope(user, Case.objects.all())
        .filter(status__in=OPEN_STATUSES, supervision_level=level)
        .select_related("category", "community", "compound", "building")
        .order_by("deadline", "id")[:limit]
    )
    return [SupervisedCase(c, workdays.working_days_overdue(c.deadline, now)) for c in rows]


def supervision_counts(user) -> dict[int, int]:
    """How many open cases the user sees at each level of 督办 (one query)."""
    rows = (
        policy.scope(user, Case.objects.all())
        .filter(status__in=OPEN_STATUSES, supervision_level__gt=0)
        .values("supervision_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["supervision_level"]: r["n"] for r in rows}


# ---------------------------------------------------------------- measures

DEFAULT_WEIGHTS = (10, 50, 40)  # response, resolution, satisfaction
BASICALLY_SATISFIED_WEIGHT = 0.9

GROUPS = {
    "subdistrict": "community__subdistrict",
    "community": "community",
    "grid": "grid",
    "organisation": "assignments__organisation",
    "category": "category",
    "category_major": "category__major_code",
}


@dataclass
class Measures:
    """The measures of the digital urban-management loop and of Beijing's 12345 for one period [start, end).

    Digital urban management:
    - ``registered_count`` 立案数: cases registered in the period (voided and merged ones are not cases).
    - ``closed_count`` 结案数: cases closed in the period (a reopened case is not closed until closed again).
    - ``due_count`` 应结案数 = 结案数 + cases whose deadline fell in the period and that were not closed by its
      end (应结未结).
    - ``closure_rate`` 结案率 = closed_count / due_count.
    - ``on_time_rate`` 按期结案率 = cases closed in the period by their deadline / due_count.
    - ``rework_rate`` 返工率 = cases closed in the period that failed verification at least once / closed_count.

    Beijing 12345, over the valid follow-up visits (回访 that reached the caller; each case counts once, in the
    period of its latest valid visit; see ``services.visits``):
    - ``response_rate`` 响应率 = visits answering "responded" / visits;
    - ``resolution_rate`` 解决率 = visits answering "resolved" / visits;
    - ``satisfaction_rate`` 满意率 = (satisfied + w × basically satisfied) / visits, w = 0.9 by default;
    - ``score`` 综合得分 = 10 × 响应率 + 50 × 解决率 + 40 × 满意率 (weights configurable), out of 100.
    - ``unvisited_count`` 未回访: cases closed in the period with no valid visit since that closing.

    A rate with an empty denominator is ``None`` (nothing to measure), never 0.
    """

    registered_count: int = 0
    closed_count: int = 0
    closed_on_time_count: int = 0
    due_open_count: int = 0
    rework_closed_count: int = 0
    visit_count: int = 0
    unvisited_count: int = 0
    responded_count: int = 0
    resolved_count: int = 0
    satisfied_count: int = 0
    basically_satisfied_count: int = 0
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS

    @property
    def due_count(self) -> int:
        return self.closed_count + self.due_open_count

    @staticmethod
    def _rate(numerator: float, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    @property
    def closure_rate(self) -> float | None:
        return self._rate(self.closed_count, self.due_count)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.closed_on_time_count, self.due_count)

    @property
    def rework_rate(self) -> float | None:
        return self._rate(self.rework_closed_count, self.closed_count)

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded_count, self.visit_count)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved_count, self.visit_count)

    @property
    def satisfaction_rate(self) -> float | None:
        weighted = self.satisfied_count + self.basically_satisfied_weight * self.basically_satisfied_count
        return self._rate(weighted, self.visit_count)

    @property
    def score(self) -> float | None:
        if not self.visit_count:
            return None
        w_response, w_resolution, w_satisfaction = self.weights
        return (
            w_response * self.response_rate
            + w_resolution * self.resolution_rate
            + w_satisfaction * self.satisfaction_rate
        )


def _measure_aggregates(start: datetime, end: datetime, *, distinct: bool) -> dict:
    """COUNT(DISTINCT) only where a to-many join can repeat a case (grouping by responsible party): a plain
    COUNT spares PostgreSQL a sort per measure."""
    counted = ~Q(status__in=[Status.VOIDED, Status.MERGED])
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    visited = Q(evaluated_at__gte=start, evaluated_at__lt=end)
    return {
        "registered_count": Count(
            "id", filter=counted & Q(registered_at__gte=start, registered_at__lt=end), distinct=distinct
        ),
        "closed_count": Count("id", filter=closed, distinct=distinct),
        "closed_on_time_count": Count("id", filter=closed & Q(closed_at__lte=F("deadline")), distinct=distinct),
        "due_open_count": Count(
            "id",
            filter=counted
            & Q(deadline__gte=start, deadline__lt=end)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
            distinct=distinct,
        ),
        "rework_closed_count": Count("id", filter=closed & Q(rework_count__gt=0), distinct=distinct),
        "visit_count": Count("id", filter=visited, distinct=distinct),
        "unvisited_count": Count(
            "id",
            filter=closed & (Q(evaluated_at__isnull=True) | Q(evaluated_at__lt=F("closed_at"))),
            distinct=distinct,
        ),
        "responded_count": Count("id", filter=visited & Q(responded=True), distinct=distinct),
        "resolved_count": Count("id", filter=visited & Q(resolved=True), distinct=distinct),
        "satisfied_count": Count("id", filter=visited & Q(satisfaction=Satisfaction.SATISFIED), distinct=distinct),
        "basically_satisfied_count": Count(
            "id", filter=visited & Q(satisfaction=Satisfaction.BASICALLY_SATISFIED), distinct=distinct
        ),
    }


def case_measures(
    *,
    start: datetime,
    end: datetime,
    cases: QuerySet[Case] | None = None,
    group_by: str | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> Measures | dict[int | str | None, Measures]:
    """The measures of ``cases`` (default: all; pass a scoped queryset for a user) for [start, end).

    ``group_by`` is one of community, grid, organisation (the responsible party), category or category_major;
    then the answer maps each group's key (an id, or the major code) to its measures. One aggregate query
    either way. See ``Measures`` for the definitions.
    """
    qs = Case.objects.all() if cases is None else cases
    touched = (
        Q(registered_at__gte=start, registered_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
        | Q(deadline__gte=start, deadline__lt=end)
        | Q(evaluated_at__gte=start, evaluated_at__lt=end)
    )
    qs = qs.filter(touched).order_by()
    # No COUNT(DISTINCT) even when grouping by responsible party: (case, organisation) is unique, and a
    # permission-scoped queryset filters by subquery, never by a to-many join that would repeat a case.
    aggregates = _measure_aggregates(start, end, distinct=False)
    options = {"weights": weights, "basically_satisfied_weight": basically_satisfied_weight}
    if group_by is None:
        return Measures(**qs.aggregate(**aggregates), **options)
    try:
        path = GROUPS[group_by]
    except KeyError:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}") from None
    rows = qs.values(path).annotate(**aggregates).order_by(path)
    return {row.pop(path): Measures(**row, **options) for row in rows}


@dataclass
class MeasuresBreakdown:
    """The measures of a period with the cases registered in it by category and by local month (what a
    dashboard's headline, category chart and monthly bars show), from ONE aggregate query."""

    measures: Measures
    registered_by_category: dict[int, int]  # category id → cases registered in the period (not voided/merged)
    registered_by_month: dict[str, int]  # "YYYY-MM" (local) → the same, by month of registration


def case_measures_breakdown(
    *,
    start: datetime,
    end: datetime,
    cases: QuerySet[Case] | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> MeasuresBreakdown:
    """``case_measures`` for [start, end) and the registrations by category and by month, in one query: the
    measures' aggregates grouped by (category, local month of registration), summed here three ways (a few
    hundred groups). Same definitions as ``case_measures``."""
    from django.db.models import Case as Case_
    from django.db.models import DateTimeField, When
    from django.db.models.functions import TruncMonth

    tz = timezone.get_current_timezone()
    qs = Case.objects.all() if cases is None else cases
    touched = (
        Q(registered_at__gte=start, registered_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
        | Q(deadline__gte=start, deadline__lt=end)
        | Q(evaluated_at__gte=start, evaluated_at__lt=end)
    )
    aggregates = _measure_aggregates(start, end, distinct=False)
    # The month only of cases registered in the period (the others, closed or visited in it, share one group
    # per category): a few hundred groups, not one per month a case was ever registered in.
    month = Case_(
        When(registered_at__gte=start, registered_at__lt=end, then=TruncMonth("registered_at", tzinfo=tz)),
        default=None,
        output_field=DateTimeField(),
    )
    rows = qs.filter(touched).annotate(month=month).values("category_id", "month").annotate(**aggregates).order_by()
    # The rows straight from the cursor: a few hundred groups need no per-row conversion by the ORM.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        found = cursor.fetchall()
    at = {name: i for i, name in enumerate(names)}
    columns = [(name, at[name]) for name in aggregates]
    category_at, month_at, registered_at = at["category_id"], at["month"], at["registered_count"]
    totals = dict.fromkeys(aggregates, 0)
    by_category: dict[int, int] = {}
    by_month: dict[str, int] = {}
    for row in found:
        for name, i in columns:
            totals[name] += row[i]
        n, month = row[registered_at], row[month_at]
        if n and month is not None:
            # A local month: naive from PostgreSQL (AT TIME ZONE), text from SQLite.
            key = month[:7] if isinstance(month, str) else month.strftime("%Y-%m")
            by_category[row[category_at]] = by_category.get(row[category_at], 0) + n
            by_month[key] = by_month.get(key, 0) + n
    measures = Measures(**totals, weights=weights, basically_satisfied_weight=basically_satisfied_weight)
    return MeasuresBreakdown(measures, by_category, by_month)


def case_measures_series(
    *,
    periods: list[tuple[datetime, datetime]],
    cases: QuerySet[Case] | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> list[Measures]:
    """The measures for each of several periods (e.g. the months of a trend) in ONE aggregate query: each
    period's counts are FILTERed aggregates over a single scan. Same definitions as ``case_measures``."""
    if not periods:
        return []
    qs = Case.objects.all() if cases is None else cases
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    touched = (
        Q(registered_at__gte=first, registered_at__lt=last)
        | Q(closed_at__gte=first, closed_at__lt=last)
        | Q(deadline__gte=first, deadline__lt=last)
        | Q(evaluated_at__gte=first, evaluated_at__lt=last)
    )
    aggregates = {}
    for i, (start, end) in enumerate(periods):
        for name, expression in _measure_aggregates(start, end, distinct=False).items():
            aggregates[f"p{i}_{name}"] = expression
    row = qs.filter(touched).order_by().aggregate(**aggregates)
    options = {"weights": weights, "basically_satisfied_weight": basically_satisfied_weight}
    result = []
    for i in range(len(periods)):
        prefix = f"p{i}_"
        result.append(Measures(**{k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}, **options))
    return result


def case_photos_for(case_ids: Iterable[int]) -> dict[int, CasePhotos]:
    """Before and after photos of several cases at once (one query), e.g. for a project's page."""
    result: dict[int, CasePhotos] = {}
    case_ids = list(case_ids)
    for pk in case_ids:
        result[pk] = CasePhotos([], [])
    rows = CasePhoto.objects.filter(case_id__in=case_ids).select_related("photo").order_by("created_at", "id")
    for row in rows:
        pair = result[row.case_id]
        (pair.before if row.kind == CasePhoto.Kind.BEFORE else pair.after).append(row)
    return result


# ---------------------------------------------------------------- the pages' reads


def active_category(pk) -> Category | None:
    """An active category by id, from the per-process cache (``routing_cache``; shared: read, never change)."""
    try:
        return routing_cache().category(int(pk))
    except (TypeError, ValueError):
        return None


def active_matter(code: str) -> Category | None:
    """An active matter category by code (an Open311 service), from the per-process cache."""
    return routing_cache().matter(code)


def category_groups() -> dict[str, list[Category]]:
    """The intake forms' category list: local community codes first (the everyday ones), then the standard by
    major class."""
    from django.utils.translation import gettext as _

    groups: dict[str, list[Category]] = {}
    for c in Category.objects.filter(is_active=True).order_by("-is_local", "kind", "code"):
        groups.setdefault(_("社区常用") if c.is_local else f"{c.major_code} {c.major_label}", []).append(c)
    return groups


def category_by_code(code: str, kind: str = "matter") -> Category | None:
    return Category.objects.filter(code=code, kind=kind, is_active=True).first()


def building_choices(community_id: int) -> list[tuple[int, str]]:
    from youlin.places.models import Building

    rows = Building.objects.filter(compound__community_id=community_id).select_related("compound")
    return [(b.pk, f"{b.compound.name}{b.name}") for b in rows.order_by("compound__name", "name")]


def building_point(pk: int, *, community_id: int | None = None) -> tuple[float, float] | None:
    """A point inside the building (for a case placed by choosing its building), or None."""
    from youlin.places.geo import shape_from_geojson
    from youlin.places.models import Building

    buildings = Building.objects.filter(pk=pk)
    if community_id is not None:
        buildings = buildings.filter(compound__community_id=community_id)
    building = buildings.first()
    if building is None or not building.geometry:
        return None
    centre = shape_from_geojson(building.geometry).representative_point()
    return centre.x, centre.y


def case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number).first()


def case_by_token(token: str, *, number: str | None = None) -> Case | None:
    """The case a tracking token opens (the reporter's key), with what its page shows."""
    cases = Case.objects.select_related("category", "community__subdistrict", "compound", "building").filter(
        tracking_token=token
    )
    if number is not None:
        cases = cases.filter(number=number)
    return cases.first()


def case_assignments(case: Case) -> list:
    return list(case.assignments.select_related("organisation"))


def case_list_choices(user) -> dict:
    """The case list's filter choices within what the user sees: communities, their categories in use, grids (for
    fewer than 20 communities) and the organisations cases were routed to."""
    communities = list(policy.visible_communities(user).order_by("code"))
    community_ids = [c.pk for c in communities]
    return {
        "communities": communities,
        "categories": Category.objects.filter(cases__community_id__in=community_ids).distinct().order_by("code"),
        "grids": [g for c in communities for g in c.grids.all()] if len(communities) < 20 else [],
        "organisations": Organisation.objects.filter(case_assignments__case__community_id__in=community_ids)
        .distinct()
        .order_by("name"),
    }


def task_sections(user, *, limit: int = 50) -> list[tuple[str, list[Case]]]:
    """My tasks: what waits for this user, by role (dispatch, accept, verify, close, my reports), earliest
    deadline first."""
    from django.utils.translation import gettext as _

    j = policy.jurisdiction_of(user)
    visible = policy.scope(user, Case.objects.all()).select_related("category", "community", "compound", "building")
    buckets = []
    if j.everything or j.manage_community_ids:
        manage = visible if j.everything else visible.filter(community_id__in=j.manage_community_ids)
        buckets.append((_("待派遣"), manage.filter(status__in=[Status.REGISTERED, Status.RETURNED])))
        buckets.append((_("待结案"), manage.filter(status=Status.VERIFIED)))
        buckets.append((_("已超期"), manage.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())))
        buckets.append((_("待审批延期"), manage.filter(extensions__status=CaseExtension.Status.PENDING).distinct()))
    if j.organisation_ids:
        mine = visible.filter(assignments__organisation_id__in=j.organisation_ids).distinct()
        buckets.append((_("待接单"), mine.filter(status=Status.DISPATCHED)))
        buckets.append((_("处置中"), mine.filter(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])))
    if "grid_worker" in j.roles:
        buckets.append(
            (_("待核查"), visible.filter(community_id__in=j.view_community_ids, status=Status.REPORTED_DONE))
        )
    if j.person_id:
        mine = visible.filter(Q(reporter_id=j.person_id) | Q(registered_by=user)).filter(status__in=OPEN_STATUSES)
        buckets.append((_("我上报的"), mine))
    return [(title, list(qs.order_by("deadline")[:limit])) for title, qs in buckets]


def open_overdue_count(now: datetime | None = None) -> int:
    """Open cases past their deadline, across the deployment (the metrics' overdue gauge). One query."""
    return Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now or timezone.now()).count()
