"""Importing 12345 work orders: every row checked first, all or nothing, bulk writes."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.imports import COLUMNS, HotlineImportError, hotline_import
from youlin.cases.models import Case, CaseEvent, CaseNumberCounter, Channel, EventKind, Status
from youlin.cases.tests.factories import building_point, jia_point

pytestmark = pytest.mark.django_db

HEADER_ZH = [
    "工单编号",
    "受理时间",
    "地址",
    "经度",
    "纬度",
    "诉求内容",
    "类别代码",
    "承办单位",
    "办理状态",
    "办结时间",
    "满意度",
]


def order(n: int, **overrides) -> dict:
    lon, lat = jia_point()
    row = {
        "work_order_number": f"GD2024{n:08d}",
        "received_at": f"2024-05-{1 + n % 27:02d} 09:{n % 60:02d}",
        "address": "",
        "lon": f"{lon:.7f}",
        "lat": f"{lat:.7f}",
        "content": f"楼道堆物，第 {n} 单",
        "category_code": "06036",
        "handling_unit": "广外街道",
        "status": "已办结",
        "closed_at": f"2024-05-{1 + n % 27:02d} 18:00",
        "satisfaction": "满意",
    }
    row.update(overrides)
    return row


def as_csv(rows: list[dict], header=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or list(COLUMNS))
    for r in rows:
        writer.writerow([r[c] for c in COLUMNS])
    return out.getvalue()


def test_a_clean_file_becomes_located_hotline_cases_with_their_timeline(users):
    rows = [order(1), order(2, status="办理中", closed_at="", satisfaction=""), order(3, satisfaction="")]
    result = hotline_import(actor=users.spk_staff, file=as_csv(rows, header=HEADER_ZH))
    assert result.created == 3
    cases = {c.hotline_number: c for c in Case.objects.filter(hotline_number__startswith="GD2024")}
    first = cases["GD202400000001"]
    assert first.channel == Channel.HOTLINE
    assert first.community.case_prefix == "SPK"
    assert first.building.name == "甲楼"
    assert first.status == Status.EVALUATED and first.satisfaction == "satisfied" and first.resolved is True
    assert first.number.startswith("SPK20240502")
    assert cases["GD202400000002"].status == Status.DISPATCHED and cases["GD202400000002"].closed_at is None
    assert cases["GD202400000003"].status == Status.CLOSED
    kinds = list(first.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.DISPATCHED, EventKind.CLOSED, EventKind.EVALUATED]
    assert set(result.numbers) == {c.number for c in cases.values()}


def test_numbers_carry_on_from_the_daily_counter(users):
    hotline_import(actor=users.spk_staff, rows=[order(1), order(28)])  # the same day (2024-05-02)
    numbers = sorted(Case.objects.filter(hotline_number__startswith="GD2024").values_list("number", flat=True))
    assert numbers == ["SPK20240502001", "SPK20240502002"]
    hotline_import(actor=users.spk_staff, rows=[order(55)])
    assert Case.objects.get(hotline_number="GD202400000055").number == "SPK20240502003"
    assert CaseNumberCounter.objects.get(community__case_prefix="SPK", day="2024-05-02").last == 3


def test_an_address_can_name_a_building(users):
    row = order(1, lon="", lat="", address="手帕口南街36号院乙楼")
    hotline_import(actor=users.spk_staff, rows=[row])
    assert Case.objects.get(hotline_number="GD202400000001").building.name == "乙楼"


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(users):
    rows = [
        order(1),
        order(2, received_at="yesterday"),
        order(3, category_code="99999", content=""),
        order(4, lon="200"),
        order(1),  # duplicate number within the file
        order(6, closed_at="2024-04-01 08:00"),
    ]
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, rows=rows)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "received_at"),
        (4, "category_code"),
        (4, "content"),
        (5, "lon"),
        (6, "work_order_number"),
        (7, "closed_at"),
    }
    assert not Case.objects.filter(channel=Channel.HOTLINE).exists()


def test_a_work_order_already_registered_is_refused(users):
    hotline_import(actor=users.spk_staff, rows=[order(1)])
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, rows=[order(2), order(1)])
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "work_order_number")]
    assert Case.objects.filter(hotline_number__startswith="GD2024").count() == 1


def test_rows_outside_the_actors_communities_are_refused(users):
    lon, lat = building_point("月坛北小街1号院", "1号楼")  # 阜外东, not 手帕口南街
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, rows=[order(1), order(2, lon=f"{lon}", lat=f"{lat}")])
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "lon")]


def test_a_missing_column_is_reported_on_the_header_row(users):
    text = "工单编号,受理时间,经度,纬度\nGD1,2024-05-01 09:00,116.33,39.88\n"
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=users.spk_staff, file=text)
    assert {(e.row, e.column) for e in caught.value.errors} == {(1, "content"), (1, "category_code"), (1, "status")}


def test_residents_may_not_import(users):
    with pytest.raises(CaseError) as caught:
        hotline_import(actor=users.spk_resident, rows=[order(1)])
    assert caught.value.code == CaseErrorCode.PERMISSION_DENIED


CORRUPTIONS = {
    "work_order_number": "",
    "received_at": "2024-13-45 99:99",
    "content": "   ",
    "category_code": "1234",
    "status": "不知道",
    "closed_at": "不是时间",
    "satisfaction": "还行",
    "lon": "abc",
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=8), data=st.data())
def test_one_bad_row_anywhere_means_nothing_is_written(demo_user, size, data):
    bad_at = data.draw(st.integers(min_value=0, max_value=size - 1), label="bad row")
    column = data.draw(st.sampled_from(sorted(CORRUPTIONS)), label="bad column")
    rows = [order(n) for n in range(size)]
    rows[bad_at] = {**rows[bad_at], column: CORRUPTIONS[column]}
    before = (Case.objects.count(), CaseEvent.objects.count(), list(CaseNumberCounter.objects.values_list("last")))
    with pytest.raises(HotlineImportError) as caught:
        hotline_import(actor=demo_user("spk_staff"), file=as_csv(rows))
    assert bad_at + 2 in {e.row for e in caught.value.errors}
    after = (Case.objects.count(), CaseEvent.objects.count(), list(CaseNumberCounter.objects.values_list("last")))
    assert after == before


def test_an_xlsx_export_with_typed_cells_imports_like_the_csv(users):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Work Order Number", "受理时间", "Lon", "Lat", "诉求内容", "类别代码", "办理状态", "办结时间", "满意度"]
    )
    lon, lat = jia_point()
    received, closed = datetime(2024, 5, 2, 9, 30), datetime(2024, 5, 2, 18, 0)  # noqa: DTZ001 - cells are naive
    sheet.append(["GD202400000101", received, lon, lat, "楼道堆物", "06036", "已办结", closed, "满意"])
    content = io.BytesIO()
    workbook.save(content)
    assert hotline_import(actor=users.spk_staff, file=content.getvalue()).created == 1
    case = Case.objects.get(hotline_number="GD202400000101")
    assert (case.status, case.number[:11]) == (Status.EVALUATED, "SPK20240502")
    assert case.hotline_received_at == received.replace(tzinfo=ZoneInfo("Asia/Shanghai"))  # Beijing time


def test_a_csv_saved_in_gb18030_is_read(users):
    text = as_csv([order(1)], header=HEADER_ZH)
    assert hotline_import(actor=users.spk_staff, file=text.encode("gb18030")).created == 1
    assert Case.objects.filter(hotline_number="GD202400000001").exists()
