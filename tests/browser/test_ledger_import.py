"""阜外东社区's staff member brings the office's Excel ledger in: one bad row means nothing is imported and
the page lists each problem (row, column, reason); after fixing the row the file imports; the ledger exported
again imports back without a change (the file round-trips)."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["序号", "问题位置", "问题描述", "责任单位", "整改措施", "整改时限", "整改情况", "照片"]


def office_sheet(bad: bool) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["阜外东社区整治台账（2026年）"])
    ws.append(HEADERS)
    ws.append(
        [
            1,
            "月坛北小街1号院1号楼",
            "楼道堆放旧家具、纸箱",
            "中央国家机关某服务中心",
            "劝导清理",
            date(2026, 12, 1),
            "整改中",
            "",
        ]
    )
    ws.append(
        [
            2,
            "月坛北小街5号院",
            "楼前堆物堆料",
            "中央国家机关某服务中心",
            "统一清运",
            "2026-12-32" if bad else "2026-12-15",
            "待整改",
            "",
        ]
    )
    ws.append([3, "阜外东2号院1号楼", "楼道小广告", "阜外东社区居委会", "铲除", date(2026, 12, 5), "已整改", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def snapshot(ledger):
    from youlin.ledgers.models import LedgerEntry

    return list(
        LedgerEntry.objects.filter(ledger=ledger)
        .order_by("seq")
        .values_list(
            "seq",
            "location_text",
            "building_id",
            "description",
            "responsible_party_id",
            "measure",
            "deadline",
            "status",
            "done_on",
        )
    )


def upload(page, live_server, ledger, name, content):
    page.goto(f"{live_server.url}/ledgers/{ledger.pk}/")
    page.click("[data-testid=import-link]")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": name,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ],
    )
    page.click("[data-testid=import-submit]")
    page.wait_for_selector(
        "[data-testid=import-status][data-status=succeeded], [data-testid=import-status][data-status=failed]"
    )


def test_import_with_a_bad_row_then_fix_then_round_trip(browser, live_server, demo, tmp_path):
    from youlin.ledgers import services
    from youlin.ledgers.models import Ledger, LedgerEntry
    from youlin.places.models import Community

    ledger = services.ledger_ensure(
        community=Community.objects.get(name="阜外东社区"), kind=Ledger.Kind.RECTIFICATION, name="整治台账"
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + f"/accounts/login/?next=/ledgers/{ledger.pk}/")
    page.fill("#id_username", "fwd_staff")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid=ledger-name]")

    # One bad date in row 4: nothing is imported, and the report says where and why.
    upload(page, live_server, ledger, "整治台账.xlsx", office_sheet(bad=True))
    assert "未导入任何条目" in page.inner_text("[data-testid=import-refused]")
    errors = page.locator("[data-testid=import-error]")
    assert errors.count() == 1
    assert errors.first.inner_text().split("\t")[:2] == ["4", "整改时限"]
    assert "2024-05-01" in errors.first.inner_text()
    assert LedgerEntry.objects.count() == 0
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "ledger-import-report-phone.png"), full_page=True)

    # Fixed and uploaded again: all three rows are in.
    page.click("[data-testid=import-again]")
    page.set_input_files(
        "#id_file",
        files=[{"name": "整治台账.xlsx", "mimeType": "application/octet-stream", "buffer": office_sheet(bad=False)}],
    )
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=import-success]")
    assert "新增 3 条" in page.inner_text("[data-testid=import-success]")
    imported = snapshot(ledger)
    assert [e[0] for e in imported] == [1, 2, 3]
    page.goto(f"{live_server.url}/ledgers/{ledger.pk}/")
    assert page.locator("[data-testid=entry-row]").count() == 3

    # Exported and imported back: nothing changes.
    with page.expect_download() as download_info:
        page.click("[data-testid=export]")
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    upload(page, live_server, ledger, "export.xlsx", exported.read_bytes())
    assert "新增 0 条，更新 0 条，未变 3 条" in page.inner_text("[data-testid=import-success]")
    assert snapshot(ledger) == imported
    page.goto(f"{live_server.url}/ledgers/{ledger.pk}/")
    page.screenshot(path=str(shots / "ledger-list-phone.png"), full_page=True)
    context.close()
