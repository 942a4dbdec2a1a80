"""Checking a work-order file (reads only): every row's cells, the rules across them, numbers repeated in the
file or registered in a community the actor does not manage; then what each order becomes. An order already
imported (same 工单编号) is an update of its mutable fields, or unchanged; a new one is placed (coordinates, or
the address matched against the target community's compounds and buildings), classified, given its deadline and,
when both place and category are sure, routed. Routing and time limits are looked up once per distinct
(category, place), so a file of 20,000 orders makes a handful of queries, not 20,000 × N."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import classify, routing_cache, workdays
from youlin.cases.imports import bulk
from youlin.cases.imports.columns import TABLE
from youlin.cases.models import Case, Category, Status, Triage
from youlin.cases.selectors import Routing, TimeLimit, category_time_limit, route
from youlin.domain.tabular import Row, RowError, Sheet
from youlin.places.geo import GeometryError, check_point
from youlin.places.models import Building, Community, Compound, Grid, Zone
from youlin.places.selectors import AddressIndex, LocatedIds, Location, locate_many, representative_point

# What an update of an existing order may change (never its status, place or category).
MUTABLE = ("description", "reporter_name", "reporter_phone", "hotline_unit", "hotline_category", "hotline_data")


@dataclass
class Order:
    row: int
    number: str
    called_at: datetime
    caller_name: str
    caller_phone: str
    address: str
    content: str
    hotline_category: str
    unit: str
    time_limit: datetime | workdays.Limit | None
    raw: dict
    category: Category | None = None  # from 类别代码, when the file has it
    point: tuple[float, float] | None = None  # from 经度/纬度
    status: str | None = None  # history: what happened to the order
    closed_at: datetime | None = None
    satisfaction: str = ""
    responded: bool | None = None
    resolved: bool | None = None

    @property
    def history(self) -> bool:
        return self.status is not None


@dataclass
class NewCase:
    order: Order
    where: LocatedIds | None  # None: not located (待分拣, at the community's representative point)
    lon: float
    lat: float
    place: str
    category: Category
    confidence: float
    triage: str
    status: str
    urgency: str
    deadline: datetime
    routing: Routing | None


@dataclass
class Update:
    case_id: int
    order: Order
    fields: dict
    changed: list[str]


@dataclass
class Plan:
    community: Community
    new: list[NewCase] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


# The history columns: with all of them empty, ``_history`` finds nothing to say.
HISTORY = ("status", "closed_at", "satisfaction", "responded", "resolved")


def _bool_or_none(value):
    return None if value is None else bool(value)


class _RowChecks:
    def __init__(self):
        self.categories: dict[str, Category] = {}
        for c in Category.objects.filter(is_active=True).order_by("kind"):  # a matter wins over a component
            self.categories.setdefault(c.code, c)
        self.seen: dict[str, int] = {}
        self.latest = timezone.now() + timedelta(days=1)

    def order(self, row: Row) -> Order | None:
        values, text = row.values, row.text
        get = values.get
        number = get("work_order_number")
        if number is not None:
            if number in self.seen:
                row.bad("work_order_number", _("与第 %(row)d 行的工单编号重复。") % {"row": self.seen[number]})
            else:
                self.seen[number] = row.number
        called = get("called_at")
        if called is not None and called > self.latest:
            row.bad("called_at", _("来电时间晚于今天，请检查。"))
        category = None
        if text.get("category_code"):
            category = self.categories.get(text["category_code"])
            if category is None:
                row.bad("category_code", _("类别代码不存在，请使用 5 位国标或本地扩展代码。"))
        limit = get("time_limit")
        if isinstance(limit, datetime) and called is not None and limit <= called:
            row.bad("time_limit", _("办理时限早于来电时间。"))
        if any(text.get(k) for k in HISTORY):  # a dispatch file has none of these cells filled
            self._history(row)
        point = self._point(row) if text.get("lon") or text.get("lat") else None
        if row.errors:
            return None
        return Order(
            row=row.number,
            number=number,
            called_at=called,
            caller_name=text.get("caller_name", ""),
            caller_phone=text.get("caller_phone", ""),
            address=text.get("address", "")[:200],
            content=text["content"],
            hotline_category=text.get("hotline_category", ""),
            unit=text.get("handling_unit", ""),
            time_limit=limit,
            raw={k: v for k, v in row.extra.items() if v},
            category=category,
            point=point,
            status=get("status"),
            closed_at=get("closed_at"),
            satisfaction=get("satisfaction") or "",
            responded=_bool_or_none(get("responded")),
            resolved=_bool_or_none(get("resolved")),
        )

    @staticmethod
    def _history(row: Row) -> None:
        status, called, closed = row["status"], row["called_at"], row["closed_at"]
        if row.text.get("closed_at") and closed is None:
            pass  # the parser said what is wrong
        elif status == Status.CLOSED and closed is None:
            row.bad("closed_at", _("已办结的工单需填写办结时间。"))
        elif closed is not None and called is not None and closed < called:
            row.bad("closed_at", _("办结时间早于来电时间。"))
        elif closed is not None and status != Status.CLOSED:
            row.bad("closed_at", _("未办结的工单不应有办结时间。"))
        answers = [row.text.get(k, "") for k in ("satisfaction", "responded", "resolved")]
        if any(answers):
            if status != Status.CLOSED:
                row.bad("satisfaction", _("只有已办结的工单才有回访结果（满意度、是否联系、是否解决）。"))
            elif not all(answers):
                # The three answers of a follow-up visit come together: none is guessed from another.
                row.bad("satisfaction", _("回访结果需同时填写满意度、是否联系、是否解决三项。"))

    @staticmethod
    def _point(row: Row) -> tuple[float, float] | None:
        lon, lat = row.text.get("lon", ""), row.text.get("lat", "")
        if not (lon or lat):
            return None
        try:
            return check_point(lon, lat)
        except GeometryError as exc:
            row.bad("lon", exc.message)
            return None


class _Places:
    """The target community's places, loaded once when first needed."""

    def __init__(self, community: Community):
        self.community = community
        self._index: AddressIndex | None = None
        self._objects: dict | None = None
        self.centre = representative_point(community) if community.geometry else (116.35, 39.9)

    def resolve(self, address: str):
        if self._index is None:
            self._index = AddressIndex(self.community.pk)
        return self._index.resolve(address)

    def location(self, where: LocatedIds) -> Location:
        if self._objects is None:
            cid = self.community.pk
            # Routing reads ids, kinds and parents; the outlines (JSON, the bulk of each row) load only if read.
            self._objects = {
                "compound": {c.pk: c for c in Compound.objects.filter(community_id=cid).defer("geometry")},
                "building": {b.pk: b for b in Building.objects.filter(compound__community_id=cid).defer("geometry")},
                "grid": {g.pk: g for g in Grid.objects.filter(community_id=cid).defer("geometry")},
                "zone": {z.pk: z for z in Zone.objects.filter(community_id=cid).defer("geometry")},
            }
        o = self._objects
        return Location(
            lon=where.lon,
            lat=where.lat,
            community=self.community,
            compound=o["compound"].get(where.compound_id),
            building=o["building"].get(where.building_id),
            grid=o["grid"].get(where.grid_id),
            zone=o["zone"].get(where.zone_id),
        )


