"""Writing a checked plan: all orders or none, on bulk paths. Case numbers are reserved per community and day
with one upsert per batch of counters; cases, their responsible parties and followers go in as plain rows (no
model instances: ``COPY`` on PostgreSQL, ``executemany`` on SQLite); their timeline events and follow-up visits
with one ``INSERT … SELECT`` each from the cases just written; updates of orders imported before with one bulk
update and one timeline event each.

What a registration does besides (notifications to followers, the recurrence check) is not done for an import,
as before: the people of the responsible organisations follow the new cases and find them on their lists."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.imports import bulk
from youlin.cases.imports.bulk import qn
from youlin.cases.imports.columns import LOCAL, TABLE, HotlineImportError
from youlin.cases.imports.plan import NewCase, Plan, plan_orders
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseFollower,
    CaseNumberCounter,
    Channel,
    EventKind,
    FollowUpVisit,
    Status,
    Triage,
)
from youlin.cases.selectors import member_user_ids
from youlin.places.models import Community

HOTLINE_LABEL = "12345"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dispatched: int = 0
    triage: int = 0
    numbers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return gettext(
            "已导入：新增 %(c)d 件（其中派遣 %(d)d 件，待分拣 %(t)d 件），更新 %(u)d 件，未变 %(n)d 件。"
        ) % {
            "c": self.created,
            "d": self.dispatched,
            "t": self.triage,
            "u": self.updated,
            "n": self.unchanged,
        }


def _reserve_numbers(new: list[NewCase], community: Community) -> list[str]:
    """Case numbers in the registration format (prefix, local date of the call, daily sequence), reserved by
    moving each day's counter on by its count in one upsert per batch: registrations running meanwhile queue on
    the same rows and carry on after them."""
    wanted: dict[str, int] = {}
    keys = []
    for n in new:
        day = timezone.localtime(n.order.called_at, LOCAL).date().isoformat()
        wanted[day] = wanted.get(day, 0) + 1
        keys.append(day)
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    last: dict[str, int] = {}
    items = sorted(wanted.items())  # a fixed order: two imports never lock the same rows the other way round
    with connection.cursor() as cursor:
        for i in range(0, len(items), 2000):
            chunk = items[i : i + 2000]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params = [v for day, n in chunk for v in (community.pk, day, n)]
            cursor.execute(
                f"INSERT INTO {table} (community_id, day, last) VALUES {values} "  # noqa: S608 - fixed names
                f"ON CONFLICT (community_id, day) DO UPDATE SET last = {table}.last + excluded.last "
                f"RETURNING day, last",
                params,
            )
            for day, value in cursor.fetchall():
                last[str(day)] = value
    next_seq = {day: last[day] - n for day, n in wanted.items()}
    numbers = []
    for day in keys:
        next_seq[day] += 1
        numbers.append(f"{community.case_prefix}{day.replace('-', '')}{next_seq[day]:03d}")
    return numbers


# Every column of a case, in the order of the rows ``_case_row`` builds.
CASE_COLUMNS = (
    "id",
    "number",
    "category_id",
    "description",
    "lon",
    "lat",
    "address",
    "community_id",
    "compound_id",
    "building_id",
    "grid_id",
    "zone_id",
    "channel",
    "channel_detail",
    "reporter_id",
    "reporter_name",
    "reporter_phone",
    "registered_by_id",
    "tracking_token",
    "hotline_number",
    "hotline_received_at",
    "hotline_unit",
    "hotline_category",
    "hotline_data",
    "status",
    "version",
    "urgency",
    "registered_at",
    "deadline",
    "triage",
    "needs_deliberation",
    "dispatched_at",
    "accepted_at",
    "reported_done_at",
    "verified_at",
    "closed_at",
    "evaluated_at",
    "satisfaction",
    "responded",
    "resolved",
    "evaluation_comment",
    "rework_count",
    "reopen_count",
    "supervise_count",
    "supervision_level",
    "support_count",
    "merged_into_id",
    "recurrence_of_id",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "case_id",
    "kind",
    "actor_id",
    "actor_label",
    "at",
    "from_status",
    "to_status",
    "note",
    "public_note",
    "data",
)
# What the timeline of a new order needs beyond the case's own columns (the staging table, one row per case).
STAGED = {"case_id": "id", "registered": "json", "routed_at": "time", "routed": "json", "followed_up": "json"}
STAGING_TABLE = "youlin_hotline_import"


def _dumps(value) -> str:
    """JSON text for a JSON column (orjson: the same JSON as ``json.dumps``, less the spaces, several times
    faster; every value here is a plain dict of strings, numbers, booleans and lists)."""
    return orjson.dumps(value).decode()


def _tokens(count: int) -> list[str]:
    """``count`` tracking tokens, each ``secrets.token_urlsafe(24)`` (24 random bytes, 32 URL-safe characters):
    the bytes drawn at once and encoded at once, 24 bytes being exactly 32 characters of base64."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(24 * count)).decode()
    return [text[i : i + 32] for i in range(0, 32 * count, 32)]


