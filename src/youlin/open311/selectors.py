"""Reads of the Open311 app: services (categories), requests (cases, public fields only) and keys.

A request is public in GeoReport v2, so only what the standard names leaves here: no reporter, no phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from youlin.cases.models import OPEN_STATUSES, Case, CaseAssignment, CaseEvent, CasePhoto, Category, Status
from youlin.cases.routing_cache import routing_cache
from youlin.cases.selectors import active_matter
from youlin.domain import jsonout
from youlin.open311.models import ApiKey, Submission
from youlin.open311.services import key_hash
from youlin.parties.models import Organisation
from youlin.photos.models import Photo

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
LAST_USED_PRECISION = timedelta(minutes=5)


def services() -> QuerySet[Category]:
    """Every active matter category is a service (components are the things matters are about)."""
    return Category.objects.filter(kind=Category.Kind.MATTER, is_active=True).order_by("code")


def service(code: str) -> Category | None:
    """An active matter category by code, from the per-process cache (shared: read it, never change it)."""
    return active_matter(code)


def key_for(raw: str) -> ApiKey | None:
    """The active key presented, marked as used (at most every few minutes). Active keys are kept per process
    (``routing_cache``: a key saved, revoked or deleted anywhere moves its revision on), so a known key costs
    no query of its own; the row is shared: read it, never change it (but ``last_used_at``, here)."""
    if not raw:
        return None
    digest = key_hash(raw)
    cache = routing_cache()
    key = cache.api_keys.get(digest)
    if key is None:
        key = ApiKey.objects.filter(key_hash=digest, revoked_at=None).first()
        if key is None:
            return None  # unknown keys are not remembered: a stranger's guesses must not fill the memory
        cache.remember(cache.api_keys, digest, key)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# The fields of a case a request shows (public in GeoReport v2: no reporter, no phone).
REQUEST_FIELDS = (
    "id",
    "number",
    "status",
    "description",
    "registered_at",
    "updated_at",
    "deadline",
    "address",
    "lat",
    "lon",
)


def _latest_event() -> QuerySet[CaseEvent]:
    """A case's latest timeline event (its status notes)."""
    return CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")


def _requests() -> QuerySet:
    """Requests as ``.values()`` rows: no model instances, no outlines, only the public fields."""
    latest = _latest_event()
    return Case.objects.annotate(
        # Only the reply written for the public: a step's ``note`` is internal (names, phone numbers, advice).
        latest_note=Subquery(latest.values("public_note")[:1]),
        latest_kind=Subquery(latest.values("kind")[:1]),
    ).values(
        *REQUEST_FIELDS,
        "latest_note",
        "latest_kind",
        service_name=F("category__name"),
        service_code=F("category__code"),
        submission_media_url=F("open311_submission__media_url"),
    )


@dataclass
class Requests:
    """Requests (``.values()`` rows, newest first) with what each shows from other tables: the names of the
    organisations responsible (in assignment order) and the first "before" photo's stored name."""

    rows: list[dict]
    agencies: dict[int, list[str]] = field(default_factory=dict)
    photos: dict[int, str] = field(default_factory=dict)


def _ids_in(vendor: str) -> str:
    """``IN`` a list of ids given as ONE parameter (an array on PostgreSQL, JSON text elsewhere), not a hundred:
    the ORM's ``case_id__in`` prepares, writes and sends each id in turn."""
    return "= ANY(%s)" if vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"


def _ids_param(ids: list[int]):
    return ids if connection.vendor == "postgresql" else jsonout.dumps(ids).decode()


def _agencies_sql(vendor: str) -> str:
    assignment, organisation = CaseAssignment._meta.db_table, Organisation._meta.db_table
    return (
        f"SELECT a.case_id, o.name FROM {assignment} a JOIN {organisation} o ON o.id = a.organisation_id "  # noqa: S608 - table names from the models, values bound
        f"WHERE a.case_id {_ids_in(vendor)} ORDER BY a.case_id, a.id"
    )


def _photos_sql(vendor: str) -> str:
    case_photo, photo = CasePhoto._meta.db_table, Photo._meta.db_table
    return (
        f"SELECT cp.case_id, p.image FROM {case_photo} cp JOIN {photo} p ON p.id = cp.photo_id "  # noqa: S608 - table names from the models, values bound
        f"WHERE cp.kind = %s AND cp.case_id {_ids_in(vendor)} ORDER BY cp.id"
    )