class _Deadlines:
    """``workdays.add`` for a file's orders, worked out once per (local day, number of working days).

    A limit of N working days that starts at a time t > 0 of a working day ends on the N-th working day after
    it, at t; one that starts on a day off ends where it would from the next midnight, whatever the time. Both
    follow from ``workdays.add``'s walk, so the day found for one order serves every other order of that day
    and limit. Any other limit (hours, working hours, a start at midnight) is walked as before."""

    def __init__(self):
        self._found: dict[tuple, tuple[bool, datetime]] = {}

    def add(self, start: datetime, limit: workdays.Limit) -> datetime:
        if limit.unit != workdays.WORKING_DAYS:
            return workdays.add(start, limit)
        local = start.astimezone(workdays.BEIJING)
        moment = local.timetz().replace(tzinfo=None)
        if moment == dt_time.min:
            return workdays.add(start, limit)
        key = (local.date(), limit.amount)
        found = self._found.get(key)
        if found is None:
            end = workdays.add(start, limit)
            found = self._found[key] = (workdays.is_working_day(local.date()), end)
            return end
        working, end = found
        if not working:
            return end
        return datetime.combine(end.astimezone(workdays.BEIJING).date(), moment, tzinfo=workdays.BEIJING)


def _imported_before(numbers: list[str]) -> list[str]:
    """Of ``numbers``, those a case may have (all of them on SQLite). On PostgreSQL one array parameter per
    query instead of 5,000 placeholders: a file of new orders costs the importing process about a microsecond
    an order here, not six; the cases found are then read as before."""
    if connection.vendor != "postgresql" or not numbers:
        return numbers
    found: list[str] = []
    qn = connection.ops.quote_name
    table, column = qn(Case._meta.db_table), qn(Case._meta.get_field("hotline_number").column)
    with connection.cursor() as cursor:
        for i in range(0, len(numbers), 50000):
            # ``<> ''``: the unique index on the number is partial (a case without one is not in it).
            cursor.execute(
                f"SELECT {column} FROM {table} WHERE {column} = ANY(%s) AND {column} <> ''",  # noqa: S608 - fixed names
                [numbers[i : i + 50000]],
            )
            found.extend(n for (n,) in cursor.fetchall())
    return found


