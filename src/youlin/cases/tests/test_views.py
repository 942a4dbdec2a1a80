"""The case pages: intake, the list (filters, keyset pages, pinned query count), the case page and steps."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from youlin.cases.models import Case, Status
from youlin.cases.tests.factories import category, jia_point, register, walk

pytestmark = pytest.mark.django_db


def jpeg(color=(120, 80, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_grid_worker_reports_with_photo_and_location(client, users):
    client.force_login(users.spk_grid)
    page = client.get(reverse("cases:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "楼道堆物" in html and "手帕口南街36号院甲楼" in html
    lon, lat = jia_point()
    response = client.post(
        reverse("cases:new"),
        {
            "category": category("06080").pk,
            "description": "甲楼楼道堆放旧家具",
            "lon": lon,
            "lat": lat,
            "crs": "wgs84",
            "channel": "patrol",
            "photos": [jpeg()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.number])
    assert case.building.name == "甲楼" and case.channel == "patrol"
    detail = client.get(response["Location"]).content.decode()
    assert case.number in detail and "天岳恒物业" in detail and 'data-testid="before-photo"' in detail


def test_intake_by_building_without_coordinates(client, users):
    client.force_login(users.spk_grid)
    from youlin.places.models import Building

    yi = Building.objects.get(compound__name="手帕口南街36号院", name="乙楼")
    client.post(
        reverse("cases:new"),
        {"category": category("06080").pk, "description": "乙楼楼道堆物", "building": yi.pk, "channel": "patrol"},
    )
    assert Case.objects.get().building == yi


def test_intake_errors_are_clear_and_nothing_is_written(client, users):
    client.force_login(users.spk_grid)
    response = client.post(
        reverse("cases:new"), {"category": category("06080").pk, "description": "", "channel": "patrol"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请描述问题" in html and "请确定问题位置" in html
    lon, lat = jia_point()
    bad = SimpleUploadedFile("evil.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(
        reverse("cases:new"),
        {
            "category": category("06080").pk,
            "description": "堆物",
            "lon": lon,
            "lat": lat,
            "channel": "patrol",
            "photos": [bad],
        },
    )
    assert response.status_code == 400
    assert "不是有效的图片" in response.content.decode()
    assert not Case.objects.exists()


def test_outside_every_community_is_explained(client, users):
    client.force_login(users.spk_grid)
    response = client.post(
        reverse("cases:new"),
        {"category": category("06080").pk, "description": "堆物", "lon": 116.2, "lat": 39.8, "channel": "patrol"},
    )
    assert response.status_code == 400
    assert "不在任何社区范围内" in response.content.decode()


def test_resident_reports_without_account_and_tracks(client, demo):
    lon, lat = jia_point()
    page = client.get(reverse("report"))
    assert page.status_code == 200
    missing_phone = client.post(
        reverse("report"), {"category": category("06080").pk, "description": "堆物", "lon": lon, "lat": lat}
    )
    assert "请留下联系电话" in missing_phone.content.decode()
    response = client.post(
        reverse("report"),
        {
            "category": category("06080").pk,
            "description": "门口堆物",
            "lon": lon,
            "lat": lat,
            "reporter_name": "钱阿姨",
            "reporter_phone": "13912345678",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("track", args=[case.tracking_token])
    tracking = client.get(response["Location"]).content.decode()
    assert case.number in tracking and "已立案" in tracking
    assert "13912345678" not in tracking and "钱阿姨" not in tracking
    assert client.get(reverse("track", args=["wrong-token"])).status_code == 404


def test_reporter_is_masked_for_those_who_do_not_need_it(client, users):
    case = register(users.spk_staff, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678")
    client.force_login(users.spk_grid)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "139****5678" in html and "13912345678" not in html and "钱阿姨" not in html
    client.force_login(users.spk_staff)
    assert "13912345678" in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_steps_through_the_page_and_conflicts(client, users):
    case = register(users.spk_grid)
    client.force_login(users.spk_staff)
    url = reverse("cases:act", args=[case.number, "dispatch"])
    response = client.post(url, {"dispatch-expected_version": case.version, "dispatch-note": "请尽快处理"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    # The same form sent again (stale version): a conflict message, no change.
    response = client.post(url, {"dispatch-expected_version": case.version - 1}, follow=True)
    assert "刚刚被其他人更新过" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    # A step the staff member may not take now.
    response = client.post(
        reverse("cases:act", args=[case.number, "close"]), {"close-expected_version": case.version}, follow=True
    )
    assert "不能结案" in response.content.decode()


def test_property_company_accepts_and_reports_done_with_photos(client, users):
    case = register(users.spk_grid)
    from youlin.cases import services

    case = services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version)
    client.force_login(users.tyh_property)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-action="accept"' in html and 'data-action="close"' not in html
    client.post(reverse("cases:act", args=[case.number, "accept"]), {"accept-expected_version": case.version})
    case.refresh_from_db()
    client.post(reverse("cases:act", args=[case.number, "start"]), {"start-expected_version": case.version})
    case.refresh_from_db()
    client.post(
        reverse("cases:act", args=[case.number, "report_done"]),
        {
            "report_done-expected_version": case.version,
            "report_done-note": "已清理",
            "report_done-photos": [jpeg((10, 200, 10))],
        },
    )
    case.refresh_from_db()
    assert case.status == Status.REPORTED_DONE
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="after-photo"' in html


def test_resident_rates_through_the_tracking_link(client, users):
    case = register(users.spk_staff, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678")
    case = walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    track = reverse("track", args=[case.tracking_token])
    assert 'data-action="evaluate"' in client.get(track).content.decode()
    response = client.post(
        reverse("cases:act", args=[case.number, "evaluate"]),
        {
            "token": case.tracking_token,
            "evaluate-expected_version": case.version,
            "evaluate-responded": "1",
            "evaluate-resolved": "1",
            "evaluate-satisfaction": "satisfied",
            "evaluate-comment": "速度很快",
        },
    )
    assert response["Location"] == track
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.satisfaction == "satisfied"
    assert (case.responded, case.resolved) == (True, True)
    # A wrong token is no key.
    response = client.post(
        reverse("cases:act", args=[case.number, "reopen"]),
        {"token": "nope", "reopen-expected_version": case.version, "reopen-reason": "x"},
    )
    assert response.status_code == 404


def test_url_guessing_another_communitys_case_is_404(client, users):
    case = register(users.spk_grid)
    client.force_login(users.fwd_staff)
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    response = client.post(
        reverse("cases:act", args=[case.number, "dispatch"]), {"dispatch-expected_version": case.version}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_property_company_lists_only_cases_routed_to_it(client, users):
    from youlin.cases.tests.factories import building_point

    mine = register(users.spk_grid)
    other = register(users.spk_grid, point=building_point("手帕口南街36号院", "乙楼"))
    client.force_login(users.tyh_property)
    html = client.get(reverse("cases:list")).content.decode()
    assert mine.number in html and other.number not in html


def test_list_filters_and_keyset_pages(client, users):
    cases = [register(users.spk_grid, description=f"堆物{i}") for i in range(35)]
    client.force_login(users.spk_staff)
    first = client.get(reverse("cases:list")).content.decode()
    assert first.count('data-testid="case-row"') == 30
    assert cases[-1].number in first and cases[0].number not in first
    import re

    cursor = re.search(r'after=([^"&]+)"', first).group(1)
    second = client.get(reverse("cases:list") + "?after=" + cursor, HTTP_HX_REQUEST="true").content.decode()
    assert second.count('data-testid="case-row"') == 5 and cases[0].number in second
    assert "<html" not in second  # an htmx page is only the rows
    only = client.get(reverse("cases:list"), {"q": cases[3].number}).content.decode()
    assert only.count('data-testid="case-row"') == 1
    assert client.get(reverse("cases:list"), {"status": "closed"}).content.decode().count('data-testid="case-row"') == 0


def test_list_query_count_is_pinned(client, users, django_assert_max_num_queries):
    for _i in range(3):
        register(users.spk_grid)
    client.force_login(users.spk_staff)
    url = reverse("cases:list")
    with django_assert_max_num_queries(30) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    for _i in range(20):
        register(users.spk_grid)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_nearby_partial_offers_support(client, users):
    case = register(users.spk_grid)
    lon, lat = jia_point()
    html = client.get(reverse("cases:nearby"), {"category": case.category_id, "lon": lon, "lat": lat}).content.decode()
    assert case.number in html
    far = client.get(reverse("cases:nearby"), {"category": case.category_id, "lon": lon + 0.01, "lat": lat})
    assert case.number not in far.content.decode()
    client.force_login(users.spk_resident)
    client.post(reverse("cases:support", args=[case.number]))
    case.refresh_from_db()
    assert case.support_count == 1


def test_tasks_by_role(client, users):
    case = register(users.spk_grid)
    client.force_login(users.spk_staff)
    assert case.number in client.get(reverse("cases:tasks")).content.decode()
    client.force_login(users.fwd_staff)
    assert case.number not in client.get(reverse("cases:tasks")).content.decode()


def test_staff_register_a_hotline_transfer(client, users):
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:new")).content.decode()
    assert 'data-testid="hotline-fields"' in html
    lon, lat = jia_point()
    form = {
        "category": category("06080").pk,
        "description": "12345 来电：甲楼楼道堆物",
        "lon": lon,
        "lat": lat,
        "channel": "hotline",
        "reporter_name": "周先生",
        "reporter_phone": "13611112222",
        "hotline_received_at": "2026-11-27T08:30",
        "hotline_unit": "广外街道",
    }
    response = client.post(reverse("cases:new"), form)
    assert response.status_code == 400 and "请填写工单编号" in response.content.decode()
    response = client.post(reverse("cases:new"), {**form, "hotline_number": "GW2026112700123"})
    case = Case.objects.get()
    assert case.channel == "hotline" and case.hotline_number == "GW2026112700123"
    assert case.hotline_unit == "广外街道" and case.reporter_phone == "13611112222"
    # A grid worker's form has no hotline fields.
    client.force_login(users.spk_grid)
    assert 'data-testid="hotline-fields"' not in client.get(reverse("cases:new")).content.decode()


def test_measures_page_equals_the_selector(client, users):
    from youlin.cases import selectors

    closed = walk(
        register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
    )
    register(users.spk_grid)
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:measures"), {"group_by": "grid"}).content.decode()
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    day = timezone.localdate()
    tz = timezone.get_current_timezone()
    m = selectors.case_measures(
        start=datetime.combine(day.replace(day=1), time.min, tzinfo=tz),
        end=datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )
    assert m.registered_count == 2 and m.closed_count == 1
    assert 'data-testid="registered">2<' in html
    assert closed.grid.name in html
    client.force_login(users.fwd_staff)
    assert 'data-testid="registered">0<' in client.get(reverse("cases:measures")).content.decode()


def test_hotspots_list_places_with_three_recurrences(client, users):
    first = walk(
        register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
    )
    for _i in range(2):
        again = walk(
            register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
        )
        assert again.recurrence_of == first
    client.force_login(users.spk_staff)
    assert first.number not in client.get(reverse("cases:hotspots")).content.decode()  # two recurrences
    register(users.spk_grid)
    html = client.get(reverse("cases:hotspots")).content.decode()
    assert first.number in html and 'data-testid="recurrences">3<' in html
    client.force_login(users.fwd_staff)
    assert first.number not in client.get(reverse("cases:hotspots")).content.decode()


def test_follow_and_unfollow(client, users):
    case = register(users.spk_grid)
    client.force_login(users.spk_secretary)
    assert 'data-testid="follow"' in client.get(reverse("cases:detail", args=[case.number])).content.decode()
    client.post(reverse("cases:follow", args=[case.number]))
    assert 'data-testid="unfollow"' in client.get(reverse("cases:detail", args=[case.number])).content.decode()
    client.post(reverse("cases:follow", args=[case.number]), {"unfollow": "1"})
    assert 'data-testid="follow"' in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_location_suggested_by_the_photo_gps(client, users):
    from youlin.photos.tests.test_services import jpeg_with_exif

    lon, lat = jia_point()
    client.force_login(users.spk_grid)
    with_gps = SimpleUploadedFile("gps.jpg", jpeg_with_exif(gps=(lon, lat)), content_type="image/jpeg")
    response = client.post(
        reverse("cases:new"),
        {"category": category("06080").pk, "description": "楼道堆物", "channel": "patrol", "photos": [with_gps]},
    )
    assert response.status_code == 302
    assert Case.objects.get().building.name == "甲楼"
    no_gps = SimpleUploadedFile("plain.jpg", jpeg().read(), content_type="image/jpeg")
    response = client.post(
        reverse("cases:new"),
        {"category": category("06080").pk, "description": "楼道堆物", "channel": "patrol", "photos": [no_gps]},
    )
    assert response.status_code == 400 and "照片中没有位置信息" in response.content.decode()
    assert Case.objects.count() == 1


def test_duplicate_radius_is_configurable(client, users, settings):
    from youlin.cases.tests.factories import offset

    case = register(users.spk_grid)
    lon, lat = offset(jia_point(), east_m=80)
    url = reverse("cases:nearby")
    assert case.number not in client.get(url, {"category": case.category_id, "lon": lon, "lat": lat}).content.decode()
    settings.YOULIN_DUPLICATE_RADIUS_M = 100
    assert case.number in client.get(url, {"category": case.category_id, "lon": lon, "lat": lat}).content.decode()


def test_case_needing_deliberation_offers_a_meeting(client, users):
    from youlin.cases.tests.factories import yard36_open_point

    case = register(users.spk_grid, point=yard36_open_point(), code="06081")
    assert case.needs_deliberation
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="convene"' in html and 'data-testid="case-meetings"' in html
    client.force_login(users.spk_grid)
    assert 'data-testid="convene"' not in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def _forms_on_page(html: str) -> list[str]:
    import re

    return re.findall(r'data-action="([a-z_]+)"', html)


def test_the_case_page_shows_a_form_for_each_step_the_table_offers(client, users):
    from youlin.cases import selectors, steps

    case = register(users.spk_grid)
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    offered = [a for a in selectors.available_actions(users.spk_staff, case) if steps.STEPS[a].form is not None]
    assert _forms_on_page(html) == offered == ["dispatch", "reroute", "correct", "void", "merge"]
    for action in offered:
        assert f'name="{action}-expected_version"' in html


def test_reroute_through_the_page_only_to_the_communitys_or_sub_districts_organisations(client, users):
    from youlin.parties.models import Organisation

    case = register(users.spk_grid)
    office = Organisation.objects.get(name="广外街道城管办")
    foreign = Organisation.objects.exclude(community=case.community).exclude(subdistrict=case.community.subdistrict)
    foreign = foreign.exclude(community__subdistrict=case.community.subdistrict).first()
    client.force_login(users.spk_staff)
    url = reverse("cases:act", args=[case.number, "reroute"])
    refused = client.post(
        url, {"reroute-expected_version": case.version, "reroute-organisations": [foreign.pk], "reroute-reason": "x"}
    )
    assert refused.status_code == 400 and "reroute" in _forms_on_page(refused.content.decode())
    response = client.post(
        url,
        {"reroute-expected_version": case.version, "reroute-organisations": [office.pk], "reroute-reason": "公共区域"},
    )
    assert response.status_code == 302
    assert list(case.assignments.values_list("organisation__name", flat=True)) == ["广外街道城管办"]


def test_extension_decided_and_duplicate_merged_through_the_page(client, users, clock):
    from datetime import timedelta

    from django.utils import timezone

    from youlin.cases import services
    from youlin.cases.models import CaseExtension

    case = walk(
        register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=None, to="accepted"
    )
    client.force_login(users.tyh_property)
    later = timezone.localtime(timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    asked = client.post(
        reverse("cases:act", args=[case.number, "extension_request"]),
        {
            "extension_request-expected_version": case.version,
            "extension_request-requested_deadline": later,
            "extension_request-reason": "等待配件",
        },
    )
    assert asked.status_code == 302
    extension = CaseExtension.objects.get(case=case)
    case.refresh_from_db()
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "extension_decide" in _forms_on_page(html) and "等待配件" in html
    url = reverse("cases:act", args=[case.number, "extension_decide"])
    missing = client.post(
        url,
        {
            "extension_decide-expected_version": case.version,
            "extension_decide-extension": extension.pk + 99,
            "extension_decide-approve": "1",
        },
    )
    assert missing.status_code == 404
    decided = client.post(
        url,
        {
            "extension_decide-expected_version": case.version,
            "extension_decide-extension": extension.pk,
            "extension_decide-approve": "1",
            "extension_decide-note": "同意",
        },
    )
    assert decided.status_code == 302
    extension.refresh_from_db()
    assert extension.status == CaseExtension.Status.APPROVED

    first, duplicate = register(users.spk_grid), register(users.spk_grid)
    services.case_support(actor=users.spk_resident, case=duplicate)
    merged = client.post(
        reverse("cases:act", args=[duplicate.number, "merge"]),
        {"merge-expected_version": duplicate.version, "merge-survivor": first.number, "merge-reason": "重复"},
    )
    assert merged.status_code == 302
    duplicate.refresh_from_db()
    first.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == first.pk and first.support_count == 1
