"""Routing answers a place not seen yet from its community's responsibilities read once
(``responsibilities_in``): the same parties, in the same order, as ``responsible_for`` reads for the place alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youlin.parties.selectors import responsibilities_in, responsible_for
from youlin.places.models import Building, Community, Compound, Zone

pytestmark = pytest.mark.django_db


def _seen(parties) -> list[tuple]:
    return [(d.organisation.pk, d.duty, d.duty_label, d.place_label, d.building_id) for d in parties.duties]


def test_every_place_of_every_community_gets_what_responsible_for_gives(demo):
    compared = 0
    for community in Community.objects.all():
        held = responsibilities_in(community.pk)
        compounds = list(Compound.objects.filter(community=community))
        buildings = list(Building.objects.filter(compound__community=community))
        zones = [None, *Zone.objects.filter(community=community)]
        places = [(c, None) for c in compounds] + [(b.compound, b) for b in buildings] + [(None, b) for b in buildings]
        places.append((None, None))
        for zone in zones:
            for compound, building in places:
                compound_id = compound.pk if compound else (building.compound_id if building else None)
                assert held.covers(
                    compound_id=compound_id,
                    building_compound_id=building.compound_id if building else None,
                    zone_community_id=zone.community_id if zone else None,
                )
                got = held.responsible_for(
                    compound_id=compound_id,
                    building_id=building.pk if building else None,
                    zone_id=zone.pk if zone else None,
                )
                assert _seen(got) == _seen(responsible_for(compound=compound, building=building, zone=zone))
                compared += bool(got.duties)
    assert compared > 10  # the demo's places do have parties: the comparison is not of empty lists


def test_a_place_of_another_community_is_not_covered(demo):
    first, second = Community.objects.order_by("pk")[:2]
    held = responsibilities_in(first.pk)
    other = Compound.objects.filter(community=second).first()
    assert not held.covers(compound_id=other.pk, building_compound_id=None, zone_community_id=None)
    assert not held.covers(compound_id=None, building_compound_id=None, zone_community_id=second.pk)


def test_the_rows_are_read_without_the_places_outlines(demo):
    """Names and ids are what a responsibility's places give routing; their outlines (GeoJSON, large) are not
    read, for a community or for one place."""
    community = Community.objects.filter(compounds__isnull=False).first()
    compound = Compound.objects.filter(community=community).first()
    with CaptureQueriesContext(connection) as read:
        held = responsibilities_in(community.pk)
        responsible_for(compound=compound)
    assert held.rows
    assert not [q["sql"] for q in read.captured_queries if "geometry" in q["sql"]]