def _routed_data(routing) -> str:
    return _dumps(
        {
            "organisations": [org.pk for org in routing.organisations],
            "duty": routing.duty,
            "rule": routing.rule.pk if routing.rule else None,
            "place_kind": routing.place_kind,
            "joint": routing.is_joint,
            "fallback": routing.fallback,
        }
    )


def _events_sql(staging: str) -> str:
    """The timeline of the cases just written, in ONE statement from their own columns and the staging table:
    registered (the call), routed, dispatched, closed, the follow-up visit: what each step's service records,
    in that order per case (ids follow the order: the timeline sorts by time, then id). Each case and its
    staging row are read once and crossed with the five steps (one join, not one per step: 7 µs an order less
    of the server's time, bench/NOTES.md); every value is a ``CASE`` of the step. Parameters: the five steps'
    actor ids, then their labels, then the cases' id range."""
    json_empty = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
    case = qn(Case._meta.db_table)
    k, st = EventKind, Status
    # Per step: kind, time, from, to, note, data, and when a case has it.
    steps = [
        (k.REGISTERED, "c.hotline_received_at", "", st.REGISTERED, "''", "s.registered", "TRUE"),
        (k.ROUTED, "s.routed_at", st.REGISTERED, st.REGISTERED, "''", "s.routed", "s.routed IS NOT NULL"),
        (
            k.DISPATCHED,
            "c.dispatched_at",
            st.REGISTERED,
            st.DISPATCHED,
            "c.hotline_unit",
            json_empty,
            "c.dispatched_at IS NOT NULL",
        ),
        (k.CLOSED, "c.closed_at", st.DISPATCHED, st.CLOSED, "''", json_empty, "c.closed_at IS NOT NULL"),
        (k.FOLLOWED_UP, "c.evaluated_at", st.CLOSED, st.EVALUATED, "''", "s.followed_up", "s.followed_up IS NOT NULL"),
    ]

    def by_step(values) -> str:
        return "CASE n.step " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values, 1)) + " END"

    def literal(value) -> str:
        return f"'{value}'"

    kinds, times, froms, tos, notes, data, kept = zip(*steps, strict=True)
    numbers = " UNION ALL ".join(f"SELECT {i} AS step" for i in range(1, len(steps) + 1))
    columns = ", ".join(EVENT_COLUMNS)
    return (
        f"INSERT INTO {qn(CaseEvent._meta.db_table)} ({columns}) "  # noqa: S608 - fixed names and values
        f"SELECT c.id, {by_step(map(literal, kinds))}, {by_step(['CAST(%s AS bigint)'] * len(steps))}, "
        f"{by_step(['CAST(%s AS text)'] * len(steps))}, {by_step(times)}, {by_step(map(literal, froms))}, "
        f"{by_step(map(literal, tos))}, {by_step(notes)}, '', {by_step(data)} "
        f"FROM {case} c JOIN {staging} s ON s.case_id = c.id CROSS JOIN ({numbers}) n "
        f"WHERE c.id BETWEEN %s AND %s AND {by_step(kept)} ORDER BY c.id, n.step"
    )


def _visits_sql(staging: str) -> str:
    """The follow-up visits of the answered orders, from the events just written."""
    visit, event, case = (qn(m._meta.db_table) for m in (FollowUpVisit, CaseEvent, Case))
    return (
        f"INSERT INTO {visit} (case_id, event_id, at, by_id, channel, reached, responded, resolved, satisfaction, "  # noqa: S608
        f"note) SELECT e.case_id, e.id, e.at, NULL, %s, %s, c.responded, c.resolved, c.satisfaction, '' "
        f"FROM {case} c JOIN {staging} s ON s.case_id = c.id JOIN {event} e ON e.case_id = c.id "
        f"WHERE c.id BETWEEN %s AND %s AND s.followed_up IS NOT NULL AND e.kind = '{EventKind.FOLLOWED_UP}' "
        f"ORDER BY e.id"
    )


