import pytest
from django.urls import reverse

from youlin.parties.models import Organisation
from youlin.places.models import Community

pytestmark = pytest.mark.django_db


def test_home_shows_the_district_and_three_communities_in_chinese(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "西城区" in html
    for name in ("广外街道·手帕口南街社区", "展览路街道·阜外东社区", "牛街街道·钢院社区"):
        assert name in html
    assert 'lang="zh-hans"' in html
    assert reverse("login") in html


def test_home_in_english(client, demo):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Staff login" in html
    assert "households" in html


def test_home_without_data_says_what_to_do(client, db):
    html = client.get("/").content.decode()
    assert "youlin demo" in html


def test_login_page_in_chinese_and_wrong_password_message(client, demo):
    assert "登录" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "spk_staff", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_community_overview_requires_login(client, demo):
    response = client.get(reverse("community-overview", args=["shoupakou-nanjie"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_grid_worker_sees_36_yard_with_its_parties(client, demo_user):
    client.force_login(demo_user("spk_grid"))
    html = client.get(reverse("community-overview", args=["shoupakou-nanjie"])).content.decode()
    assert "手帕口南街36号院" in html
    for building in ("甲楼", "乙楼", "丙楼"):
        assert building in html
    for party in ("天岳恒物业", "金盾物业服务公司", "安居物业服务公司", "京广物资公司", "手帕口南街36号院业主委员会"):
        assert party in html
    assert "多产权" in html


@pytest.mark.parametrize("slug", ["fuwai-dong", "gangyuan", "no-such-community"])
def test_url_guessing_another_community_is_404(client, demo_user, slug):
    client.force_login(demo_user("spk_staff"))
    assert client.get(reverse("community-overview", args=[slug])).status_code == 404


def test_organisation_of_another_community_is_404(client, demo_user):
    client.force_login(demo_user("fwd_staff"))
    tyh = Organisation.objects.get(name="天岳恒物业")
    assert client.get(reverse("organisation-detail", args=[tyh.pk])).status_code == 404
    school = Organisation.objects.get(name="阜成门外第一小学")
    assert client.get(reverse("organisation-detail", args=[school.pk])).status_code == 200


def test_organisation_page_masks_member_names_for_outsiders(client, demo_user):
    tyh = Organisation.objects.get(name="天岳恒物业")
    client.force_login(demo_user("spk_grid"))  # may view, may not change
    html = client.get(reverse("organisation-detail", args=[tyh.pk])).content.decode()
    assert "周**" in html and "周物业" not in html
    client.force_login(demo_user("tyh_property"))
    assert "周物业" in client.get(reverse("organisation-detail", args=[tyh.pk])).content.decode()


def test_community_overview_query_count_is_fixed(client, demo_user, django_assert_max_num_queries):
    client.force_login(demo_user("spk_staff"))
    url = reverse("community-overview", args=["shoupakou-nanjie"])
    client.get(url)
    with django_assert_max_num_queries(20) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    # More compounds and buildings must not mean more queries.
    from youlin.places import services
    from youlin.places.geo import square

    community = Community.objects.get(slug="shoupakou-nanjie")
    for i in range(5):
        comp = services.compound_ensure(
            community=community,
            name=f"测试{i}号院",
            kind="courtyard",
            households=1,
            geometry=square(116.331 + i * 0.001, 39.877, 20),
        )
        services.building_ensure(
            compound=comp, name="1号楼", households=1, geometry=square(116.331 + i * 0.001, 39.877, 5)
        )
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_health(client, db):
    assert client.get("/health").json() == {"status": "ok"}


def test_the_site_has_an_icon_where_a_browser_looks_for_one(client, db):
    # Before, /favicon.ico answered 404 (a browser asks for it on a feed) and pages named an empty icon.
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("youlin/icon.svg")
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/youlin/icon.svg"' in page
