"""The permission matrix: who may view and change what, by role and jurisdiction."""

import pytest

from youlin.access import policy
from youlin.parties.models import Organisation, Person
from youlin.places.models import Building, Community, Compound, Grid, Subdistrict, Zone

pytestmark = pytest.mark.django_db

SPK, FWD, GY = "手帕口南街社区", "阜外东社区", "钢院社区"

# (username, community, may view?, may change?)
COMMUNITY_MATRIX = [
    ("district", SPK, True, True),
    ("district", GY, True, True),
    ("gw_officer", SPK, True, True),
    ("gw_officer", FWD, False, False),
    ("gw_officer", GY, False, False),
    ("spk_secretary", SPK, True, True),
    ("spk_staff", SPK, True, True),
    ("spk_staff", FWD, False, False),
    ("spk_grid", SPK, True, False),
    ("spk_grid", GY, False, False),
    ("spk_captain", SPK, True, False),
    ("spk_resident", SPK, False, False),
    ("tyh_property", SPK, False, False),
    ("spk_committee", SPK, False, False),
    ("builder", SPK, False, False),
    ("fwd_staff", FWD, True, True),
    ("fwd_staff", SPK, False, False),
    ("fwd_volunteer", FWD, False, False),
    ("gy_secretary", GY, True, True),
    ("gy_branch", GY, True, False),
    ("nj_officer", GY, True, True),
    ("nj_officer", SPK, False, False),
]


@pytest.mark.parametrize(("username", "community", "may_view", "may_change"), COMMUNITY_MATRIX)
def test_community_matrix(demo_user, username, community, may_view, may_change):
    user = demo_user(username)
    obj = Community.objects.get(name=community)
    assert policy.can(user, policy.VIEW, obj) is may_view
    assert policy.can(user, policy.CHANGE, obj) is may_change
    assert policy.scope(user, Community.objects.all()).filter(pk=obj.pk).exists() is may_view
    assert policy.scope(user, Community.objects.all(), policy.CHANGE).filter(pk=obj.pk).exists() is may_change


@pytest.mark.parametrize("model", [Compound, Building, Grid])
def test_places_follow_their_community(demo_user, model):
    staff = demo_user("spk_staff")
    visible = policy.scope(staff, model.objects.all())
    assert visible.exists()
    lookup = {Compound: "community__name", Building: "compound__community__name", Grid: "community__name"}[model]
    assert set(visible.values_list(lookup, flat=True)) == {SPK}
    foreign = model.objects.exclude(**{lookup: SPK}).first()
    assert not policy.can(staff, policy.VIEW, foreign)


def test_property_staff_see_only_what_their_company_answers_for(demo_user):
    staff = demo_user("tyh_property")
    buildings = policy.scope(staff, Building.objects.all())
    assert list(buildings.values_list("name", flat=True)) == ["甲楼"]
    yi = Building.objects.get(compound__name="手帕口南街36号院", name="乙楼")
    assert not policy.can(staff, policy.VIEW, yi)
    own = Organisation.objects.get(name="天岳恒物业")
    other = Organisation.objects.get(name="金盾物业服务公司")
    assert policy.can(staff, policy.VIEW, own) and policy.can(staff, policy.CHANGE, own)
    assert not policy.can(staff, policy.VIEW, other)


def test_garden_group_leader_sees_own_zone_and_community(demo_user):
    leader = demo_user("gy_branch")
    zones = policy.scope(leader, Zone.objects.all())
    assert zones.count() == 13  # branch secretaries view their community
    assert not policy.can(leader, policy.CHANGE, zones.first())


def test_subdistrict_officer_sees_own_subdistrict_only(demo_user):
    officer = demo_user("gw_officer")
    assert list(policy.scope(officer, Subdistrict.objects.all()).values_list("name", flat=True)) == ["广外街道"]


def test_resident_sees_own_person_record_only(demo_user):
    resident = demo_user("spk_resident")
    people = policy.scope(resident, Person.objects.all())
    assert list(people.values_list("name", flat=True)) == ["孙居民"]
    assert policy.can(resident, policy.CHANGE, people.get())


def test_anonymous_sees_nothing_internal(demo):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not policy.scope(anon, Community.objects.all()).exists()
    assert not policy.can(anon, policy.VIEW, Community.objects.first())


def test_inactive_user_has_no_jurisdiction(demo_user):
    staff = demo_user("spk_staff")
    staff.is_active = False
    staff.save()
    assert policy.jurisdiction_of(staff) is policy.NOBODY


def test_unregistered_model_is_an_error(demo_user):
    from youlin.accounts.models import User

    with pytest.raises(LookupError, match="User is not registered with the access policy"):
        policy.scope(demo_user("spk_staff"), User.objects.all())


def test_jurisdiction_is_computed_once_per_user_object(demo_user, django_assert_num_queries):
    staff = demo_user("spk_staff")
    policy.jurisdiction_of(staff)
    with django_assert_num_queries(0):
        policy.jurisdiction_of(staff)