def _existing(plan: Plan, orders: list[Order], actor, deadlines: _Deadlines) -> list[Order]:
    """Split off orders already imported: an update, or unchanged. Returns the new ones."""
    by_number: dict[str, dict] = {}
    numbers = _imported_before([o.number for o in orders])
    for i in range(0, len(numbers), 5000):
        rows = (
            Case.objects.filter(hotline_number__in=numbers[i : i + 5000])
            .order_by()  # read into a dict: the case list's default order would only add a sort
            .values("pk", "hotline_number", "community_id", "community__name", "deadline", *MUTABLE)
        )
        by_number.update({r["hotline_number"]: r for r in rows})
    if not by_number:
        return orders
    j = policy.jurisdiction_of(actor) if actor is not None else None
    new = []
    for o in orders:
        case = by_number.get(o.number)
        if case is None:
            new.append(o)
            continue
        if j is not None and not (j.everything or case["community_id"] in j.manage_community_ids):
            reason = gettext("该工单已登记在%(community)s，您无权更新。") % {"community": case["community__name"]}
            plan.errors.append(RowError(o.row, TABLE.column("work_order_number").name, reason))
            continue
        wanted = {
            "description": o.content,
            "reporter_name": o.caller_name,
            "reporter_phone": o.caller_phone,
            "hotline_unit": o.unit,
            "hotline_category": o.hotline_category,
            "hotline_data": o.raw,
        }
        if isinstance(o.time_limit, datetime):
            wanted["deadline"] = o.time_limit
        elif isinstance(o.time_limit, workdays.Limit):
            wanted["deadline"] = deadlines.add(o.called_at, o.time_limit)
        changed = [f for f, v in wanted.items() if case[f] != v]
        if changed:
            plan.updates.append(Update(case["pk"], o, {f: wanted[f] for f in changed}, changed))
        else:
            plan.unchanged += 1
    return new