def _with_parts(rows: list[dict]) -> Requests:
    """Two queries however many rows: the responsible organisations (in assignment order), and the first
    "before" photo of requests that did not come with a ``media_url``."""
    found = Requests(rows)
    if not rows:
        return found
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(_agencies_sql(vendor), [_ids_param([r["id"] for r in rows])])
        agencies = found.agencies
        for case_id, name in cursor.fetchall():
            agencies.setdefault(case_id, []).append(name)
        without_media = [r["id"] for r in rows if not r["submission_media_url"]]
        if without_media:
            cursor.execute(_photos_sql(vendor), [CasePhoto.Kind.BEFORE, _ids_param(without_media)])
            photos = found.photos
            for case_id, image in cursor.fetchall():
                photos.setdefault(case_id, image)
    return found


def status_filter(statuses: list[str]) -> list[str]:
    wanted: set[str] = set()
    if "open" in statuses:
        wanted |= set(OPEN_STATUSES)
    if "closed" in statuses:
        wanted |= set(Status.values) - set(OPEN_STATUSES)
    return sorted(wanted)


def requests_by_id(numbers: list[str]) -> Requests:
    return _with_parts(list(_requests().filter(number__in=numbers[:MAX_RESULTS]).order_by("-registered_at", "-id")))


def _search_queryset(start, end, service_codes: list[str], statuses: list[str]) -> QuerySet:
    qs = _requests().filter(registered_at__gte=start, registered_at__lte=end)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("-registered_at", "-id")[:MAX_RESULTS]


@dataclass(frozen=True)
class _Statement:
    """The search's SQL as the ORM compiles it, kept per process: compiling it (two subqueries, three joins)
    cost more than running it. ``slots`` says what each parameter is: ("start",), ("end",), ("code", i) or
    ("status", i); ``select`` is the compiled columns (their names, and their converters where the database
    gives text for a time: SQLite)."""

    sql: str
    slots: tuple[tuple, ...]
    names: tuple[str, ...]
    select: tuple


_STATEMENTS: dict[tuple, _Statement] = {}
KEPT_CODES = 8
_SENTINEL_START, _SENTINEL_END = datetime(1901, 1, 1, tzinfo=UTC), datetime(1902, 1, 1, tzinfo=UTC)


def _statement(codes: int, statuses: int) -> _Statement:
    key = (connection.alias, connection.vendor, codes, statuses)
    found = _STATEMENTS.get(key)
    if found is None:
        code_values = [f"\x00code{i}" for i in range(codes)]
        status_values = [f"\x00status{i}" for i in range(statuses)]
        qs = _search_queryset(_SENTINEL_START, _SENTINEL_END, code_values, status_values)
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapt = connection.ops.adapt_datetimefield_value
        where = {adapt(_SENTINEL_START): ("start",), adapt(_SENTINEL_END): ("end",)}
        where.update({v: ("code", i) for i, v in enumerate(code_values)})
        where.update({v: ("status", i) for i, v in enumerate(status_values)})
        slots = tuple(where[p] for p in params)  # a KeyError here: a parameter this code does not know of
        select = tuple(expression for expression, _sql, _alias in compiler.select[: compiler.col_count])
        names = tuple(alias for _expression, _sql, alias in compiler.select[: compiler.col_count])
        found = _Statement(sql, slots, names, select)
        if codes <= KEPT_CODES:  # a caller's list of services can be any length: keep the usual shapes only
            _STATEMENTS[key] = found
    return found


def requests_search(
    *, start: datetime, end: datetime, service_codes: list[str] | None = None, statuses: list[str] | None = None
) -> Requests:
    """Cases registered in [start, end], newest first, at most 1,000 (three queries). The same rows as
    ``_search_queryset(…)`` gives as ``.values()``, from SQL compiled once per process and shape."""
    codes = list(dict.fromkeys(service_codes or []))
    wanted = status_filter(statuses) if statuses else []
    statement = _statement(len(codes), len(wanted))
    adapt = connection.ops.adapt_datetimefield_value
    values = {("start",): adapt(start), ("end",): adapt(end)}
    values.update({("code", i): v for i, v in enumerate(codes)})
    values.update({("status", i): v for i, v in enumerate(wanted)})
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [values[slot] for slot in statement.slots])
        found = cursor.fetchall()
    compiler = SQLCompiler(Query(Case), connection, connection.alias)
    converters = compiler.get_converters(statement.select)
    if converters:
        found = compiler.apply_converters(found, converters)
    names = statement.names
    return _with_parts([dict(zip(names, row, strict=True)) for row in found])


def submission_by_token(token: str) -> Submission | None:
    return Submission.objects.select_related("case").filter(token=token).first()


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
