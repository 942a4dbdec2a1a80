"""The factories make rows the product accepts: a few of them stand in for the demo where a test needs little."""

import pytest

from youlin.access.policy import CHANGE, VIEW, can, visible_communities
from youlin.parties.models import Role
from youlin.parties.tests.factories import MembershipFactory, OrganisationFactory
from youlin.places.selectors import locate
from youlin.places.tests.factories import BuildingFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def test_community_staff_made_by_factories_change_their_community_and_see_no_other():
    staff = MembershipFactory(role=Role.COMMUNITY_STAFF)
    other = CommunityFactory()
    user = staff.person.user
    assert list(visible_communities(user)) == [staff.community]
    assert can(user, CHANGE, staff.community)
    assert not can(user, VIEW, other)


def test_a_factory_building_is_located_in_its_compound_and_community():
    building = BuildingFactory()
    ring = building.geometry["coordinates"][0]
    lon = sum(p[0] for p in ring[:4]) / 4
    lat = sum(p[1] for p in ring[:4]) / 4
    where = locate(lon, lat)
    assert (where.community, where.compound, where.building) == (
        building.compound.community,
        building.compound,
        building,
    )


def test_two_factory_communities_are_apart_and_an_organisation_belongs_to_one():
    a, b = CommunityFactory(), CommunityFactory()
    assert a.subdistrict != b.subdistrict and a.case_prefix != b.case_prefix
    assert OrganisationFactory(community=a).community == a
