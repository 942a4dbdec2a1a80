"""Importing 12345 hotline work orders (工单) from CSV or .xlsx: all rows or none.

Every row is checked first: columns (English or the hotline system's Chinese export headers), times, the category
code, the place (located with the vectorised ``places.selectors.locate_many``), duplicates within the file and
against cases already registered, and the actor's jurisdiction over the row's community. Any bad row means nothing
is written, and the answer lists every problem as (row, column, reason), with row numbers as a spreadsheet shows
them (the header is row 1). The columns are ``TABLE`` (``youlin.domain.tabular``); ``plan_orders`` checks,
``hotline_import`` writes.

The writes use bulk paths: case numbers are reserved per community and day with one upsert per batch of
counters, cases and their timeline events go in with ``bulk_create`` (``COPY`` on PostgreSQL). A work order
keeps its handling unit (承办单位) as text; it is not routed again, since it was handled already.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.access import policy
from youlin.cases import workdays
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    Channel,
    EventKind,
    Satisfaction,
    Status,
)
from youlin.domain.tabular import CellError, Column, FileRefused, Row, RowError, Sheet, Table, cell_text
from youlin.places.geo import GeometryError, check_point, shape_from_geojson
from youlin.places.models import Building, Community, Compound
from youlin.places.selectors import locate_many

LOCAL = ZoneInfo("Asia/Shanghai")

STATUSES = {
    "registered": Status.REGISTERED,
    "已受理": Status.REGISTERED,
    "in_progress": Status.DISPATCHED,
    "办理中": Status.DISPATCHED,
    "已派单": Status.DISPATCHED,
    "closed": Status.CLOSED,
    "已办结": Status.CLOSED,
    "办结": Status.CLOSED,
}
SATISFACTIONS = {
    "satisfied": Satisfaction.SATISFIED,
    "满意": Satisfaction.SATISFIED,
    "basically_satisfied": Satisfaction.BASICALLY_SATISFIED,
    "基本满意": Satisfaction.BASICALLY_SATISFIED,
    "dissatisfied": Satisfaction.DISSATISFIED,
    "不满意": Satisfaction.DISSATISFIED,
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


class HotlineImportError(FileRefused, CaseError):
    """The file was refused; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        count = len(errors)
        message = ngettext(
            "导入文件有 %(count)d 处问题，未导入任何工单。请按行改正后重新导入。",
            "导入文件有 %(count)d 处问题，未导入任何工单。请按行改正后重新导入。",
            count,
        ) % {"count": count}
        super().__init__(CaseErrorCode.INVALID_INPUT, message, errors)


@dataclass
class ImportResult:
    created: int
    numbers: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the columns


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    else:
        value = cell_text(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
            for fmt in TIME_FORMATS:
                try:
                    parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
                    break
                except ValueError:
                    continue
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=LOCAL)


def _time_parser(reason) -> Any:
    def parse(value) -> datetime:
        parsed = _time(value)
        if parsed is None:
            raise CellError(reason)
        return parsed

    return parse


@cache
def _max_length(name: str) -> int:
    return Case._meta.get_field(name).max_length


def _work_order_number(value) -> str:
    if len(value) > _max_length("hotline_number"):
        raise CellError(_("工单编号过长。"))
    return value


def _handling_unit(value) -> str:
    if len(value) > _max_length("hotline_unit"):
        raise CellError(_("承办单位名称过长。"))
    return value


def _status(value) -> str:
    status = STATUSES.get(cell_text(value).lower())
    if status is None:
        raise CellError(_("办理状态应为：已受理、办理中或已办结。"))
    return status


def _satisfaction(value) -> str:
    satisfaction = SATISFACTIONS.get(cell_text(value).lower())
    if satisfaction is None:
        raise CellError(_("满意度应为：满意、基本满意或不满意。"))
    return satisfaction


RECEIVED_AT = _("受理时间格式应为 2024-05-01 09:30。")
STATUS_WORDS = _("办理状态应为：已受理、办理中或已办结。")

