"""Importing historical 12345 hotline work orders (工单) from CSV: all rows or none.

Every row is checked first: columns, times, the category code, the place (located with the vectorised
``places.selectors.locate_many``), duplicates within the file and against cases already registered, and the
actor's jurisdiction over the row's community. Any bad row means nothing is written, and the answer lists
every problem as (row, column, reason), with row numbers as a spreadsheet shows them (the header is row 1).

The writes use bulk paths: case numbers are reserved per community and day with one upsert per batch of
counters, cases and their timeline events go in with ``bulk_create`` (``COPY`` on PostgreSQL). A work order
keeps its handling unit (承办单位) as text; it is not routed again, since it was handled already.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from youlin.places.geo import GeometryError, check_point, shape_from_geojson
from youlin.places.models import Building, Community, Compound
from youlin.places.selectors import locate_many

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 1_000_000

# Column → accepted headers (English, then the hotline system's Chinese export headers).
COLUMNS: dict[str, tuple[str, ...]] = {
    "work_order_number": ("work_order_number", "工单编号"),
    "received_at": ("received_at", "受理时间"),
    "address": ("address", "地址", "诉求地址"),
    "lon": ("lon", "经度"),
    "lat": ("lat", "纬度"),
    "content": ("content", "诉求内容"),
    "category_code": ("category_code", "类别代码"),
    "handling_unit": ("handling_unit", "承办单位"),
    "status": ("status", "办理状态"),
    "closed_at": ("closed_at", "办结时间"),
    "satisfaction": ("satisfaction", "满意度"),
}
REQUIRED = ("work_order_number", "received_at", "content", "category_code", "status")

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


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    reason: str


class HotlineImportError(CaseError):
    """The file was refused; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            CaseErrorCode.INVALID_INPUT,
            _("导入文件有 %(count)d 处问题，未导入任何工单。请按行改正后重新导入。") % {"count": len(errors)},
        )
        self.errors = errors


@dataclass
class ImportResult:
    created: int
    numbers: list[str] = field(default_factory=list)


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


def _time(value: str) -> datetime | None:
    value = value.strip()
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


