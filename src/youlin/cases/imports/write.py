"""Writing a checked plan: all orders or none, on bulk paths. Case numbers are reserved per community and day
with one upsert per batch of counters; cases, their responsible parties, followers, timeline events and follow-up
visits go in with ``bulk_create`` (``COPY`` on PostgreSQL); updates of orders imported before with one bulk
update and one timeline event each."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases.errors import CaseError, CaseErrorCode
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


def _event(case_id: int, kind: str, at, actor, label: str, **fields) -> CaseEvent:
    return CaseEvent(case_id=case_id, kind=kind, at=at, actor=actor, actor_label=label, **fields)


def _create(plan: Plan, actor, label: str, now) -> ImportResult:
    new = plan.new
    result = ImportResult()
    if not new:
        return result
    numbers = _reserve_numbers(new, plan.community)
    cases = []
    for n, number in zip(new, numbers, strict=True):
        o, where = n.order, n.where
        dispatched = n.status not in {Status.REGISTERED}
        cases.append(
            Case(
                number=number,
                category=n.category,
                description=o.content,
                lon=n.lon,
                lat=n.lat,
                address=o.address or n.place,
                community_id=plan.community.pk,
                compound_id=where.compound_id if where else None,
                building_id=where.building_id if where else None,
                grid_id=where.grid_id if where else None,
                zone_id=where.zone_id if where else None,
                channel=Channel.HOTLINE,
                channel_detail="",
                reporter_name=o.caller_name,
                reporter_phone=o.caller_phone,
                registered_by=actor,
                tracking_token=secrets.token_urlsafe(24),
                hotline_number=o.number,
                hotline_received_at=o.called_at,
                hotline_unit=o.unit,
                hotline_category=o.hotline_category,
                hotline_data=o.raw,
                status=n.status,
                version=1,
                urgency=n.urgency,
                registered_at=o.called_at,
                deadline=n.deadline,
                triage=n.triage,
                needs_deliberation=bool(n.routing and n.routing.is_joint),
                dispatched_at=(o.called_at if o.history else now) if dispatched else None,
                closed_at=o.closed_at if o.closed_at and o.status == Status.CLOSED else None,
                evaluated_at=o.closed_at if o.satisfaction else None,
                satisfaction=o.satisfaction,
                responded=o.responded if o.satisfaction else None,
                resolved=o.resolved if o.satisfaction else None,
                evaluation_comment="",
                rework_count=0,
                reopen_count=0,
                supervise_count=0,
                supervision_level=0,
                support_count=0,
                created_at=now,
                updated_at=now,
            )
        )
    cases = _insert(Case, cases)

    organisation_ids = {o.pk for n in new if n.routing for o in n.routing.organisations}
    members = member_user_ids(organisation_ids) if organisation_ids else {}
    assignments, followers, events, visits = [], [], [], []
    for case, n in zip(cases, new, strict=True):
        o = n.order
        follow = {actor.pk} if actor is not None else set()
        registered = {
            "channel": Channel.HOTLINE,
            "place": n.place,
            "import": True,
            "row": o.row,
            "hotline_category": o.hotline_category,
            "confidence": round(n.confidence, 2),
        }
        if n.triage:
            registered["triage"] = n.triage
        events.append(
            _event(
                case.pk, EventKind.REGISTERED, o.called_at, actor, label, to_status=Status.REGISTERED, data=registered
            )
        )
        if n.routing is not None:
            at = o.called_at if o.history else now
            for org in n.routing.organisations:
                assignments.append(
                    CaseAssignment(case_id=case.pk, organisation_id=org.pk, duty=n.routing.duty, created_at=now)
                )
                follow |= members.get(org.pk, set())
            events.append(
                _event(
                    case.pk,
                    EventKind.ROUTED,
                    at,
                    actor,
                    label,
                    from_status=Status.REGISTERED,
                    to_status=Status.REGISTERED,
                    data={
                        "organisations": [org.pk for org in n.routing.organisations],
                        "duty": n.routing.duty,
                        "rule": n.routing.rule.pk if n.routing.rule else None,
                        "place_kind": n.routing.place_kind,
                        "joint": n.routing.is_joint,
                        "fallback": n.routing.fallback,
                    },
                )
            )
        if case.dispatched_at is not None:
            events.append(
                _event(
                    case.pk,
                    EventKind.DISPATCHED,
                    case.dispatched_at,
                    actor,
                    label,
                    from_status=Status.REGISTERED,
                    to_status=Status.DISPATCHED,
                    note=o.unit,
                )
            )
        if case.closed_at is not None:
            events.append(
                _event(
                    case.pk,
                    EventKind.CLOSED,
                    o.closed_at,
                    actor,
                    label,
                    from_status=Status.DISPATCHED,
                    to_status=Status.CLOSED,
                )
            )
        if o.satisfaction:
            answers = {"responded": o.responded, "resolved": o.resolved, "satisfaction": o.satisfaction}
            visit_event = _event(
                case.pk,
                EventKind.FOLLOWED_UP,
                o.closed_at,
                None,
                HOTLINE_LABEL,
                from_status=Status.CLOSED,
                to_status=Status.EVALUATED,
                data={"channel": FollowUpVisit.Channel.PHONE, "reached": True, "import": True, **answers},
            )
            events.append(visit_event)
            visits.append((case.pk, visit_event, answers))
        followers.extend(CaseFollower(case_id=case.pk, user_id=u, created_at=now) for u in sorted(follow))
        result.numbers.append(case.number)
        if n.triage:
            result.triage += 1
        if n.status == Status.DISPATCHED:
            result.dispatched += 1
    _insert(CaseAssignment, assignments)
    _insert(CaseFollower, followers)
    _insert(CaseEvent, events)
    _insert(
        FollowUpVisit,
        [
            FollowUpVisit(
                case_id=case_id,
                event_id=event.pk,
                at=event.at,
                by=None,
                channel=FollowUpVisit.Channel.PHONE,
                reached=True,
                note="",
                **answers,
            )
            for case_id, event, answers in visits
        ],
    )
    result.created = len(cases)
    return result


def _update(plan: Plan, actor, label: str, now) -> int:
    """Orders imported before: their mutable fields, the version moved on (an open page then sees a conflict),
    one timeline event each. Their status is never touched."""
    if not plan.updates:
        return 0
    cases = []
    events = []
    for u in plan.updates:
        case = Case(pk=u.case_id, version=F("version") + 1, updated_at=now)
        for f, value in u.fields.items():
            setattr(case, f, value)
        cases.append((case, u))
        events.append(
            _event(
                u.case_id, EventKind.HOTLINE_UPDATED, now, actor, label, data={"fields": u.changed, "row": u.order.row}
            )
        )
    # Each bulk update names only the fields that changed for that group of rows.
    groups: dict[tuple[str, ...], list[Case]] = {}
    for case, u in cases:
        groups.setdefault(tuple(sorted(u.fields)), []).append(case)
    for names, rows in groups.items():
        Case.objects.bulk_update(rows, [*names, "version", "updated_at"], batch_size=1000)
    _insert(CaseEvent, events)
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