@bulk.collector_paused()  # a file's worth of tuples
def _create(plan: Plan, actor, label: str, now) -> ImportResult:
    """The new orders: their rows built as tuples (no model instances), written in bulk; their timeline and
    follow-up visits by set-based statements from the cases just written."""
    new = plan.new
    result = ImportResult()
    if not new:
        return result
    numbers = _reserve_numbers(new, plan.community)
    ids = bulk.reserve_ids(Case, len(new))
    actor_id = actor.pk if actor is not None else None
    community_id = plan.community.pk
    organisation_ids = {o.pk for n in new if n.routing for o in n.routing.organisations}
    members = member_user_ids(organisation_ids) if organisation_ids else {}
    routed_data: dict[int, str] = {}  # the plan shares one Routing per (category, place)
    cases, staged, assignments, followers = [], [], [], []
    tokens = _tokens(len(new))
    # Enum members looked up once, not per row (each ``Status.X`` is a descriptor call).
    hotline, registered_status, closed, dispatched = (
        Channel.HOTLINE.value,
        Status.REGISTERED,
        Status.CLOSED,
        Status.DISPATCHED,
    )
    for case_id, number, n, token in zip(ids, numbers, new, tokens, strict=True):
        o, where, routing = n.order, n.where, n.routing
        dispatched_at = None if n.status == registered_status else (o.called_at if o.history else now)
        answered = bool(o.satisfaction)
        cases.append(
            (
                case_id,
                number,
                n.category.pk,
                o.content,
                n.lon,
                n.lat,
                o.address or n.place,
                community_id,
                where.compound_id if where else None,
                where.building_id if where else None,
                where.grid_id if where else None,
                where.zone_id if where else None,
                hotline,
                "",
                None,
                o.caller_name,
                o.caller_phone,
                actor_id,
                token,
                o.number,
                o.called_at,
                o.unit,
                o.hotline_category,
                _dumps(o.raw) if o.raw else "{}",
                n.status,
                1,
                n.urgency,
                o.called_at,
                n.deadline,
                n.triage,
                bool(routing and routing.is_joint),
                dispatched_at,
                None,
                None,
                None,
                o.closed_at if o.closed_at and o.status == closed else None,
                o.closed_at if answered else None,
                o.satisfaction,
                o.responded if answered else None,
                o.resolved if answered else None,
                "",
                0,
                0,
                0,
                0,
                0,
                None,
                None,
                now,
                now,
            )
        )
        registered = {
            "channel": hotline,
            "place": n.place,
            "import": True,
            "row": o.row,
            "hotline_category": o.hotline_category,
            "confidence": round(n.confidence, 2),
        }
        if n.triage:
            registered["triage"] = n.triage
            result.triage += 1
        follow = {actor_id} if actor_id is not None else set()
        routed_at = routed = None
        if routing is not None:
            routed_at = o.called_at if o.history else now
            routed = routed_data.get(id(routing))
            if routed is None:
                routed = routed_data[id(routing)] = _routed_data(routing)
            for org in routing.organisations:
                assignments.append((case_id, org.pk, routing.duty, None, now))
                follow |= members.get(org.pk, set())
        followed_up = None
        if answered:
            followed_up = _dumps(
                {
                    "channel": FollowUpVisit.Channel.PHONE.value,
                    "reached": True,
                    "import": True,
                    "responded": o.responded,
                    "resolved": o.resolved,
                    "satisfaction": o.satisfaction,
                }
            )
        staged.append((case_id, _dumps(registered), routed_at, routed, followed_up))
        followers.extend((case_id, u, now) for u in sorted(follow))
        if n.status == dispatched:
            result.dispatched += 1
    bulk.model_rows(Case, CASE_COLUMNS, cases)
    bulk.model_rows(CaseAssignment, ("case_id", "organisation_id", "duty", "accepted_at", "created_at"), assignments)
    bulk.model_rows(CaseFollower, ("case_id", "user_id", "created_at"), followers)
    with bulk.staging(STAGING_TABLE, STAGED, staged) as staging, connection.cursor() as cursor:
        # Per step: who (the follow-up visit: the hotline's own, as a visit records it), then the cases' id range.
        steps = [(actor_id, label)] * 4 + [(None, HOTLINE_LABEL)]
        cursor.execute(_events_sql(staging), [a for a, _ in steps] + [b for _, b in steps] + [ids[0], ids[-1]])
        if any(row[-1] is not None for row in staged):
            cursor.execute(_visits_sql(staging), [FollowUpVisit.Channel.PHONE.value, True, ids[0], ids[-1]])
    result.numbers = numbers
    result.created = len(cases)
    return result


