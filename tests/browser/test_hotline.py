"""手帕口南街社区's staff run a day of 12345 work orders: the file with one bad row is refused with its report,
the fixed file imports (cases created, routed and dispatched), one case is handled, the 回访 finds it 未解决 and
the case is reopened, it is handled again and the next 回访 is 满意; the measures page and the monthly ranking
move as computed by hand (10 × 响应率 + 50 × 解决率 + 40 × 满意率)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求类型", "承办单位", "办理时限"]


def orders(bad: bool) -> bytes:
    called = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerow(
        [
            "GD1",
            called,
            "王**",
            "138****1234",
            "手帕口南街36号院甲楼2单元",
            "楼道堆放旧家具，影响通行",
            "城乡建设-市容环卫-楼道堆物",
            "广外街道",
            "5",
        ]
    )
    w.writerow(
        [
            "GD2",
            called,
            "李**",
            "139****5678",
            "手帕口南街36号院乙楼",
            "" if bad else "楼前乱堆杂物",
            "市容环卫-乱堆杂物",
            "广外街道",
            "5",
        ]
    )
    return out.getvalue().encode()


def upload(page, content: bytes) -> None:
    page.set_input_files("#id_file", files=[{"name": "派单.csv", "mimeType": "text/csv", "buffer": content}])
    page.click("[data-testid=import-submit]")
    page.wait_for_selector(
        "[data-testid=import-status][data-status=succeeded], [data-testid=import-status][data-status=failed]"
    )


def handle(case, users):
    """The property company and the grid worker do their part (their own pages are tested elsewhere)."""
    from youlin.cases import services

    case = services.case_accept(actor=users("tyh_property"), case=case, expected_version=case.version)
    case = services.case_start(actor=users("tyh_property"), case=case, expected_version=case.version)
    case = services.case_report_done(
        actor=users("tyh_property"), case=case, expected_version=case.version, note="已清理楼道"
    )
    return services.case_verify(actor=users("spk_grid"), case=case, expected_version=case.version, passed=True)


def step(page, live_server, number, action):
    page.goto(f"{live_server.url}/cases/{number}/")
    return page.locator(f"form[data-action={action}]")


def follow_up(page, live_server, number, *, resolved: bool, satisfaction: str):
    form = step(page, live_server, number, "follow_up")
    form.locator("input[name$=reached][value='1']").check()
    form.locator("input[name$=responded][value='1']").check()
    form.locator(f"input[name$=resolved][value='{'1' if resolved else '0'}']").check()
    form.locator(f"input[name$=satisfaction][value={satisfaction}]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def close(page, live_server, number):
    with page.expect_navigation():
        step(page, live_server, number, "close").locator("button[type=submit]").click()


def test_a_day_of_hotline_work_orders(page, live_server, demo, django_user_model):
    from youlin.cases.models import Case, Status

    def users(name):
        return django_user_model.objects.get(username=name)

    page.goto(live_server.url + "/accounts/login/?next=/cases/")
    page.fill("#id_username", "spk_staff")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.click("[data-testid=hotline-link]")

    # One order without its content: nothing imported, the report names row 3 and the column.
    upload(page, orders(bad=True))
    errors = page.locator("[data-testid=import-error]")
    assert errors.count() == 1 and errors.first.inner_text().split("\t")[:2] == ["3", "诉求内容"]
    assert not Case.objects.exists()

    # Fixed: both orders are cases, placed by their address, routed and dispatched.
    page.click("[data-testid=import-again]")
    upload(page, orders(bad=False))
    assert "新增 2 件" in page.inner_text("[data-testid=import-success]")
    page.reload()  # the result survives a reload
    assert page.locator("[data-testid=import-status][data-status=succeeded]").count() == 1
    first = Case.objects.get(hotline_number="GD1")
    assert first.status == Status.DISPATCHED and first.building.name == "甲楼" and first.assignments.exists()
    assert Case.objects.get(hotline_number="GD2").status == Status.DISPATCHED

    # Handled and closed; the 回访 finds it not solved (score 10 × 1 + 50 × 0 + 40 × 0 = 10), so it is reopened.
    handle(first, users)
    close(page, live_server, first.number)
    follow_up(page, live_server, first.number, resolved=False, satisfaction="dissatisfied")
    page.goto(live_server.url + "/cases/measures/")
    assert page.inner_text("[data-testid=visits]") == "1"
    assert page.inner_text("[data-testid=resolution-rate]").startswith("0")
    page.goto(live_server.url + "/dashboards/rankings/")
    assert "10.0" in [s.strip() for s in page.locator("[data-testid=rank-row] [data-testid=score]").all_inner_texts()]
    form = step(page, live_server, first.number, "reopen")
    form.locator("textarea[name$=reason]").fill("回访未解决：楼道仍有堆物")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    first.refresh_from_db()
    assert first.status == Status.DISPATCHED and first.reopen_count == 1

    # Handled again; the next 回访 is 满意 and the case's answer is the latest: 10 + 50 + 40 = 100.
    handle(first, users)
    close(page, live_server, first.number)
    follow_up(page, live_server, first.number, resolved=True, satisfaction="satisfied")
    first.refresh_from_db()
    assert (first.status, first.resolved, first.satisfaction) == (Status.EVALUATED, True, "satisfied")
    page.goto(live_server.url + "/cases/measures/")
    assert page.inner_text("[data-testid=visits]") == "1"
    assert page.inner_text("[data-testid=resolution-rate]").startswith("100")
    assert page.inner_text("[data-testid=satisfaction-rate]").startswith("100")
    page.goto(live_server.url + "/dashboards/rankings/")
    assert "100.0" in [s.strip() for s in page.locator("[data-testid=rank-row] [data-testid=score]").all_inner_texts()]
