"""The 36号院 story through the case loop, in a real browser on a phone-sized screen.

The grid worker reports the loose paving in the north parking area and the junk corner by the e-bike
charging cabinet, with photos, using the phone's location. The paving case goes jointly to 36号院's three
owner units and property managers and is flagged "needs deliberation"; the junk corner goes to 甲楼's
property manager. After the junk case is closed, a new report there is flagged as a recurrence.
"""

import io
from pathlib import Path

import pytest
from PIL import Image

from youlin.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_bytes(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, format="JPEG")
    return out.getvalue()


def named_point(name):
    from youlin.places.models import NamedPoint

    lon, lat = NamedPoint.objects.get(name=name).geometry["coordinates"]
    return {"latitude": lat, "longitude": lon, "accuracy": 5}


def report(page, live_server, *, where, search, category_code, description, color):
    page.context.set_geolocation(where)
    page.goto(live_server.url + "/cases/new/")
    page.set_input_files(
        "#id_photos", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(color)}]
    )
    page.get_by_role("button", name="使用当前定位").click()
    page.wait_for_function("document.getElementById('id_lon').value !== ''")
    page.fill("#category-search", search)
    option = page.locator("#id_category option", has_text=category_code).first
    page.select_option("#id_category", value=option.get_attribute("value"))
    page.fill("#id_description", description)
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("[data-testid=case-number]")
    return page.inner_text("[data-testid=case-number]")


def test_36_yard_story_through_the_case_loop(browser, live_server, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 39.88, "longitude": 116.33},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/?next=/cases/new/")
    page.fill("#id_username", "spk_grid")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    paving = report(
        page,
        live_server,
        where=named_point("36号院北侧停车区"),
        search="地砖",
        category_code="06081",
        description="北侧停车区地砖松动、粉化，老人常在此闲坐遛弯，有摔倒隐患",
        color=(150, 150, 150),
    )
    body = page.inner_text("body")
    assert "需议事协商" in body
    parties = page.inner_text("[data-testid=assignments]")
    for name in ("天岳恒物业", "金盾物业服务公司", "安居物业服务公司"):
        assert name in parties
    assert page.locator("[data-testid=before-photo]").count() == 1

    junk = report(
        page,
        live_server,
        where=named_point("甲楼门前电动自行车充电柜"),
        search="卫生死角",
        category_code="06082",
        description="甲楼门前充电柜旁堆放杂物，屡次反弹",
        color=(90, 60, 30),
    )
    assert "天岳恒物业" in page.inner_text("[data-testid=assignments]")
    assert "金盾物业服务公司" not in page.inner_text("[data-testid=assignments]")
    assert page.locator("[data-testid=needs-deliberation]").count() == 0

    # The junk corner is cleared and the case closed through the loop.
    from django.contrib.auth import get_user_model

    from youlin.cases.models import Case
    from youlin.cases.tests.factories import walk

    users = get_user_model().objects.in_bulk(["spk_staff", "tyh_property", "spk_grid"], field_name="username")
    walk(
        Case.objects.get(number=junk),
        staff=users["spk_staff"],
        handler=users["tyh_property"],
        grid_worker=users["spk_grid"],
    )

    again = report(
        page,
        live_server,
        where=named_point("甲楼门前电动自行车充电柜"),
        search="卫生死角",
        category_code="06082",
        description="充电柜旁又堆上了杂物",
        color=(80, 50, 20),
    )
    assert again != junk
    assert page.locator("[data-testid=recurrence]").count() == 1
    assert Case.objects.get(number=again).recurrence_of.number == junk
    assert Case.objects.get(number=paving).needs_deliberation

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "case-recurrence-phone.png"), full_page=True)
    page.goto(live_server.url + "/cases/new/")
    page.screenshot(path=str(shots / "case-intake-phone.png"), full_page=True)
    context.close()
