"""Dashboards, the map and a published bulletin in a real browser, checked against the data; screenshots are
saved under var/screenshots/ for review."""

from pathlib import Path

import pytest
from django.conf import settings

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def shot(page, name):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_dashboard_map_and_bulletin(page, live_server, demo_cases):
    from youlin.cases.models import Case
    from youlin.places.models import Community

    spk = Community.objects.get(name="手帕口南街社区")
    spk_cases = Case.objects.filter(community=spk).count()
    assert spk_cases == 2

    login(page, live_server, "gw_officer", "/dashboards/")
    page.wait_for_selector("#chart-months[data-ready='1']")
    assert page.inner_text("[data-testid=area-name]") == "广外街道"
    assert page.inner_text("[data-testid=kpi-registered]") == str(spk_cases)
    assert page.locator("#chart-months canvas").count() == 1
    assert "天岳恒物业" in page.inner_text("[data-testid=parties]")
    shot(page, "dashboard.png")

    page.goto(live_server.url + "/dashboards/map/")
    page.wait_for_selector("#big-map[data-ready='1']")
    assert page.get_attribute("#big-map", "data-cases") == str(spk_cases)
    assert page.locator(".leaflet-interactive").count() > 10  # grids, compounds and case markers drawn
    shot(page, "map.png")

    page.context.clear_cookies()
    login(page, live_server, "spk_staff", "/dashboards/bulletins/")
    page.get_by_role("button", name="根据数据起草").click()
    page.wait_for_selector("[data-testid=bulletin-section]")
    text = page.inner_text("[data-testid=bulletin-section]")
    assert "社区共受理居民诉求 2 件，办结 1 件" in text
    page.get_by_test_id("publish").click()
    # The officer gets the public link to share and its QR code (made on the server) for the notice board.
    share = page.locator("[data-testid=bulletin-share]")
    public_url = share.locator("[data-testid=public-link]").get_attribute("href")
    assert public_url == page.input_value("#bulletin-link") and "/bulletin/" in public_url
    # The QR image may still be on its way when the link is there: wait for it to load (or fail) before judging.
    loaded_width = "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = img.onerror = () => done(img.naturalWidth); })"
    assert share.locator("[data-testid=bulletin-qr]").evaluate(loaded_width) > 0
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(public_url)
    assert "手帕口南街社区" in page.inner_text("[data-testid=bulletin]")
    assert page.locator("figure.pair img").count() == 2  # the junk corner before and after
    shot(page, "bulletin.png")
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    # The A4 sheet for the notice board: the bulletin with the QR code of its public page.
    page.emulate_media(media="screen")
    page.goto(public_url + "print/")
    assert page.locator("[data-testid=sheet-footer] [data-testid=bulletin-qr]").evaluate("img => img.naturalWidth > 0")
    assert public_url in page.inner_text("[data-testid=sheet-footer]")
    shot(page, "bulletin-a4.png")


def test_category_chart_names_every_category(page, live_server, demo, users):
    """The officer reads the category chart by its names: with a dozen categories every bar keeps its label
    (ECharts drops every other label of a crowded axis unless told not to)."""
    from youlin.cases.models import Category
    from youlin.cases.tests.factories import register

    codes = list(
        Category.objects.filter(kind=Category.Kind.MATTER, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )[:12]
    assert len(codes) == 12
    for code in codes:
        register(users.spk_grid, code=code)

    login(page, live_server, "gw_officer", "/dashboards/")
    page.wait_for_selector("#chart-categories[data-ready='1']")
    shown = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-categories'))"
        ".getModel().getComponent('yAxis', 0).axis.getViewLabels().length"
    )
    assert shown == 12
    shot(page, "dashboard-categories.png")
