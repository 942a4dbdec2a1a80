"""The set-based import (plain rows, one ``INSERT … SELECT`` for the timeline) writes what the import wrote with
model instances, one event built per step (``import_reference``): the same cases, timeline events, assignments,
followers and follow-up visits, field by field, for new orders of every kind and for updates. Only ids, the
random tracking token and the row timestamps (``created_at``, ``updated_at``) may differ."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.utils import timezone

from youlin.cases.imports import TABLE, hotline_import, plan_orders, target_community
from youlin.cases.imports.write import CASE_COLUMNS, EVENT_COLUMNS, HOTLINE_LABEL
from youlin.cases.models import Case, CaseEvent, FollowUpVisit
from youlin.cases.tests import import_reference
from youlin.cases.tests.factories import jia_point

pytestmark = pytest.mark.django_db

SPK = "shoupakou-nanjie"
HEADER = [
    "工单编号",
    "来电时间",
    "诉求人",
    "联系电话",
    "诉求地址",
    "诉求内容",
    "诉求类型",
    "承办单位",
    "办理时限",
    "办理状态",
    "办结时间",
    "满意度",
    "是否联系",
    "是否解决",
    "经度",
    "纬度",
    "区县",
]
SKIPPED = {"id", "tracking_token", "created_at", "updated_at"}


def order(n: int, **cells) -> dict:
    row = {
        "工单编号": f"EQ2026{n:06d}",
        "来电时间": f"2026-11-{1 + n % 20:02d} 09:{n % 60:02d}",
        "诉求人": "王**",
        "联系电话": "138****1234",
        "诉求地址": "手帕口南街36号院甲楼2单元",
        "诉求内容": f"楼道堆物，影响通行，第 {n} 单",
        "诉求类型": "城乡建设-市容环卫-楼道堆物",
        "承办单位": "广外街道",
        "办理时限": "5个工作日",
    }
    row.update(cells)
    return row


def every_kind() -> list[dict]:
    """One order of each kind the import distinguishes."""
    lon, lat = jia_point()
    closed = {"办理状态": "已办结", "办结时间": "2026-11-06 17:00"}
    return [
        order(1, 区县="西城区"),  # located, routed, dispatched; an unknown column kept
        order(2, 诉求地址="火星路1号"),  # not located: triage
        order(3, 诉求类型="其他-咨询", 诉求内容="反映情况，请尽快处理"),  # unsure category: triage
        order(4, **closed, 满意度="基本满意", 是否联系="是", 是否解决="否"),  # closed, visited
        order(5, **closed),  # closed, not visited
        order(6, 办理状态="办理中"),
        order(7, 办理状态="已受理"),
        order(8, 办理时限="2026-11-20 18:00"),
        order(9, 办理时限="24小时"),
        order(10, 诉求地址="", 经度=f"{lon:.7f}", 纬度=f"{lat:.7f}"),  # placed by its coordinates
        order(11, 诉求地址="", 经度="116.3500000", 纬度="39.9300000"),  # in another community: triage
        *(order(n, 诉求地址=f"手帕口南街36号院甲楼{n % 3 + 1}单元") for n in range(12, 20)),
    ]


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow([r.get(h, "") for h in HEADER])
    return out.getvalue()


def snapshot(numbers: list[str]) -> dict:
    """Everything the import wrote for these orders, without ids, tokens and row timestamps."""
    out = {}
    for case in Case.objects.filter(hotline_number__in=numbers).order_by("hotline_number"):
        fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if f.attname not in SKIPPED}
        events = []
        for event in CaseEvent.objects.filter(case=case).order_by("at", "id"):
            row = {f.attname: getattr(event, f.attname) for f in CaseEvent._meta.concrete_fields}
            del row["id"], row["case_id"]
            visit = FollowUpVisit.objects.filter(event=event).values().first()
            if visit is not None:
                for key in ("id", "case_id", "event_id"):
                    del visit[key]
            events.append({**row, "visit": visit})
        out[case.hotline_number] = {
            "case": fields,
            "events": events,
            "assignments": sorted(case.assignments.values_list("organisation_id", "duty", "accepted_at")),
            "followers": sorted(case.followers.values_list("user_id", flat=True)),
        }
    return out


class _Undo(Exception):
    pass


def reference_import(actor, rows: list[dict]) -> dict:
    """What the instance-based writer made of the same file (then rolled back, counters included)."""
    user = actor if actor is not None else None
    label = str(actor)[:100] if user is not None else HOTLINE_LABEL
    community = target_community(actor, SPK)
    plan = plan_orders(TABLE.read(as_csv(rows)), actor=actor, community=community)
    assert not plan.errors, plan.errors
    numbers = [r["工单编号"] for r in rows]
    found = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            created = import_reference.create(plan, user, label, now)
            updated = import_reference.update(plan, user, label, now)
            found = {"counts": (created.created, updated, plan.unchanged), "written": snapshot(numbers)}
            raise _Undo
    except _Undo:
        pass
    return found


def assert_same(fast: dict, reference: dict) -> None:
    assert fast.keys() == reference.keys()
    for number in reference:
        for part in ("case", "events", "assignments", "followers"):
            assert fast[number][part] == reference[number][part], (number, part)


@pytest.mark.parametrize("who", ["spk_staff", None])
def test_the_set_based_import_writes_what_the_instance_based_one_wrote(users, clock, who):
    actor = getattr(users, who) if who else None
    reference = reference_import(actor, every_kind())
    result = hotline_import(actor=actor, community=SPK, file=as_csv(every_kind()))
    fast = snapshot([r["工单编号"] for r in every_kind()])
    assert (result.created, result.updated, result.unchanged) == reference["counts"] == (19, 0, 0)
    assert_same(fast, reference["written"])
    kinds = {e["kind"] for case in fast.values() for e in case["events"]}
    assert kinds == {"registered", "routed", "dispatched", "closed", "followed_up"}  # every step was compared
    assert sum(bool(case["case"]["triage"]) for case in fast.values()) == 3
    assert sum(e["visit"] is not None for case in fast.values() for e in case["events"]) == 1


def test_updates_of_orders_imported_before_are_the_same(users, clock):
    actor = users.spk_staff
    rows = every_kind()
    hotline_import(actor=actor, community=SPK, file=as_csv(rows))
    clock.advance(days=1)
    rows[0]["诉求内容"] = "楼道堆物仍未清理，再次反映"
    rows[1]["联系电话"] = "139****0000"
    rows[4]["办理时限"] = "2026-11-30 18:00"
    again = [*rows, order(30), order(31, 诉求地址="火星路2号")]
    reference = reference_import(actor, again)
    result = hotline_import(actor=actor, community=SPK, file=as_csv(again))
    assert (result.created, result.updated, result.unchanged) == reference["counts"] == (2, 3, 16)
    assert_same(snapshot([r["工单编号"] for r in again]), reference["written"])


def test_the_plain_rows_name_every_column_of_a_case_and_an_event():
    """A field added to either model must be written by the import too (the rows are tuples, not instances)."""
    assert set(CASE_COLUMNS) == {f.attname for f in Case._meta.concrete_fields}
    assert {"id", *EVENT_COLUMNS} == {f.attname for f in CaseEvent._meta.concrete_fields}
