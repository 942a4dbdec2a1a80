"""The import's writes as they were before the set-based path (issue 15): model instances, one timeline event
built in Python per step, ``bulk_create`` (``COPY`` of the instances on PostgreSQL). Kept as the oracle of
``test_import_equivalence``: the fast path must write the same cases, events, assignments, followers and
follow-up visits for the same plan."""

from __future__ import annotations

import json
import secrets

from django.db import connection
from django.db.models import F

from youlin.cases.imports.plan import Plan
from youlin.cases.imports.write import HOTLINE_LABEL, ImportResult, _reserve_numbers
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseFollower,
    Channel,
    EventKind,
    FollowUpVisit,
    Status,
)
from youlin.cases.selectors import member_user_ids


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


def create(plan: Plan, actor, label: str, now) -> ImportResult:
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


def update(plan: Plan, actor, label: str, now) -> int:
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
