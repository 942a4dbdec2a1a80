import io

import pytest
from django.urls import reverse
from django.utils import timezone

from youlin.cases import selectors as case_selectors
from youlin.cases.models import Case
from youlin.cases.tests.factories import building_point, register, walk
from youlin.dashboards import selectors
from youlin.dashboards.models import Bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(users):
    """Four cases in 手帕口南街社区: one closed and rated, one closed after rework, two open."""
    from youlin.cases import services

    a = walk(
        register(users.spk_grid, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678"),
        staff=users.spk_staff,
        handler=users.tyh_property,
        grid_worker=users.spk_grid,
    )
    services.case_evaluate(
        actor=None,
        case=a,
        expected_version=a.version,
        responded=True,
        resolved=True,
        satisfaction="satisfied",
        token=a.tracking_token,
    )
    b = walk(
        register(users.spk_grid),
        staff=users.spk_staff,
        handler=users.tyh_property,
        grid_worker=users.spk_grid,
        to="reported_done",
    )
    b = services.case_verify(
        actor=users.spk_grid, case=b, expected_version=b.version, passed=False, note="仍有杂物未清"
    )
    b = walk(b, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    register(users.spk_grid, point=building_point("手帕口南街36号院", "乙楼"))
    register(users.spk_grid)
    return a, b


def test_dashboard_numbers_equal_the_measures(client, users, story):
    client.force_login(users.spk_staff)
    html = client.get(reverse("dashboards:dashboard")).content.decode()
    area = selectors.resolve_area(users.spk_staff, None)
    period = selectors.default_period()
    m = case_selectors.case_measures(
        start=period.start, end=period.end, cases=selectors.area_cases(users.spk_staff, area)
    )
    assert m.registered_count == 4 and m.closed_count == 2
    assert f'data-testid="kpi-registered">{m.registered_count}<' in html
    # Rates as percentages (issue #14: "1.000" is not how an officer reads a rate).
    assert f'data-testid="kpi-closure">{m.closure_rate * 100:.1f}%<' in html
    assert f'data-testid="kpi-rework">{m.rework_rate * 100:.1f}%<' in html
    assert m.rework_rate == 0.5
    assert "天岳恒物业" in html


def test_area_outside_jurisdiction_is_never_shown(client, users, story):
    from youlin.places.models import Community

    fwd = Community.objects.get(name="阜外东社区")
    client.force_login(users.spk_staff)
    html = client.get(reverse("dashboards:dashboard"), {"area": f"c{fwd.pk}"}).content.decode()
    assert 'data-testid="area-name">手帕口南街社区<' in html
    client.force_login(users.gw_officer)
    html = client.get(reverse("dashboards:dashboard")).content.decode()
    assert 'data-testid="area-name">广外街道<' in html and 'data-testid="kpi-registered">4<' in html
    client.force_login(users.spk_resident)
    assert client.get(reverse("dashboards:dashboard")).status_code == 404


def test_dashboard_query_count_does_not_grow_with_cases(client, users, story, django_assert_max_num_queries):
    client.force_login(users.gw_officer)
    url = reverse("dashboards:dashboard")
    with django_assert_max_num_queries(60) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    for _i in range(10):
        register(users.spk_grid)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_tables_download_as_xlsx(client, users, story):
    from openpyxl import load_workbook

    client.force_login(users.spk_staff)
    response = client.get(reverse("dashboards:export", args=["parties"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "责任单位"
    assert any(r[0] == "天岳恒物业" for r in rows[2:])
    # Rates keep the number (a fraction) and show as percentages, as on the page.
    assert {ws.cell(row=r, column=c).number_format for r in range(3, ws.max_row + 1) for c in (4, 5)} == {"0.0%"}
    assert client.get(reverse("dashboards:export", args=["nope"])).status_code == 404


def test_map_features_follow_jurisdiction(client, users, story):
    client.force_login(users.spk_staff)
    data = client.get(reverse("dashboards:map-geojson")).json()
    cases = [f for f in data["features"] if f["properties"]["layer"] == "case"]
    assert len(cases) == 4
    assert {f["properties"]["layer"] for f in data["features"]} >= {"case", "grid", "compound", "community"}
    client.force_login(users.fwd_staff)
    data = client.get(reverse("dashboards:map-geojson")).json()
    assert not [f for f in data["features"] if f["properties"]["layer"] == "case"]


def test_public_page_shows_fixes_and_no_personal_data(client, users, story):
    from youlin.parties.models import Person

    html = client.get(reverse("community-public", args=["shoupakou-nanjie"])).content.decode()
    assert "最近解决的问题" in html and "楼道堆物" in html
    for person in Person.objects.all():
        assert person.name not in html, person.name
        if person.phone:
            assert person.phone not in html
    for secret in ("钱阿姨", "13912345678", "钱*"):
        assert secret not in html
    for case in Case.objects.all():
        assert case.tracking_token not in html
    assert client.get(reverse("community-public", args=["nowhere"])).status_code == 404


def test_bulletin_draft_edit_publish(client, users, story):
    client.force_login(users.spk_staff)
    today = timezone.localdate()
    from youlin.places.models import Community

    spk = Community.objects.get(name="手帕口南街社区")
    response = client.post(
        reverse("dashboards:bulletins"),
        {"title": "走社区·看新貌", "start": f"{today.year}-01-01", "end": today.isoformat(), "communities": [spk.pk]},
    )
    bulletin = Bulletin.objects.get()
    assert response["Location"] == reverse("dashboards:bulletin", args=[bulletin.pk])
    section = bulletin.sections.get()
    assert "社区共受理居民诉求 4 件，办结 2 件" in section.body
    assert client.get(reverse("bulletin-public", args=[bulletin.pk])).status_code == 404  # a draft is not public
    client.post(
        reverse("dashboards:bulletin-section", args=[bulletin.pk, section.pk]),
        {"heading": section.heading, "body": section.body + "\n居民为解决速度点赞。", "expected_version": 1},
    )
    stale = client.post(
        reverse("dashboards:bulletin-publish", args=[bulletin.pk]), {"expected_version": 1}, follow=True
    )
    assert "刚刚被其他人修改过" in stale.content.decode()
    client.post(reverse("dashboards:bulletin-publish", args=[bulletin.pk]), {"expected_version": 2})
    client.logout()
    html = client.get(reverse("bulletin-public", args=[bulletin.pk])).content.decode()
    assert "居民为解决速度点赞" in html and "print.css" in html
    assert "钱阿姨" not in html and "13912345678" not in html


def test_bulletin_only_for_own_communities(client, users, story):
    from youlin.places.models import Community

    client.force_login(users.fwd_staff)
    spk = Community.objects.get(name="手帕口南街社区")
    response = client.post(
        reverse("dashboards:bulletins"),
        {"title": "x", "start": "2026-01-01", "end": "2026-12-31", "communities": [spk.pk]},
    )
    assert response.status_code == 400 and not Bulletin.objects.exists()
    client.force_login(users.spk_grid)
    assert client.get(reverse("dashboards:bulletins")).status_code == 404


def test_public_page_shows_projects_and_notices_of_the_story(client, demo):
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.deliberation import load_demo_deliberation

    load_demo_cases()
    load_demo_deliberation()
    html = client.get(reverse("community-public", args=["shoupakou-nanjie"])).content.decode()
    assert "进行中的项目" in html
    from youlin.projects.models import Project

    assert Project.objects.get().title in html


def test_dashboard_shows_campaigns_ledgers_and_volunteer_hours(client, demo_user, demo):
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.ledgers import load_demo_ledgers
    from youlin.demo.volunteers import load_demo_volunteers

    load_demo_cases()
    load_demo_ledgers()
    load_demo_volunteers()
    client.force_login(demo_user("fwd_staff"))
    html = client.get(reverse("dashboards:dashboard"), {"start": "2020-01-01"}).content.decode()
    assert "清理堆物堆料" in html and "65" in html
    assert "13" in html and "树坑" in html
    assert "红墙小先锋志愿服务队" in html


@pytest.fixture
def shared_bulletin(users):
    """A draft bulletin of two communities of different sub-districts, drafted by the district."""
    from youlin.dashboards import services
    from youlin.places.models import Community

    communities = list(Community.objects.filter(slug__in=["shoupakou-nanjie", "fuwai-dong"]).order_by("pk"))
    assert len(communities) == 2
    return services.bulletin_draft(
        actor=users.district,
        title="两社区简报",
        start_day=timezone.localdate().replace(month=1, day=1),
        end_day=timezone.localdate(),
        communities=communities,
    )


def _section(bulletin, slug):
    return bulletin.sections.get(community__slug=slug)


def test_a_section_is_edited_only_by_staff_of_its_community(client, users, shared_bulletin):
    own, foreign = _section(shared_bulletin, "shoupakou-nanjie"), _section(shared_bulletin, "fuwai-dong")
    client.force_login(users.spk_staff)
    page = client.get(reverse("dashboards:bulletin", args=[shared_bulletin.pk])).content.decode()
    assert reverse("dashboards:bulletin-section", args=[shared_bulletin.pk, own.pk]) in page
    assert reverse("dashboards:bulletin-section", args=[shared_bulletin.pk, foreign.pk]) not in page
    client.post(
        reverse("dashboards:bulletin-section", args=[shared_bulletin.pk, foreign.pk]),
        {"heading": "改了别人的", "body": "越权", "expected_version": shared_bulletin.version},
    )
    foreign.refresh_from_db()
    assert foreign.heading != "改了别人的"
    client.post(
        reverse("dashboards:bulletin-section", args=[shared_bulletin.pk, own.pk]),
        {"heading": "本社区", "body": "本社区的正文", "expected_version": shared_bulletin.version},
    )
    own.refresh_from_db()
    assert own.heading == "本社区"


def test_publishing_needs_every_community_of_the_bulletin(client, users, shared_bulletin):
    from youlin.dashboards import services

    client.force_login(users.spk_staff)
    page = client.get(reverse("dashboards:bulletin", args=[shared_bulletin.pk])).content.decode()
    assert reverse("dashboards:bulletin-publish", args=[shared_bulletin.pk]) not in page
    client.post(reverse("dashboards:bulletin-publish", args=[shared_bulletin.pk]), {"expected_version": 1})
    shared_bulletin.refresh_from_db()
    assert shared_bulletin.status == Bulletin.Status.DRAFT
    with pytest.raises(services.BulletinError):
        services.bulletin_publish(actor=users.fwd_staff, bulletin=shared_bulletin, expected_version=1)
    services.bulletin_publish(actor=users.district, bulletin=shared_bulletin, expected_version=1)
    shared_bulletin.refresh_from_db()
    assert shared_bulletin.status == Bulletin.Status.PUBLISHED
