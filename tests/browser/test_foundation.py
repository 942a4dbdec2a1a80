"""The foundation in a real browser: a grid worker logs in and sees 36号院 and who answers for it."""

import pytest

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_sees_36_yard_and_its_responsible_parties(page, live_server, demo, settings, tmp_path):
    page.goto(live_server.url + "/")
    assert "牛街街道·钢院社区" in page.inner_text("body")
    page.get_by_role("link", name="登录").first.click()
    page.fill("#id_username", "spk_grid")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="手帕口南街社区").click()
    card = page.locator("[data-testid=compound]", has_text="手帕口南街36号院")
    rows = card.locator("[data-testid=building]")
    assert rows.count() == 3
    text = card.inner_text()
    for expected in ("甲楼", "乙楼", "丙楼", "天岳恒物业", "金盾物业服务公司", "安居物业服务公司", "多产权"):
        assert expected in text
    jia = rows.filter(has_text="甲楼").inner_text()
    assert "天岳恒物业" in jia and "京广物资公司" in jia
    from pathlib import Path

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "community-overview.png"), full_page=True)


def test_language_switch_to_english(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    assert "Staff login" in page.inner_text("body")


@pytest.mark.parametrize("language", ["中文", "English"])
def test_the_main_menu_fits_every_width_in_both_languages(page, live_server, demo, language):
    """Community staff at a desk (1024–1440 px) and on a tablet (800): the menu never pushes the page wider than
    the window (an English menu did, taking "Log out" off the screen) and no label breaks inside (a Chinese
    label was stacked one character a line): below 1200 px it collapses behind the menu button."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/accounts/login/")
    if language == "English":
        page.get_by_role("button", name="English").click()
    page.fill("#id_username", "spk_staff")  # a staff account: the longest menu (dashboard, measures, admin)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-testid=current-user]", state="attached")
    for width in (800, 1024, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"wider than {width} px"
        for kind in (".nav-link", ".btn"):  # one line each: the same height as the others of their kind
            heights = page.evaluate(
                f"[...document.querySelectorAll('.navbar {kind}')]"
                ".filter(e => e.offsetParent).map(e => Math.round(e.getBoundingClientRect().height))"
            )
            assert not heights or max(heights) - min(heights) <= 4, f"a label broken at {width} px: {heights}"


def test_staff_pages_fit_a_phone_in_english(page, live_server, demo):
    """A grid worker or staff member on a phone (375 px), in English, the longer language: the task list's
    badges, the case list's buttons, the dashboard's and the hotspots' tables stay inside the screen (each pushed
    the page sideways before); every table scrolls inside its own box."""
    page.set_viewport_size({"width": 1280, "height": 800})  # the language button is in the expanded menu
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.fill("#id_username", "spk_staff")
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-testid=current-user]", state="attached")
    page.set_viewport_size({"width": 375, "height": 800})
    pages = ("/", "/cases/tasks/", "/cases/", "/cases/hotspots/", "/dashboards/", "/cases/hotline/", "/ledgers/")
    for path in (*pages, "/projects/", "/volunteers/hours/", "/notifications/preferences/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{path} is wider than the phone"