def _place(plan: Plan, orders: list[Order], places: _Places, deadlines: _Deadlines) -> None:
    """Where each new order is: its coordinates, else the place its address names in the target community; an
    order placed outside the community, or not at all, waits for staff (待分拣) at the community's centre."""
    points: list[tuple[float, float]] = []
    resolved = []
    for o in orders:
        found = None
        if o.point is not None:
            points.append(o.point)
        elif o.address and (found := places.resolve(o.address)) is not None:
            points.append((found.lon, found.lat))
        else:
            points.append(places.centre)
        resolved.append(found)
    # Each distinct point is located once (a file names the same addresses again and again).
    distinct = list(dict.fromkeys(points))
    at_point = dict(zip(distinct, locate_many(distinct) if distinct else [], strict=True))
    located = [at_point[p] for p in points]
    classifier = classify.classifier()
    # The orders without a category code are classified in one call when the classifier can take a batch.
    asked = [(o.hotline_category, o.content) for o in orders if o.category is None]
    many = getattr(classifier, "many", None)
    guesses = iter(many(asked) if many is not None else [classifier(h, c) for h, c in asked])
    threshold = classify.threshold()
    fallback: Category | None = None
    limits: dict[int, TimeLimit] = {}
    routes: dict[tuple, Routing] = {}
    subdistrict_id = places.community.subdistrict_id
    community_id, community_name = places.community.pk, places.community.name
    # Per distinct (point, named place): the place ids; per named place: its label. Enum members looked up once.
    exact: dict[tuple[int, int], LocatedIds] = {}
    labels: dict[int, str] = {}
    no_triage, location_triage, category_triage = Triage.NONE, Triage.LOCATION, Triage.CATEGORY
    registered, dispatched, evaluated = Status.REGISTERED, Status.DISPATCHED, Status.EVALUATED
    working_days = workdays.Limit
    for o, where, found in zip(orders, located, resolved, strict=True):
        if o.point is None and found is None or where is not None and where.community_id != community_id:
            where = None
        elif where is not None and found is not None:  # the named place, exactly
            key = (id(where), id(found))
            named = exact.get(key)
            if named is None:
                named = exact[key] = LocatedIds(
                    where.lon,
                    where.lat,
                    where.community_id,
                    found.compound.pk,
                    found.building.pk if found.building else None,
                    where.grid_id,
                    where.zone_id,
                )
            where = named
        if o.category is not None:
            category, confidence = o.category, 1.0
        else:
            guess = next(guesses)
            category, confidence = guess.category, guess.confidence
        if category is None:
            fallback = fallback or classify.unclassified()
            category, confidence = fallback, 0.0
        category_id = category.pk
        limit = limits.get(category_id)
        if limit is None:
            limit = limits[category_id] = category_time_limit(category, subdistrict_id)
        time_limit = o.time_limit
        if isinstance(time_limit, datetime):
            deadline = time_limit
        elif isinstance(time_limit, working_days):
            deadline = deadlines.add(o.called_at, time_limit)
        else:
            deadline = limit.deadline(o.called_at)
        if o.status is not None:  # history
            triage, status = no_triage, o.status
        elif where is None:
            triage, status = location_triage, registered
        elif confidence < threshold:
            triage, status = category_triage, registered
        else:
            triage, status = no_triage, dispatched
        routing = None
        if where is not None and triage == no_triage:
            key = (category_id, where.compound_id, where.building_id, where.zone_id, where.grid_id)
            routing = routes.get(key)
            if routing is None:
                routing = routes[key] = route(category=category, location=places.location(where))
            if status == dispatched and not routing.organisations:
                status = registered  # nobody to send it to: staff dispatch it by hand
        if o.satisfaction:
            status = evaluated
        lon, lat = (where.lon, where.lat) if where is not None else places.centre
        if found is not None:
            place = labels.get(id(found))
            if place is None:
                place = labels[id(found)] = found.label
        else:
            place = community_name if where is None else ""
        plan.new.append(
            NewCase(
                order=o,
                where=where,
                lon=lon,
                lat=lat,
                place=place,
                category=category,
                confidence=confidence,
                triage=triage,
                status=status,
                urgency=limit.urgency,
                deadline=deadline,
                routing=routing,
            )
        )


def plan_orders(sheet: Sheet, *, actor, community: Community, progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row and decide what each order becomes (reads only)."""
    plan = Plan(community=community)
    reading = TABLE.reading(sheet)
    checks = _RowChecks()
    orders: list[Order] = []
    with bulk.collector_paused():
        for row in reading.rows(progress=progress):
            order = checks.order(row)
            if order is None:
                plan.errors.extend(row.errors)
            else:
                orders.append(order)
        plan.rows = reading.count
        plan.errors.extend(reading.errors)
        if orders:
            with workdays.held(), routing_cache.held():  # read once for the whole file, not per order
                deadlines = _Deadlines()
                new = _existing(plan, orders, actor, deadlines)
                if new and not plan.errors:
                    _place(plan, new, _Places(community), deadlines)
    plan.errors = TABLE.sort(plan.errors)
    return plan