TABLE = Table(
    columns=(
        Column(
            "work_order_number",
            ("work_order_number", "工单编号"),
            parse=_work_order_number,
            required=True,
            blank=_("工单编号不能为空。"),
        ),
        Column(
            "received_at",
            ("received_at", "受理时间"),
            parse=_time_parser(RECEIVED_AT),
            required=True,
            blank=RECEIVED_AT,
        ),
        Column("address", ("address", "地址", "诉求地址")),
        Column("lon", ("lon", "经度")),
        Column("lat", ("lat", "纬度")),
        Column("content", ("content", "诉求内容"), required=True, blank=_("诉求内容不能为空。")),
        Column(
            "category_code",
            ("category_code", "类别代码"),
            required=True,
            blank=_("类别代码不存在，请使用 5 位国标或本地扩展代码。"),
        ),
        Column("handling_unit", ("handling_unit", "承办单位"), parse=_handling_unit),
        Column("status", ("status", "办理状态"), parse=_status, required=True, blank=STATUS_WORDS),
        Column("closed_at", ("closed_at", "办结时间"), parse=_time_parser(_("办结时间格式应为 2024-05-03 17:00。"))),
        Column("satisfaction", ("satisfaction", "满意度"), parse=_satisfaction),
    ),
    refused=HotlineImportError,
    rows_setting="YOULIN_HOTLINE_IMPORT_MAX_ROWS",
    bytes_setting="YOULIN_HOTLINE_IMPORT_MAX_BYTES",
    formats=("csv", "xlsx"),
)
# Column → accepted headers (English, then the hotline system's Chinese export headers).
COLUMNS: dict[str, tuple[str, ...]] = {c.key: c.headers for c in TABLE.columns}
REQUIRED = tuple(c.key for c in TABLE.columns if c.required)


# ---------------------------------------------------------------- the checks


@dataclass
class _Order:
    row: int
    number: str
    received_at: datetime
    content: str
    category: Category
    unit: str
    status: str
    closed_at: datetime | None
    satisfaction: str
    address: str
    lon: float | None = None
    lat: float | None = None


@dataclass
class Plan:
    orders: list[_Order] = field(default_factory=list)
    located: list = field(default_factory=list)  # where each order is (``places.selectors.locate_many``)
    errors: list[RowError] = field(default_factory=list)


def _place_points() -> dict[str, tuple[float, float]]:
    """Named places an address may be given as: a compound, or a compound and building ("36号院甲楼")."""
    points: dict[str, tuple[float, float]] = {}
    for name, geometry in Compound.objects.exclude(geometry=None).values_list("name", "geometry"):
        p = shape_from_geojson(geometry).representative_point()
        points[name] = (p.x, p.y)
    for compound, name, geometry in Building.objects.exclude(geometry=None).values_list(
        "compound__name", "name", "geometry"
    ):
        p = shape_from_geojson(geometry).representative_point()
        points[f"{compound}{name}"] = (p.x, p.y)
    return points


class _Checks:
    """The checks across a row's cells and across rows: the category, closing and satisfaction against the
    status, the point (coordinates, or an address naming a compound or building), numbers repeated in the file."""

    def __init__(self):
        self.categories: dict[str, Category] = {}
        for c in Category.objects.filter(is_active=True).order_by("kind"):  # a matter wins over a component
            self.categories.setdefault(c.code, c)
        self.points: dict[str, tuple[float, float]] | None = None
        self.seen: dict[str, int] = {}

    def order(self, row: Row) -> _Order | None:
        number = row["work_order_number"]
        if number is not None:
            if number in self.seen:
                row.bad("work_order_number", _("与第 %(row)d 行的工单编号重复。") % {"row": self.seen[number]})
            else:
                self.seen[number] = row.number
        category = self.categories.get(row.text["category_code"])
        if category is None and row.text["category_code"]:
            row.bad("category_code", _("类别代码不存在，请使用 5 位国标或本地扩展代码。"))
        self._closing(row)
        point = self._point(row)
        if not row.ok:
            return None
        return _Order(
            row=row.number,
            number=number,
            received_at=row["received_at"],
            content=row.text["content"],
            category=category,
            unit=row.text.get("handling_unit", ""),
            status=row["status"],
            closed_at=row["closed_at"],
            satisfaction=row["satisfaction"] or "",
            address=row.text.get("address", "")[:200],
            lon=point[0],
            lat=point[1],
        )

    @staticmethod
    def _closing(row: Row) -> None:
        status, received, closed = row["status"], row["received_at"], row["closed_at"]
        if row.text.get("closed_at") and closed is None:
            pass  # the parser said what is wrong
        elif status == Status.CLOSED and closed is None:
            row.bad("closed_at", _("已办结的工单需填写办结时间。"))
        elif closed is not None and received is not None and closed < received:
            row.bad("closed_at", _("办结时间早于受理时间。"))
        elif closed is not None and status != Status.CLOSED:
            row.bad("closed_at", _("未办结的工单不应有办结时间。"))
        if row["satisfaction"] and status != Status.CLOSED:
            row.bad("satisfaction", _("只有已办结的工单才有满意度。"))

    def _point(self, row: Row) -> tuple[float, float] | None:
        lon, lat, address = row.text.get("lon", ""), row.text.get("lat", ""), row.text.get("address", "")
        if lon or lat:
            try:
                return check_point(lon, lat)
            except GeometryError as exc:
                row.bad("lon", exc.message)
                return None
        if address:
            if self.points is None:
                self.points = _place_points()
            point = self.points.get(address)
            if point is None:
                row.bad("address", _("无法按地址定位：请填写经纬度，或使用系统中的小区、楼栋名称。"))
            return point
        row.bad("lon", _("请填写经纬度或地址。"))
        return None