def _update(plan: Plan, actor, label: str, now) -> int:
    """Orders imported before: their mutable fields, the version moved on (an open page then sees a conflict),
    one timeline event each. Their status is never touched."""
    if not plan.updates:
        return 0
    actor_id = actor.pk if actor is not None else None
    groups: dict[tuple[str, ...], list[Case]] = {}
    events = []
    for u in plan.updates:
        case = Case(pk=u.case_id, version=F("version") + 1, updated_at=now)
        for f, value in u.fields.items():
            setattr(case, f, value)
        # Each bulk update names only the fields that changed for that group of rows.
        groups.setdefault(tuple(sorted(u.fields)), []).append(case)
        data = _dumps({"fields": u.changed, "row": u.order.row})
        events.append((u.case_id, EventKind.HOTLINE_UPDATED.value, actor_id, label, now, "", "", "", "", data))
    for names, rows in groups.items():
        Case.objects.bulk_update(rows, [*names, "version", "updated_at"], batch_size=1000)
    bulk.model_rows(CaseEvent, EVENT_COLUMNS, events)
    return len(plan.updates)


def target_community(actor, community: Community | str | None) -> Community:
    """The community the orders go to: the one given (a row or its slug), else the single community the actor
    manages. Refused when it is unknown, not the actor's, or ambiguous."""
    j = policy.jurisdiction_of(actor) if actor is not None else None
    if isinstance(community, str) and community:
        found = Community.objects.select_related("subdistrict").filter(slug=community).first()
        if found is None:
            raise CaseError(
                CaseErrorCode.INVALID_INPUT,
                _("没有网址名为“%(slug)s”的社区，请检查社区参数。") % {"slug": community},
                field="community",
            )
        community = found
    if isinstance(community, Community):
        if j is not None and not (j.everything or community.pk in j.manage_community_ids):
            raise CaseError(
                CaseErrorCode.PERMISSION_DENIED,
                _("您不管理%(community)s，不能导入它的工单。") % {"community": community},
            )
        return community
    managed = (
        Community.objects.select_related("subdistrict").filter(pk__in=j.manage_community_ids)
        if j is not None and not j.everything
        else Community.objects.select_related("subdistrict").all()
    )
    found = list(managed[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CaseError(CaseErrorCode.PERMISSION_DENIED, _("只有社区或街道工作人员可以导入热线工单。"))
    raise CaseError(CaseErrorCode.INVALID_INPUT, _("您管理多个社区，请选择工单要导入的社区。"), field="community")


def hotline_import(
    *,
    actor,
    community: Community | str | None = None,
    file: IO | str | bytes | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    before_write: Callable[[], None] | None = None,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import 12345 work orders (派单) into ``community``: a CSV or .xlsx (``file``) or dicts keyed by a column's
    header or key (``rows``). All orders or none.

    Raises ``HotlineImportError`` listing every bad row, having written nothing. New orders become hotline cases
    (registered, routed and dispatched when their place and category are sure, else waiting for staff: 待分拣);
    orders imported before are updated (never their status) or counted as unchanged. ``actor`` None is the
    command line. The checks run before the write transaction opens; ``on_written`` runs inside it (a job
    records its success there, so both commit or neither does)."""
    if actor is not None and not policy.jurisdiction_of(actor).is_staff_level:
        raise CaseError(CaseErrorCode.PERMISSION_DENIED, _("只有社区或街道工作人员可以导入热线工单。"))
    community = target_community(actor, community)
    sheet = TABLE.read(file) if file is not None else TABLE.sheet_from_dicts(rows or [])
    plan = plan_orders(sheet, actor=actor, community=community, progress=progress)
    if plan.errors:
        raise HotlineImportError(plan.errors)
    if before_write is not None:
        before_write()
    user = actor if actor is not None and actor.is_authenticated else None
    label = str(actor)[:100] if user is not None else HOTLINE_LABEL
    now = timezone.now()
    try:
        with transaction.atomic():
            result = _create(plan, user, label, now)
            result.updated = _update(plan, user, label, now)
            result.unchanged = plan.unchanged
            if on_written is not None:
                on_written(result)
    except IntegrityError:
        if Case.objects.filter(hotline_number__in=[n.order.number for n in plan.new[:1000]]).exists():
            raise CaseError(
                CaseErrorCode.CONFLICT, _("部分工单刚刚被其他人导入，未导入任何工单。请重新导入同一文件。")
            ) from None
        raise
    return result


__all__ = ["ImportResult", "Triage", "hotline_import", "target_community"]
