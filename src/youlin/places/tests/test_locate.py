import math

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from youlin.places.geo import GeometryError, gcj02_to_wgs84, polygon_from_geojson, wgs84_to_gcj02
from youlin.places.models import Building, Community, Compound, Grid
from youlin.places.selectors import locate, locate_many

pytestmark = pytest.mark.django_db


def centre(geometry):
    ring = geometry["coordinates"][0]
    return (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2, (
        min(p[1] for p in ring) + max(p[1] for p in ring)
    ) / 2


def test_inside_a_building_of_36_yard(demo):
    jia = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    lon, lat = centre(jia.geometry)
    found = locate(lon, lat)
    assert found.community.name == "手帕口南街社区"
    assert found.compound.name == "手帕口南街36号院"
    assert found.building == jia
    assert found.grid is not None and found.grid.code.startswith("110102019003")
    assert found.community.subdistrict.name == "广外街道"


def test_a_warm_locate_reads_only_the_revision_and_the_rest_loads_on_demand(demo):
    """The places come from the index's own rows (ids, names, codes, parents), not from a query per place; a
    field the index does not keep still loads when read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    jia = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    lon, lat = centre(jia.geometry)
    locate(lon, lat)  # warm the index
    with CaptureQueriesContext(connection) as queries:
        found = locate(lon, lat)
        label = found.label
        names = (found.community.case_prefix, found.compound.name, found.building.full_name, found.grid.code)
    assert len(queries) == 1 and "places_placesrevision" in queries[0]["sql"]
    assert label == "手帕口南街社区 · 手帕口南街36号院 · 甲楼"
    assert names == (jia.compound.community.case_prefix, "手帕口南街36号院", "手帕口南街36号院甲楼", found.grid.code)
    assert found.building.households == jia.households  # not kept by the index: loaded on first access
    assert found.community.geometry == jia.compound.community.geometry


def test_a_renamed_place_is_located_under_its_new_name(demo):
    jia = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    lon, lat = centre(jia.geometry)
    assert locate(lon, lat).building.name == "甲楼"
    jia.name = "甲号楼"
    jia.save()
    assert locate(lon, lat).building.name == "甲号楼"


def test_building_is_the_nearest_within_tolerance(demo, settings):
    jia = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    ring = jia.geometry["coordinates"][0]
    min_lat = min(p[1] for p in ring)
    lon = (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2
    ten_metres = 10 / 110_540
    assert locate(lon, min_lat - ten_metres).building == jia
    settings.YOULIN_BUILDING_TOLERANCE_M = 5
    from youlin.places.index import forget_index

    forget_index()
    assert locate(lon, min_lat - ten_metres).building is None


def test_point_on_the_community_boundary_is_inside(demo):
    community = Community.objects.get(name="手帕口南街社区")
    ring = community.geometry["coordinates"][0]
    west = min(p[0] for p in ring)
    lat = (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2
    assert locate(west, lat).community == community
    corner = ring[0]
    assert locate(corner[0], corner[1]).community == community


def test_point_on_a_shared_grid_boundary_picks_one_grid_deterministically(demo):
    grids = list(Grid.objects.filter(community__name="手帕口南街社区").order_by("code"))
    east_of_first = max(p[0] for p in grids[0].geometry["coordinates"][0])
    _, lat = centre(grids[0].geometry)
    first = locate(east_of_first, lat).grid
    assert first in grids[:2]
    assert all(locate(east_of_first, lat).grid == first for _ in range(3))


def test_outside_every_community(demo):
    with pytest.raises(GeometryError) as err:
        locate(116.20, 39.80)
    assert err.value.code == "outside_jurisdiction"
    assert "不在任何社区" in str(err.value.message)


def test_gcj02_input_is_converted(demo):
    jia = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    lon, lat = centre(jia.geometry)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    # The GCJ-02 offset is hundreds of metres in Beijing: read as WGS-84 it would miss the building.
    assert math.hypot((g_lon - lon) * 85_000, (g_lat - lat) * 110_000) > 200
    assert locate(g_lon, g_lat, crs="gcj02").building == jia
    assert locate_many([(g_lon, g_lat)])[0] is None or locate_many([(g_lon, g_lat)])[0].building_id != jia.pk


@pytest.mark.parametrize(
    ("lon", "lat", "crs", "code"),
    [
        ("abc", 39.9, "wgs84", "invalid_coordinates"),
        (None, 39.9, "wgs84", "invalid_coordinates"),
        (float("nan"), 39.9, "wgs84", "invalid_coordinates"),
        (float("inf"), 39.9, "wgs84", "invalid_coordinates"),
        (116.3, 91, "wgs84", "invalid_coordinates"),
        (181, 39.9, "wgs84", "invalid_coordinates"),
        (116.3, 39.9, "bd09", "invalid_crs"),
    ],
)
def test_bad_input_gets_a_clear_error(demo, lon, lat, crs, code):
    with pytest.raises(GeometryError) as err:
        locate(lon, lat, crs=crs)
    assert err.value.code == code
    assert str(err.value.message)


def test_self_intersecting_polygon_is_refused():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(GeometryError) as err:
        polygon_from_geojson(bowtie)
    assert err.value.code == "self_intersecting"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"type": "Point", "coordinates": [116, 39]}, "invalid_geometry"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "invalid_geometry"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "invalid_geometry"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [200, 1], [0, 0]]]}, "invalid_coordinates"),
        ("not a dict", "invalid_geometry"),
    ],
)
def test_invalid_polygons_are_refused(data, code):
    with pytest.raises(GeometryError) as err:
        polygon_from_geojson(data)
    assert err.value.code == code


def test_invalid_outline_cannot_be_saved(demo):
    from django.core.exceptions import ValidationError

    from youlin.places import services

    community = Community.objects.get(name="钢院社区")
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[116.3, 39.8], [116.31, 39.81], [116.31, 39.8], [116.3, 39.81], [116.3, 39.8]]],
    }
    with pytest.raises(ValidationError) as err:
        services.zone_ensure(community=community, name="坏片区", geometry=bowtie)
    assert [e.code for e in err.value.error_dict["geometry"]] == ["self_intersecting"]
    assert not community.zones.filter(name="坏片区").exists()


def test_index_follows_place_changes(demo):
    from youlin.places import services

    community = Community.objects.get(name="钢院社区")
    lon, lat = centre(community.geometry)
    before = locate(lon, lat).compound
    comp = services.compound_ensure(
        community=community,
        name="新建小区",
        kind=Compound.Kind.ESTATE,
        households=1,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [lon - 1e-4, lat - 1e-4],
                    [lon + 1e-4, lat - 1e-4],
                    [lon + 1e-4, lat + 1e-4],
                    [lon - 1e-4, lat + 1e-4],
                    [lon - 1e-4, lat - 1e-4],
                ]
            ],
        },
    )
    assert before != comp
    assert locate(lon, lat).compound == comp


@hsettings(max_examples=200, deadline=None)
@given(st.floats(min_value=73.5, max_value=134.7), st.floats(min_value=18.2, max_value=53.5))
def test_gcj02_round_trip(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back[0] - lon) < 1e-7 and abs(back[1] - lat) < 1e-7


def _points_to_check(seed: int) -> list[tuple[float, float]]:
    """Random points over the city and around it, every vertex of every outline, the middle of every edge, and
    points just off each building (inside its tolerance, and beyond it)."""
    import random

    from youlin.places.models import Zone

    rng = random.Random(seed)
    rings = []
    for model in (Community, Compound, Building, Grid, Zone):
        for geometry in model.objects.exclude(geometry=None).values_list("geometry", flat=True):
            polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            rings.extend(ring for polygon in polygons for ring in polygon)
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    margin = 0.002
    points = [
        (rng.uniform(west - margin, east + margin), rng.uniform(south - margin, north + margin)) for _ in range(3000)
    ]
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            points.append((a[0], a[1]))
            points.append(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
    for ring in Building.objects.exclude(geometry=None).values_list("geometry", flat=True):
        outer = ring["coordinates"][0]
        lon = (min(p[0] for p in outer) + max(p[0] for p in outer)) / 2
        south_edge = min(p[1] for p in outer)
        for metres in (0.5, 10, 29.9, 30, 30.1, 45):
            points.append((lon, south_edge - metres / 110_540))
    return points


def _ids(found):
    return None if found is None else tuple(found)


@pytest.mark.parametrize("seed", [1, 2])
def test_locate_many_answers_as_the_exact_lookup_and_as_locate(demo, monkeypatch, seed):
    """The batch path (the cell raster of places.raster for large batches) answers every point exactly as the
    tree lookup alone and as ``locate`` one point at a time: random points inside and outside the city, every
    vertex and edge middle of every outline (where outlines touch), building tolerances, and a hole."""
    from youlin.places import raster, services
    from youlin.places.index import get_index

    community = Community.objects.get(name="钢院社区")
    lon, lat = centre(community.geometry)
    d, h = 4e-4, 1.5e-4
    services.compound_ensure(  # a compound with a courtyard that is not part of it: a hole
        community=community,
        name="回字院",
        kind=Compound.Kind.ESTATE,
        households=1,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]],
                [[lon - h, lat - h], [lon - h, lat + h], [lon + h, lat + h], [lon + h, lat - h], [lon - h, lat - h]],
            ],
        },
    )
    points = _points_to_check(seed) + [(lon, lat), (lon - h, lat), (lon + d, lat + d)]
    monkeypatch.setattr(raster, "MIN_POINTS", 10**9)
    exact = locate_many(points)
    assert get_index().raster is None
    monkeypatch.setattr(raster, "MIN_POINTS", 1)
    batch = locate_many(points)
    assert get_index().raster is not None
    assert [_ids(f) for f in batch] == [_ids(f) for f in exact]
    assert sum(f is None for f in batch) > 100 and sum(f is not None for f in batch) > 1000
    assert any(f is not None and f.building_id for f in batch)
    for (p_lon, p_lat), found in list(zip(points, batch, strict=True))[::7]:
        try:
            one = locate(p_lon, p_lat)
        except GeometryError:
            assert found is None
            continue
        assert found is not None
        assert (found.community_id, found.grid_id, found.zone_id) == (
            one.community.pk,
            one.grid.pk if one.grid else None,
            one.zone.pk if one.zone else None,
        )
        assert found.building_id == (one.building.pk if one.building else None)
        if one.building is None or found.compound_id is not None:
            assert found.compound_id == (one.compound.pk if one.compound else None)


def test_one_point_answers_as_the_batch_lookup_at_every_point(demo):
    """``locate`` looks one point up without the batch's arrays (``_locate_one``): for every point the batch's
    tree lookup checks (vertices and edge middles where outlines touch, points off each building, outside the
    city), the same ids, coordinates and building tolerance."""
    import numpy as np

    from youlin.places.index import get_index
    from youlin.places.selectors import _locate_in, _locate_one

    index = get_index()
    points = _points_to_check(5)
    batch = _locate_in(index, np.array(points, dtype=float))
    one = [_locate_one(index, lon, lat) for lon, lat in points]
    assert one == batch
    assert sum(f is None for f in one) > 100 and sum(f is not None and f.building_id is not None for f in one) > 100


def test_locate_many_by_cells_with_an_empty_layer_and_no_buildings_near(demo, monkeypatch):
    """A layer with no outline at all (no zones) and a city without buildings: the raster still answers as the
    tree."""
    from youlin.places import raster
    from youlin.places.index import forget_index
    from youlin.places.models import Zone

    Zone.objects.all().delete()
    Building.objects.all().delete()
    forget_index()
    points = _points_to_check(3)
    monkeypatch.setattr(raster, "MIN_POINTS", 10**9)
    exact = locate_many(points)
    monkeypatch.setattr(raster, "MIN_POINTS", 1)
    batch = locate_many(points)
    assert [_ids(f) for f in batch] == [_ids(f) for f in exact]
    assert all(f is None or (f.zone_id is None and f.building_id is None) for f in batch)