def plan_orders(sheet: Sheet, actor) -> Plan:
    """Check every row (reads only): the cells, then numbers already registered, then where each order is and
    whether it lies in a community the actor manages."""
    plan = Plan()
    reading = TABLE.reading(sheet)
    if not reading.has("address") and not (reading.has("lon") and reading.has("lat")):
        reading.bad_header("lon", _("需要“地址”列或“经度、纬度”两列。"))
    checks = _Checks()
    for row in reading.rows():
        order = checks.order(row)
        if order is None:
            plan.errors.extend(row.errors)
        else:
            plan.orders.append(order)
    plan.errors.extend(reading.errors)
    if plan.orders:
        _check_places(plan, actor)
    plan.errors = TABLE.sort(plan.errors)
    return plan


def _check_places(plan: Plan, actor) -> None:
    taken = _existing_numbers([o.number for o in plan.orders])
    for o in plan.orders:
        if o.number in taken:
            plan.errors.append(RowError(o.row, "work_order_number", str(_("该热线工单已登记，请勿重复导入。"))))
    plan.located = locate_many([(o.lon, o.lat) for o in plan.orders])
    j = policy.jurisdiction_of(actor)
    for o, where in zip(plan.orders, plan.located, strict=True):
        if where is None:
            plan.errors.append(RowError(o.row, "lon", str(_("该位置不在任何社区范围内。"))))
        elif not (j.everything or where.community_id in j.manage_community_ids):
            plan.errors.append(RowError(o.row, "lon", str(_("该位置不在您管理的社区内，无权导入。"))))


# ---------------------------------------------------------------- the writes


def _existing_numbers(numbers: list[str]) -> set[str]:
    taken: set[str] = set()
    for i in range(0, len(numbers), 5000):
        chunk = numbers[i : i + 5000]
        taken.update(Case.objects.filter(hotline_number__in=chunk).values_list("hotline_number", flat=True))
    return taken


def _reserve_numbers(orders: list[_Order], located) -> list[str]:
    """Case numbers in the registration format (prefix, local date, daily sequence), reserved by moving each
    (community, day) counter on by its count in one upsert per batch: registrations running meanwhile queue on
    the same rows and carry on after them."""
    prefixes = dict(Community.objects.values_list("id", "case_prefix"))
    wanted: dict[tuple[int, str], int] = {}
    keys = []
    for o, where in zip(orders, located, strict=True):
        key = (where.community_id, timezone.localtime(o.received_at, LOCAL).date().isoformat())
        wanted[key] = wanted.get(key, 0) + 1
        keys.append(key)
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    last: dict[tuple[int, str], int] = {}
    items = sorted(wanted.items())  # a fixed order: two imports never lock the same rows the other way round
    with connection.cursor() as cursor:
        for i in range(0, len(items), 2000):
            chunk = items[i : i + 2000]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params = [v for (community, day), n in chunk for v in (community, day, n)]
            cursor.execute(
                f"INSERT INTO {table} (community_id, day, last) VALUES {values} "  # noqa: S608 - fixed names
                f"ON CONFLICT (community_id, day) DO UPDATE SET last = {table}.last + excluded.last "
                f"RETURNING community_id, day, last",
                params,
            )
            for community, day, value in cursor.fetchall():
                last[(community, str(day))] = value
    next_seq = {key: last[key] - n for key, n in wanted.items()}
    numbers = []
    for key in keys:
        next_seq[key] += 1
        numbers.append(f"{prefixes[key[0]]}{key[1].replace('-', '')}{next_seq[key]:03d}")
    return numbers


