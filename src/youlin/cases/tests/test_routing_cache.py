"""The per-process routing cache stays correct when staff edit what routing reads: rules, responsibilities,
organisations, sub-district time limits. Each test warms the cache first, then edits, then routes again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youlin.cases import routing_cache
from youlin.cases.models import CategoryTimeLimit, PlaceKind, RoutingRule
from youlin.cases.selectors import category_time_limit, route
from youlin.cases.tests import factories as f
from youlin.parties.models import Organisation, Responsibility
from youlin.places.selectors import locate

pytestmark = pytest.mark.django_db


def routed_to(point, code="06080") -> list[str]:
    return [o.name for o in route(category=f.category(code), location=locate(*point)).organisations]


def test_a_warm_route_reads_only_the_revision(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    first = routed_to(point)
    location, category = locate(*point), f.category("06080")
    with CaptureQueriesContext(connection) as queries:
        again = [o.name for o in route(category=category, location=location).organisations]
    assert again == first == ["金盾物业服务公司"]
    assert len(queries) == 1 and "cases_routingrevision" in queries[0]["sql"]


def test_held_reads_the_revision_once_for_a_whole_file_and_lets_go_after(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    location, category = locate(*point), f.category("06080")
    route(category=category, location=location)
    with routing_cache.held(), CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert [o.name for o in route(category=category, location=location).organisations] == ["金盾物业服务公司"]
    assert len(queries) == 0  # not even the revision: an import's plan routes hundreds of places
    RoutingRule.objects.create(category=category, place_kind=PlaceKind.BUILDING, duty="urban_management", priority=1)
    assert routed_to(point) == ["广外街道城管办"]  # after the block, a change is seen at once again


def test_held_reads_the_places_revision_in_the_same_query(demo):
    """A registration locates its point and routes it: inside ``held`` the places index's revision comes with the
    routing revision, one query for both, and nothing more on a warm cache."""
    point = f.building_point("手帕口南街36号院", "乙楼")
    category = f.category("06080")
    route(category=category, location=locate(*point))
    with CaptureQueriesContext(connection) as queries, routing_cache.held():
        location = locate(*point)
        assert [o.name for o in route(category=category, location=location).organisations] == ["金盾物业服务公司"]
    assert len(queries) == 1
    assert "cases_routingrevision" in queries[0]["sql"] and "places_placesrevision" in queries[0]["sql"]
    assert location.building.name == "乙楼"


def test_a_new_rule_is_seen_at_once(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    assert routed_to(point) == ["金盾物业服务公司"]
    RoutingRule.objects.create(
        category=f.category("06080"), place_kind=PlaceKind.BUILDING, duty="urban_management", priority=1
    )
    assert routed_to(point) == ["广外街道城管办"]


def test_a_disabled_rule_is_dropped_at_once(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    assert routed_to(point) == ["金盾物业服务公司"]
    rule = RoutingRule.objects.get(key="building-pm")
    rule.is_active = False
    rule.save()
    assert routed_to(point) != ["金盾物业服务公司"]
    rule.is_active = True
    rule.save()
    assert routed_to(point) == ["金盾物业服务公司"]


def test_a_changed_responsibility_is_seen_at_once(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    assert routed_to(point) == ["金盾物业服务公司"]
    responsibility = Responsibility.objects.get(
        building__name="乙楼", building__compound__name="手帕口南街36号院", duty="property_manager"
    )
    other = Organisation.objects.get(name="天岳恒物业")
    responsibility.organisation = other
    responsibility.save()
    assert routed_to(point) == ["天岳恒物业"]
    responsibility.delete()
    assert "天岳恒物业" not in routed_to(point)


def test_a_renamed_organisation_is_seen_at_once(demo):
    point = f.building_point("手帕口南街36号院", "乙楼")
    assert routed_to(point) == ["金盾物业服务公司"]
    organisation = Organisation.objects.get(name="金盾物业服务公司")
    organisation.name = "金盾物业（新）"
    organisation.save()
    assert routed_to(point) == ["金盾物业（新）"]


def test_a_subdistrict_time_limit_is_seen_at_once(demo):
    category = f.category("06080")
    subdistrict_id = f.spk().subdistrict_id
    before = category_time_limit(category, subdistrict_id)
    assert before.limit.amount == category.time_limit
    own = CategoryTimeLimit.objects.create(
        subdistrict_id=subdistrict_id, category=category, urgency="complex", time_limit=15
    )
    after = category_time_limit(category, subdistrict_id)
    assert (after.urgency, after.limit.amount) == ("complex", 15)
    own.delete()
    assert category_time_limit(category, subdistrict_id).limit.amount == category.time_limit


def test_another_process_sees_the_edit_through_the_revision(demo):
    """A cache built before another process's edit (simulated: the edit bypasses signals, then bumps) is
    dropped when the revision moves on, and only then."""
    point = f.building_point("手帕口南街36号院", "乙楼")
    assert routed_to(point) == ["金盾物业服务公司"]
    RoutingRule.objects.filter(key="building-pm").update(is_active=False)  # no signal: this process's cache is stale
    assert routed_to(point) == ["金盾物业服务公司"]
    routing_cache.bump_revision()  # what the other process's save did
    assert routed_to(point) != ["金盾物业服务公司"]


def test_revisions_are_never_reused(demo):
    seen = set()
    for _ in range(20):
        routing_cache.bump_revision()
        seen.add(routing_cache.current_revision())
    assert len(seen) == 20 and 0 not in seen


def test_who_follows_a_new_case_follows_membership_and_account_edits(demo):
    from django.contrib.auth import get_user_model

    from youlin.cases.selectors import followers_of
    from youlin.parties.models import Membership

    organisation = Organisation.objects.get(name="天岳恒物业")  # tyh_property works there
    before = followers_of([organisation.pk])
    assert before, "the property manager's staff follow its cases"
    user = get_user_model().objects.get(pk=min(before))
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])  # a login does not empty the cache …
    revision = routing_cache.current_revision()
    user.is_active = False
    user.save()  # … a deactivated account leaves at once
    assert routing_cache.current_revision() != revision
    assert followers_of([organisation.pk]) == before - {user.pk}
    user.is_active = True
    user.save()
    Membership.objects.filter(organisation=organisation, person__user=user).delete()
    assert followers_of([organisation.pk]) == before - {user.pk}
