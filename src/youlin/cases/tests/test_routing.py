import pytest

from youlin.cases.models import PlaceKind, RoutingRule
from youlin.cases.selectors import route
from youlin.cases.tests import factories as f
from youlin.parties.models import Organisation
from youlin.places.selectors import locate

pytestmark = pytest.mark.django_db


def names(case):
    return sorted(a.organisation.name for a in case.assignments.all())


def test_a_building_goes_to_its_property_manager(users, clock):
    case = f.register(users.spk_grid, point=f.building_point("手帕口南街36号院", "乙楼"))
    assert names(case) == ["金盾物业服务公司"]
    assert case.assignments.get().duty == "property_manager"
    assert case.events.get(kind="routed").data["rule"] == RoutingRule.objects.get(key="building-pm").pk


def test_the_shared_courtyard_is_dispatched_jointly_and_needs_deliberation(users, clock):
    case = f.register(users.spk_grid, code="06081", point=f.yard36_open_point(), description="停车区地砖松动")
    assert case.building is None and case.compound.name == "手帕口南街36号院"
    assert names(case) == ["天岳恒物业", "安居物业服务公司", "金盾物业服务公司"]
    assert case.needs_deliberation
    routed = case.events.get(kind="routed").data
    assert routed["joint"] is True and routed["place_kind"] == PlaceKind.COMPOUND


def test_public_space_goes_to_the_urban_management_office(users, clock):
    case = f.register(users.spk_grid, point=f.public_point(), code="06010", description="路边暴露垃圾")
    assert case.compound is None
    assert names(case) == ["广外街道城管办"]
    assert case.events.get(kind="routed").data["fallback"] is False


def test_nobody_responsible_falls_back_to_urban_management(users, clock):
    case = f.register(users.spk_grid, point=f.courtyard_point())
    assert case.compound.kind == "courtyard"
    assert names(case) == ["广外街道城管办"]
    assert case.events.get(kind="routed").data["fallback"] is True


def test_enforcement_matters_go_to_urban_management_even_inside_a_compound(users, clock):
    case = f.register(users.spk_grid, code="06001", description="院内私搭乱建")
    assert case.building is not None
    assert names(case) == ["广外街道城管办"]


def test_green_space_goes_to_its_garden_group(demo):
    location = locate(*f.zone_point())
    assert location.zone is not None
    routing = route(category=f.category("06017"), location=location)
    assert [o.name for o in routing.organisations] == ["钢院社区第1花园管理小组"]
    assert routing.duty == "garden_group" and routing.place_kind == PlaceKind.ZONE


def test_owner_unit_when_a_compound_has_no_property_manager(demo):
    compound = f.Compound.objects.get(name="月坛北小街1号院")
    ring = compound.geometry["coordinates"][0]
    lon, lat = f.centre(compound.geometry)
    location = locate(lon, max(p[1] for p in ring) - 0.00002)
    routing = route(category=f.category("06080"), location=location)
    assert [o.name for o in routing.organisations] == ["中央国家机关某服务中心"]
    assert routing.duty == "owner_unit"


def test_a_community_rule_beats_the_district_default(users, clock):
    RoutingRule.objects.create(
        community=f.spk(), category=f.category("06080"), place_kind=PlaceKind.BUILDING, duty="owner_unit"
    )
    case = f.register(users.spk_grid)
    assert names(case) == ["京广物资公司"]
    # Another category at the same place still follows the default.
    other = f.register(users.spk_grid, code="06082", description="楼后卫生死角")
    assert names(other) == ["天岳恒物业"]


def test_a_rule_for_a_major_class_beats_a_rule_for_any_category(users, clock):
    RoutingRule.objects.create(
        community=f.spk(), category_major="06", place_kind=PlaceKind.COMPOUND, duty="management_committee"
    )
    case = f.register(users.spk_grid, code="06081", point=f.yard36_open_point())
    assert names(case) == ["手帕口南街36号院物业管理委员会"]
    assert not case.needs_deliberation


def test_inactive_rules_are_skipped(users, clock):
    RoutingRule.objects.filter(key__in=["building-pm", "building-owner"]).update(is_active=False)
    case = f.register(users.spk_grid)
    assert names(case) == ["天岳恒物业"]  # the compound rule answers with the building's own manager
    assert case.events.get(kind="routed").data["rule"] == RoutingRule.objects.get(key="compound-pm").pk


def test_the_sub_district_office_is_found_by_responsibility(demo):
    office = Organisation.objects.get(name="广外街道城管办")
    assert office.responsibilities.filter(duty="urban_management", subdistrict__isnull=False).exists()
    location = locate(*f.public_point())
    assert route(category=f.category("06010"), location=location).organisations == [office]
