import pytest
from django.apps import apps
from django.contrib.auth import authenticate

from youlin.demo.loader import ACCOUNTS, DEMO_PASSWORD, load_demo
from youlin.parties.models import Membership, Organisation, Responsibility
from youlin.places.models import Building, Community, Compound, Grid, Zone

pytestmark = pytest.mark.django_db


def snapshot():
    counts = {}
    for app in ("places", "parties", "accounts", "cases", "deliberation", "projects", "ledgers", "volunteers"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__ == "PlacesRevision":
                continue
            counts[model.__name__] = (model.objects.count(), max(model.objects.values_list("pk", flat=True), default=0))
    return counts


def test_loading_twice_changes_nothing(demo_fresh):
    load_demo()  # the whole demo: cases, meetings, ledgers and volunteers too
    before = snapshot()
    from youlin.places.models import PlacesRevision

    revision = PlacesRevision.objects.get().number
    load_demo()
    assert snapshot() == before
    assert PlacesRevision.objects.get().number == revision  # no place row was rewritten


def test_seed_facts(demo_fresh):
    spk = Community.objects.get(name="手帕口南街社区")
    assert spk.subdistrict.name == "广外街道"
    assert Compound.objects.filter(community=spk, kind="estate").count() == 6
    assert Compound.objects.filter(community=spk, kind="courtyard").count() == 11
    assert 1400 <= spk.households <= 1500
    yard = Compound.objects.get(name="手帕口南街36号院")
    assert sorted(yard.buildings.values_list("name", flat=True)) == ["丙楼", "乙楼", "甲楼"]
    owners = Responsibility.objects.filter(building__compound=yard, duty="owner_unit")
    assert owners.values("organisation").distinct().count() == 3
    jia = Building.objects.get(compound=yard, name="甲楼")
    assert Responsibility.objects.get(building=jia, duty="property_manager").organisation.name == "天岳恒物业"
    assert yard.named_points.filter(kind="charging_cabinet").exists()
    assert yard.named_points.filter(kind="parking_area").exists()
    fwd = Community.objects.get(name="阜外东社区")
    assert fwd.compounds.count() == 17
    assert fwd.compounds.filter(name__in=["月坛北小街1号院", "月坛北小街5号院"]).count() == 2
    assert Organisation.objects.filter(name="阜成门外第一小学", kind="partner_unit").exists()
    gy = Community.objects.get(name="钢院社区")
    assert Zone.objects.filter(community=gy).count() == 13
    assert Organisation.objects.filter(kind="garden_group", community=gy).count() == 13
    assert Membership.objects.filter(role="branch_secretary", organisation__kind="garden_group").count() == 13
    for grid in Grid.objects.all():
        assert len(grid.code) == 15 and grid.code.startswith(grid.community.code)


def test_every_documented_account_exists_with_its_role(demo_fresh, django_user_model):
    for account in ACCOUNTS:
        user = django_user_model.objects.get(username=account.username)
        assert user.is_demo
        if account.role != "district":
            assert Membership.objects.filter(person__user=user, role=account.role).exists(), account.username


def test_demo_accounts_work_only_in_demo_mode(demo, settings, client):
    assert authenticate(username="spk_staff", password=DEMO_PASSWORD) is not None
    assert client.login(username="spk_staff", password=DEMO_PASSWORD)
    assert client.get("/c/shoupakou-nanjie/").status_code == 200
    settings.YOULIN_DEMO = False
    assert authenticate(username="spk_staff", password=DEMO_PASSWORD) is None
    # An existing session of a demo account ends too.
    assert client.get("/c/shoupakou-nanjie/").status_code == 302


def test_real_accounts_work_outside_demo_mode(db, settings, django_user_model):
    settings.YOULIN_DEMO = False
    django_user_model.objects.create_user("real", password="a-real-Passw0rd")
    assert authenticate(username="real", password="a-real-Passw0rd") is not None


def test_demo_tells_the_36_yard_story_in_cases(demo_cases):
    from youlin.cases.models import Case

    paving = Case.objects.get(category__code="06081", community__case_prefix="SPK")
    assert paving.needs_deliberation
    assert set(paving.assignments.values_list("organisation__name", flat=True)) == {
        "天岳恒物业",
        "金盾物业服务公司",
        "安居物业服务公司",
    }
    junk = Case.objects.get(category__code="06082", community__case_prefix="SPK")
    assert junk.status == "closed"
    assert list(junk.assignments.values_list("organisation__name", flat=True)) == ["天岳恒物业"]
    assert junk.photos.filter(kind="before").count() == 1 and junk.photos.filter(kind="after").count() == 1
    before = Case.objects.count()
    load_demo()  # the full loader, cases included, a second time
    assert Case.objects.count() == before