def _header_map(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    names = [h.strip().lstrip("\ufeff") for h in header]
    for column, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                positions[column] = i
                break
    errors = [RowError(1, c, str(_("缺少此列。"))) for c in REQUIRED if c not in positions]
    if "address" not in positions and not {"lon", "lat"} <= positions.keys():
        errors.append(RowError(1, "lon", str(_("需要“地址”列或“经度、纬度”两列。"))))
    return positions, errors


def _rows(rows: Iterable[Mapping[str, Any] | list[str]] | None, file: IO | str | bytes | None):
    """(header, data rows) from either a CSV file (path-less: text, bytes or a file object) or dicts."""
    if file is not None:
        if isinstance(file, bytes):
            file = file.decode("utf-8-sig")
        if isinstance(file, str):
            file = io.StringIO(file)
        reader = csv.reader(file)
        header = next(reader, [])
        return header, reader
    rows = list(rows or [])
    header = list(COLUMNS)
    return header, ([str(r.get(c, "") if r.get(c) is not None else "") for c in header] for r in rows)


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


def _validate(header: list[str], data, actor) -> tuple[list[_Order], list, list[RowError]]:
    positions, errors = _header_map(header)
    if errors:
        return [], [], errors
    categories: dict[str, Category] = {}
    for c in Category.objects.filter(is_active=True).order_by("kind"):  # a matter wins over a component
        categories.setdefault(c.code, c)
    points: dict[str, tuple[float, float]] | None = None
    orders: list[_Order] = []
    seen: dict[str, int] = {}

    def cell(values: list[str], column: str) -> str:
        i = positions.get(column)
        return values[i].strip() if i is not None and i < len(values) else ""

    for row, values in enumerate(data, start=2):
        if row - 1 > MAX_ROWS:
            errors.append(RowError(row, "", str(_("一次最多导入 %(n)d 行，请分批导入。") % {"n": MAX_ROWS})))
            break
        if not any(v.strip() for v in values):
            continue  # blank line
        problems: list[RowError] = []

        def bad(column: str, reason, problems=problems, row=row) -> None:
            problems.append(RowError(row, column, str(reason)))

        number = cell(values, "work_order_number")
        if not number:
            bad("work_order_number", _("工单编号不能为空。"))
        elif len(number) > Case._meta.get_field("hotline_number").max_length:
            bad("work_order_number", _("工单编号过长。"))
        elif number in seen:
            bad("work_order_number", _("与第 %(row)d 行的工单编号重复。") % {"row": seen[number]})
        else:
            seen[number] = row
        received = _time(cell(values, "received_at"))
        if received is None:
            bad("received_at", _("受理时间格式应为 2024-05-01 09:30。"))
        content = cell(values, "content")
        if not content:
            bad("content", _("诉求内容不能为空。"))
        category = categories.get(cell(values, "category_code"))
        if category is None:
            bad("category_code", _("类别代码不存在，请使用 5 位国标或本地扩展代码。"))
        status = STATUSES.get(cell(values, "status").lower())
        if status is None:
            bad("status", _("办理状态应为：已受理、办理中或已办结。"))
        closed_text = cell(values, "closed_at")
        closed = _time(closed_text) if closed_text else None
        if closed_text and closed is None:
            bad("closed_at", _("办结时间格式应为 2024-05-03 17:00。"))
        elif status == Status.CLOSED and closed is None:
            bad("closed_at", _("已办结的工单需填写办结时间。"))
        elif closed is not None and received is not None and closed < received:
            bad("closed_at", _("办结时间早于受理时间。"))
        elif closed is not None and status != Status.CLOSED:
            bad("closed_at", _("未办结的工单不应有办结时间。"))
        satisfaction_text = cell(values, "satisfaction")
        satisfaction = SATISFACTIONS.get(satisfaction_text.lower(), "") if satisfaction_text else ""
        if satisfaction_text and not satisfaction:
            bad("satisfaction", _("满意度应为：满意、基本满意或不满意。"))
        elif satisfaction and status != Status.CLOSED:
            bad("satisfaction", _("只有已办结的工单才有满意度。"))
        unit = cell(values, "handling_unit")
        if len(unit) > Case._meta.get_field("hotline_unit").max_length:
            bad("handling_unit", _("承办单位名称过长。"))
        address = cell(values, "address")
        lon, lat = cell(values, "lon"), cell(values, "lat")
        point = None
        if lon or lat:
            try:
                point = check_point(lon, lat)
            except GeometryError as exc:
                bad("lon", exc.message)
        elif address:
            if points is None:
                points = _place_points()
            point = points.get(address)
            if point is None:
                bad("address", _("无法按地址定位：请填写经纬度，或使用系统中的小区、楼栋名称。"))
        else:
            bad("lon", _("请填写经纬度或地址。"))
        if problems:
            errors.extend(problems)
            continue
        orders.append(
            _Order(
                row=row,
                number=number,
                received_at=received,
                content=content,
                category=category,
                unit=unit,
                status=status,
                closed_at=closed,
                satisfaction=satisfaction,
                address=address[:200],
                lon=point[0],
                lat=point[1],
            )
        )
    if not orders:
        return orders, [], errors
    taken = _existing_numbers([o.number for o in orders])
    for o in orders:
        if o.number in taken:
            errors.append(RowError(o.row, "work_order_number", str(_("该热线工单已登记，请勿重复导入。"))))
    located = locate_many([(o.lon, o.lat) for o in orders])
    j = policy.jurisdiction_of(actor)
    for o, where in zip(orders, located, strict=True):
        if where is None:
            errors.append(RowError(o.row, "lon", str(_("该位置不在任何社区范围内。"))))
        elif not (j.everything or where.community_id in j.manage_community_ids):
            errors.append(RowError(o.row, "lon", str(_("该位置不在您管理的社区内，无权导入。"))))
    return orders, located, errors


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
    """Import historical 12345 work orders, given as CSV (``file``) or as dicts keyed by ``COLUMNS`` (``rows``).

    Raises ``HotlineImportError`` listing every bad row, having written nothing; otherwise every order is a case
    (channel hotline) with its timeline: registered, and dispatched, closed and evaluated as the order says.
    """
    if actor is None or not policy.jurisdiction_of(actor).is_staff_level:
        raise CaseError(CaseErrorCode.PERMISSION_DENIED, _("只有社区或街道工作人员可以导入热线工单。"))
    header, data = _rows(rows, file)
    orders, located, errors = _validate(header, data, actor)
    if errors:
        raise HotlineImportError(sorted(errors, key=lambda e: (e.row, e.column)))
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
