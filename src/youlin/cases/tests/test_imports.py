"""Importing 12345 work orders (派单): every row checked first, all or nothing, upsert by 工单编号, places from
the address, triage for what is not sure, bulk writes."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from youlin.cases import classify
from youlin.cases.errors import CaseError
from youlin.cases.imports import COLUMNS, DISPATCH_COLUMNS, HotlineImportError, hotline_import
from youlin.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Channel,
    EventKind,
    FollowUpVisit,
    Satisfaction,
    Status,
    Triage,
)
from youlin.cases.tests.factories import jia_point

pytestmark = pytest.mark.django_db

SPK = "shoupakou-nanjie"
HEADER_ZH = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求类型", "承办单位", "办理时限"]


def order(n: int, **overrides) -> dict:
    row = {
        "work_order_number": f"GD2026{n:08d}",
        "called_at": f"2026-11-{1 + n % 20:02d} 09:{n % 60:02d}",
        "caller_name": "王**",
        "caller_phone": "138****1234",
        "address": "手帕口南街36号院甲楼2单元",
        "content": f"楼道堆物，影响通行，第 {n} 单",
        "hotline_category": "城乡建设-市容环卫-楼道堆物",
        "handling_unit": "广外街道",
        "time_limit": "5个工作日",
    }
    row.update(overrides)
    return row


def as_csv(rows: list[dict], header=None, extra: dict | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    keys = list(DISPATCH_COLUMNS)
    writer.writerow([*(header or HEADER_ZH), *(extra or {})])
    for r in rows:
        writer.writerow([r.get(k, "") for k in keys] + [r.get(k, "") for k in (extra or {})])
    return out.getvalue()


def test_a_dispatch_file_becomes_located_routed_dispatched_cases(users):
    text = as_csv([order(1), order(2)], extra={"区县": ""})
    text = text.replace("\r\n", "\n").replace(",\n", ",西城区\n", 2)
    result = hotline_import(actor=users.spk_staff, file=text)
    assert (result.created, result.updated, result.unchanged, result.dispatched, result.triage) == (2, 0, 0, 2, 0)
    case = Case.objects.get(hotline_number="GD202600000001")
    assert case.channel == Channel.HOTLINE and case.status == Status.DISPATCHED
    assert case.community.slug == SPK and case.compound.name == "手帕口南街36号院" and case.building.name == "甲楼"
    assert case.category.name == "楼道堆物" and case.hotline_category == "城乡建设-市容环卫-楼道堆物"
    assert (case.reporter_name, case.reporter_phone) == ("王**", "138****1234")
    assert case.hotline_data == {"区县": "西城区"}  # an unknown column is kept, not dropped
    assert case.assignments.exists()
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.ROUTED, EventKind.DISPATCHED]
    # 5 working days from Monday 2026-11-02 09:01: Monday 2026-11-09 09:01.
    assert case.deadline.astimezone(case.registered_at.tzinfo).strftime("%Y-%m-%d %H:%M") == "2026-11-09 01:01"


def test_english_headers_and_a_deadline_given_as_a_date_time(users):
    text = as_csv([order(1, time_limit="2026-11-20 18:00")], header=list(DISPATCH_COLUMNS))
    assert hotline_import(actor=users.spk_staff, file=text).created == 1
    case = Case.objects.get(hotline_number="GD202600000001")
    assert case.deadline.isoformat() == "2026-11-20T10:00:00+00:00"


def test_re_importing_the_same_file_duplicates_nothing_and_counts_changes(users):
    rows = [order(n) for n in range(1, 6)]
    first = hotline_import(actor=users.spk_staff, file=as_csv(rows))
    assert first.created == 5
    events = CaseEvent.objects.count()
    again = hotline_import(actor=users.spk_staff, file=as_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Case.objects.filter(hotline_number__startswith="GD2026").count() == 5
    assert CaseEvent.objects.count() == events
    rows[1]["content"] = "楼道堆物仍未清理，再次反映"
    rows[2]["caller_phone"] = "139****0000"
    Case.objects.filter(hotline_number=rows[3]["work_order_number"]).update(status=Status.CLOSED)
    changed = hotline_import(actor=users.spk_staff, file=as_csv([*rows, order(9)]))
    assert (changed.created, changed.updated, changed.unchanged) == (1, 2, 3)
    second = Case.objects.get(hotline_number=rows[1]["work_order_number"])
    assert second.description == "楼道堆物仍未清理，再次反映" and second.version == 2
    assert second.events.filter(kind=EventKind.HOTLINE_UPDATED).count() == 1
    assert Case.objects.get(hotline_number=rows[3]["work_order_number"]).status == Status.CLOSED  # never touched


def test_every_bad_row_is_reported_and_nothing_is_written(users):
    rows = [order(1), order(2, called_at="昨天"), order(3, content=""), order(1), order(4, time_limit="尽快")]
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, file=as_csv(rows))
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "来电时间"),
        (4, "诉求内容"),
        (5, "工单编号"),
        (6, "办理时限"),
    ]
    assert "第 2 行" in caught.value.errors[2].reason
    assert not Case.objects.exists() and not CaseNumberCounter.objects.exists()


def test_a_missing_column_is_a_header_problem(users):
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, file="工单编号,诉求内容\nGD1,x\n")
    assert [(e.row, e.column, e.reason) for e in caught.value.errors] == [(1, "来电时间", "缺少此列。")]


def test_an_address_that_cannot_be_located_waits_in_the_triage_queue(users):
    result = hotline_import(actor=users.spk_staff, file=as_csv([order(1, address="火星路1号"), order(2)]))
    assert (result.created, result.triage, result.dispatched) == (2, 1, 1)
    case = Case.objects.get(hotline_number="GD202600000001")
    assert case.triage == Triage.LOCATION and case.status == Status.REGISTERED
    assert case.community.slug == SPK and case.building is None
    assert not case.assignments.exists()
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.REGISTERED]


def test_an_unsure_category_waits_in_the_triage_queue(users):
    rows = [order(1, hotline_category="其他-咨询", content="反映情况，请尽快处理")]
    result = hotline_import(actor=users.spk_staff, file=as_csv(rows))
    case = Case.objects.get(hotline_number="GD202600000001")
    assert result.triage == 1 and case.triage == Triage.CATEGORY and case.status == Status.REGISTERED
    assert case.category.code == classify.UNCLASSIFIED_CODE and case.building.name == "甲楼"


def test_a_registered_classifier_is_used_and_its_confidence_decides(users, settings):
    from youlin.cases.models import Category

    chosen = Category.objects.get(kind="matter", code="07001")

    def factory():
        return lambda hotline_category, content: classify.Classification(chosen, 0.55)

    classify.register(factory)
    try:
        settings.YOULIN_INTAKE_MIN_CONFIDENCE = 0.5
        hotline_import(actor=users.spk_staff, file=as_csv([order(1)]))
        settings.YOULIN_INTAKE_MIN_CONFIDENCE = 0.6
        hotline_import(actor=users.spk_staff, file=as_csv([order(2)]))
    finally:
        classify.unregister(factory)
    sure, unsure = Case.objects.order_by("hotline_number")
    assert sure.category == chosen and sure.status == Status.DISPATCHED and sure.triage == ""
    assert unsure.category == chosen and unsure.triage == Triage.CATEGORY


def test_coordinates_place_an_order_and_another_community_is_triage(users):
    lon, lat = jia_point()
    rows = [
        {**order(1, address=""), "经度": f"{lon:.7f}", "纬度": f"{lat:.7f}"},
        {**order(2, address=""), "经度": "116.3500000", "纬度": "39.9300000"},  # somewhere else in the city
    ]
    hotline_import(actor=users.spk_staff, file=as_csv(rows, extra={"经度": "", "纬度": ""}))
    first, second = Case.objects.order_by("hotline_number")
    assert first.building.name == "甲楼" and first.triage == ""
    assert second.triage == Triage.LOCATION and second.community.slug == SPK


def test_history_columns_write_the_follow_up_visit_with_the_given_answers(users):
    rows = [
        {
            **order(1),
            "办理状态": "已办结",
            "办结时间": "2026-11-05 17:00",
            "满意度": "基本满意",
            "是否联系": "是",
            "是否解决": "否",
        }
    ]
    header = [*HEADER_ZH, "办理状态", "办结时间", "满意度", "是否联系", "是否解决"]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerow([rows[0].get(k, "") for k in DISPATCH_COLUMNS] + [rows[0][h] for h in header[9:]])
    hotline_import(actor=users.spk_staff, file=out.getvalue())
    case = Case.objects.get()
    assert case.status == Status.EVALUATED and case.satisfaction == Satisfaction.BASICALLY_SATISFIED
    assert (case.responded, case.resolved) == (True, False)
    visit = FollowUpVisit.objects.get(case=case)
    assert (visit.reached, visit.responded, visit.resolved) == (True, True, False)
    assert visit.event.kind == EventKind.FOLLOWED_UP


def test_satisfaction_without_the_other_two_answers_is_refused(users):
    header = [*HEADER_ZH, "办理状态", "办结时间", "满意度"]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerow([order(1).get(k, "") for k in DISPATCH_COLUMNS] + ["已办结", "2026-11-05 17:00", "满意"])
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, file=out.getvalue())
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "满意度")]


def test_xlsx_with_a_title_row_and_gb18030_csv(users):
    wb = Workbook()
    ws = wb.active
    ws.append(["12345 派单 2026-11-02"])
    ws.append(HEADER_ZH)
    ws.append([order(1)[k] for k in DISPATCH_COLUMNS])
    content = io.BytesIO()
    wb.save(content)
    assert hotline_import(actor=users.spk_staff, file=content.getvalue()).created == 1
    text = as_csv([order(2)])
    assert hotline_import(actor=users.spk_staff, file=text.encode("gb18030")).created == 1


def test_the_target_community_must_be_the_actors_and_unambiguous(users):
    with pytest.raises(CaseError) as caught:
        hotline_import(actor=users.spk_staff, community="gangyuan", file=as_csv([order(1)]))
    assert caught.value.code == "permission_denied"
    with pytest.raises(CaseError) as caught:
        hotline_import(actor=users.district, file=as_csv([order(1)]))  # the district manages every community
    assert caught.value.code == "invalid_input" and caught.value.field == "community"
    assert hotline_import(actor=users.district, community=SPK, file=as_csv([order(1)])).created == 1
    assert hotline_import(actor=users.gw_officer, file=as_csv([order(3)])).created == 1  # 广外's one community
    with pytest.raises(CaseError):
        hotline_import(actor=users.spk_resident, file=as_csv([order(2)]))


def test_an_order_registered_in_a_community_the_actor_does_not_manage_is_refused(users):
    hotline_import(actor=users.gw_officer, community=SPK, file=as_csv([order(1)]))
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.gy_secretary, file=as_csv([order(1, address="")]))
    assert caught.value.errors[0].column == "工单编号" and "手帕口南街社区" in caught.value.errors[0].reason


def test_columns_accept_both_header_languages():
    assert COLUMNS["work_order_number"] == ("工单编号", "work_order_number")
    assert COLUMNS["called_at"][:2] == ("来电时间", "called_at")