def _insert(model, objs: list) -> list:
    """``bulk_create``, or on PostgreSQL ``COPY`` with primary keys drawn from the table's sequence first (safe
    beside concurrent inserts). Values go in as the instances hold them: no ``save()``, no signals."""
    if connection.vendor != "postgresql" or not objs:
        return model.objects.bulk_create(objs, batch_size=2000)
    meta = model._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        fields = meta.concrete_fields
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        attnames = [f.attname for f in fields]
        columns = ", ".join(qn(f.column) for f in fields)
        with cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row(
                    [json.dumps(values[a], ensure_ascii=False) if a in json_fields else values[a] for a in attnames]
                )
    for obj in objs:
        obj._state.adding = False
    return objs


@transaction.atomic
def hotline_import(
    *,
    actor,
    rows: Iterable[Mapping[str, Any]] | None = None,
    file: IO | str | bytes | None = None,
) -> ImportResult:
    """Import historical 12345 work orders, given as a CSV or .xlsx file (``file``: text, bytes or a file
    object) or as dicts keyed by ``COLUMNS`` (``rows``).

    Raises ``HotlineImportError`` listing every bad row, having written nothing; otherwise every order is a case
    (channel hotline) with its timeline: registered, and dispatched, closed and evaluated as the order says.
    """
    if actor is None or not policy.jurisdiction_of(actor).is_staff_level:
        raise CaseError(CaseErrorCode.PERMISSION_DENIED, _("只有社区或街道工作人员可以导入热线工单。"))
    sheet = TABLE.read(file) if file is not None else TABLE.sheet_from_dicts(rows or [])
    plan = plan_orders(sheet, actor)
    if plan.errors:
        raise HotlineImportError(plan.errors)
    orders, located = plan.orders, plan.located
    if not orders:
        return ImportResult(created=0)
    numbers = _reserve_numbers(orders, located)
    label = str(actor)[:100]
    now = timezone.now()
    cases = []
    for o, where, number in zip(orders, located, numbers, strict=True):
        closed = o.status == Status.CLOSED
        status = Status.EVALUATED if o.satisfaction else o.status
        cases.append(
            Case(
                number=number,
                category=o.category,
                description=o.content,
                lon=where.lon,
                lat=where.lat,
                address=o.address,
                community_id=where.community_id,
                compound_id=where.compound_id,
                building_id=where.building_id,
                grid_id=where.grid_id,
                zone_id=where.zone_id,
                channel=Channel.HOTLINE,
                registered_by=actor,
                tracking_token=secrets.token_urlsafe(24),
                hotline_number=o.number,
                hotline_received_at=o.received_at,
                hotline_unit=o.unit,
                status=status,
                urgency=o.category.urgency,
                registered_at=o.received_at,
                deadline=workdays.add(o.received_at, workdays.Limit(o.category.time_limit, o.category.time_limit_unit)),
                dispatched_at=o.received_at if o.status != Status.REGISTERED else None,
                closed_at=o.closed_at if closed else None,
                evaluated_at=o.closed_at if o.satisfaction else None,
                satisfaction=o.satisfaction,
                responded=True if o.satisfaction else None,
                resolved=(o.satisfaction != Satisfaction.DISSATISFIED) if o.satisfaction else None,
                created_at=now,
                updated_at=now,
            )
        )
    cases = _insert(Case, cases)
    events = []
    for case, o in zip(cases, orders, strict=True):
        common = {"case_id": case.pk, "actor": actor, "actor_label": label}
        events.append(
            CaseEvent(
                kind=EventKind.REGISTERED,
                at=o.received_at,
                to_status=Status.REGISTERED,
                data={"channel": Channel.HOTLINE, "place": o.address, "import": True, "row": o.row},
                **common,
            )
        )
        if o.status != Status.REGISTERED:
            events.append(
                CaseEvent(
                    kind=EventKind.DISPATCHED,
                    at=o.received_at,
                    from_status=Status.REGISTERED,
                    to_status=Status.DISPATCHED,
                    note=o.unit,
                    **common,
                )
            )
        if o.status == Status.CLOSED:
            events.append(
                CaseEvent(
                    kind=EventKind.CLOSED,
                    at=o.closed_at,
                    from_status=Status.DISPATCHED,
                    to_status=Status.CLOSED,
                    **common,
                )
            )
        if o.satisfaction:
            events.append(
                CaseEvent(
                    kind=EventKind.EVALUATED,
                    at=o.closed_at,
                    from_status=Status.CLOSED,
                    to_status=Status.EVALUATED,
                    data={
                        "satisfaction": o.satisfaction,
                        "responded": True,
                        "resolved": o.satisfaction != Satisfaction.DISSATISFIED,
                    },
                    **common,
                )
            )
    _insert(CaseEvent, events)
    return ImportResult(created=len(cases), numbers=[c.number for c in cases])
