"""Smart intake on a phone: a resident describes the problem in her own words, taps the suggested category,
and the case goes to 36号院's parties."""

import pytest
from playwright.sync_api import expect

from youlin.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_taps_the_suggested_category(browser, live_server, demo):
    from youlin.places.models import NamedPoint

    lon, lat = NamedPoint.objects.get(name="甲楼门前电动自行车充电柜").geometry["coordinates"]
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 5},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/report/")
    page.get_by_role("button", name="使用当前定位").click()
    page.wait_for_selector("#id_lon[value]:not([value=''])", state="attached")
    page.fill("#id_description", "一下雨楼下就积水，地砖都松了")
    suggestion = page.locator("[data-testid=intake-suggestion]", has_text="小区地砖松动")
    suggestion.wait_for()
    # Typing and locating each ask for suggestions; tap once the last answer has arrived.
    page.wait_for_selector("#id_description:not(.htmx-request)", state="attached")
    assert "天岳恒物业" in page.inner_text("[data-testid=intake-suggestions]")  # who would get it, before submitting
    wanted = suggestion.get_attribute("data-category-id")
    for _attempt in range(3):  # a suggestion list replaced by a later answer just as it is tapped: tap again
        suggestion.click()
        if page.eval_on_selector("#id_category", "s => s.value") == wanted:
            break
        page.wait_for_timeout(500)
    expect(page.locator("#id_category")).to_have_value(wanted)
    chosen = page.eval_on_selector("#id_category", "s => s.options[s.selectedIndex].text")
    assert "小区地砖松动" in chosen
    # The searchable list also understands everyday words and pinyin initials.
    page.fill("#category-search", "积水")
    page.wait_for_selector("#category-search[data-ready='1']", state="attached")
    visible = page.eval_on_selector_all("#id_category option:not([hidden])", "os => os.map(o => o.text)")
    assert any("地砖松动" in text for text in visible)
    page.fill("#id_reporter_phone", "13912345678")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("[data-testid=case-number]")
    case = Case.objects.get(number=page.inner_text("[data-testid=case-number]"))
    assert case.category.code == "06081" and case.compound.name == "手帕口南街36号院"
    assert "天岳恒物业" in {a.organisation.name for a in case.assignments.all()}
    assert blocked == []
    context.close()


def _map_view(page):
    page.wait_for_function("window.youlinMaps && window.youlinMaps.length > 0")
    return page.evaluate(
        "(() => { var m = window.youlinMaps[0], c = m.getCenter(); return [c.lng, c.lat, m.getZoom()]; })()"
    )


def test_a_signed_in_resident_s_map_opens_on_her_own_community(page, live_server, demo):
    """Three communities far apart make a map of small specks; a resident who is known starts on her own."""
    import shapely

    from youlin.demo.loader import DEMO_PASSWORD
    from youlin.parties.models import Person
    from youlin.places.geo import shape_from_geojson

    page.goto(live_server.url + "/report/")
    *_anywhere, zoom_for_everyone = _map_view(page)

    page.goto(f"{live_server.url}/accounts/login/?next=/report/")
    page.fill("#id_username", "spk_resident")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#intake-map")
    lon, lat, zoom = _map_view(page)
    home = Person.objects.get(user__username="spk_resident").community
    assert shape_from_geojson(home.geometry).covers(shapely.Point(lon, lat))
    assert zoom > zoom_for_everyone
