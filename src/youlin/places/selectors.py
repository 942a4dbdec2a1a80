"""Reads about places: ``locate`` (point → community, compound, building, grid, zone) and structure."""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext_lazy as _

from youlin.places import raster as cells
from youlin.places.geo import WGS84, GeometryError, check_point
from youlin.places.index import Layer, PlaceIndex, get_index, instance
from youlin.places.models import Building, Community, Compound, Grid, Zone


class LocatedIds(NamedTuple):
    """A located point's ids (a named tuple: a batch builds thousands of them)."""

    lon: float
    lat: float
    community_id: int
    compound_id: int | None
    building_id: int | None
    grid_id: int | None
    zone_id: int | None


@dataclass(frozen=True)
class Location:
    lon: float
    lat: float
    community: Community
    compound: Compound | None
    building: Building | None
    grid: Grid | None
    zone: Zone | None

    @property
    def label(self) -> str:
        parts = [self.community.name]
        if self.compound:
            parts.append(self.compound.name)
        if self.building:
            parts.append(self.building.name)
        return " · ".join(parts)


def _first_hit(layer: Layer, points: np.ndarray) -> np.ndarray:
    """For each point, the index (into layer.ids) of the first shape covering it, or -1."""
    out = np.full(len(points), -1, dtype=np.int64)
    if layer.tree is None or len(points) == 0:
        return out
    point_idx, shape_idx = layer.tree.query(points, predicate="intersects")
    if len(point_idx):
        # Lowest shape index wins where outlines touch (a point on a shared boundary): deterministic.
        order = np.lexsort((shape_idx, point_idx))
        point_idx, shape_idx = point_idx[order], shape_idx[order]
        first = np.unique(point_idx, return_index=True)[1]
        out[point_idx[first]] = shape_idx[first]
    return out


def _nearest_within(layer: Layer, points: np.ndarray, max_distance: float) -> np.ndarray:
    out = np.full(len(points), -1, dtype=np.int64)
    if layer.tree is None or len(points) == 0:
        return out
    point_idx, shape_idx = layer.tree.query_nearest(points, max_distance=max_distance, all_matches=False)
    out[point_idx] = shape_idx
    return out


def _checked_array(coords: Sequence[tuple[float, float]], crs: str) -> np.ndarray:
    """Coordinates as an (n, 2) WGS-84 array. WGS-84 input is checked in bulk; anything odd (or GCJ-02, which
    needs the per-point inverse) goes through ``check_point`` so the error names the problem."""
    if crs == WGS84:
        try:
            arr = np.asarray(coords, dtype=float).reshape(-1, 2)
        except (TypeError, ValueError):
            arr = None
        if (
            arr is not None
            and np.isfinite(arr).all()
            and (np.abs(arr[:, 0]) <= 180).all()
            and (np.abs(arr[:, 1]) <= 90).all()
        ):
            return arr
    return np.array([check_point(lon, lat, crs) for lon, lat in coords], dtype=float).reshape(-1, 2)


def locate_many(coords: Sequence[tuple[float, float]], *, crs: str = WGS84) -> list[LocatedIds | None]:
    """Locate many points at once (vectorised); ``None`` for a point outside every community."""
    if crs not in (WGS84, "gcj02"):
        check_point(0, 0, crs)  # raises the invalid_crs error
    return _locate_in(get_index(), _checked_array(coords, crs))


def _building_hit(layer: Layer, points: np.ndarray) -> np.ndarray:
    """The building covering each point, else the nearest within the tolerance, else -1."""
    hit = _first_hit(layer, points)
    missing = hit < 0
    if missing.any():
        hit[missing] = _nearest_within(layer, points[missing], settings.YOULIN_BUILDING_TOLERANCE_M)
    return hit


_LAYERS = ("communities", "compounds", "buildings", "grids", "zones")


def _exact(index: PlaceIndex, name: str):
    layer = getattr(index, name)
    if name == "buildings":
        return lambda points: _building_hit(layer, points)
    return lambda points: _first_hit(layer, points)


def _raster(index: PlaceIndex):
    """The index's cell raster (``places.raster``), built on first use; None for a city without outlines."""
    if not index.raster_built:
        with _raster_lock:
            if not index.raster_built:
                index.raster = cells.build_raster(
                    index,
                    {name: _exact(index, name) for name in _LAYERS},
                    settings.YOULIN_BUILDING_TOLERANCE_M,
                )
                index.raster_built = True
    return index.raster


_raster_lock = threading.Lock()


def _hits(index: PlaceIndex, xy: np.ndarray, use_raster: bool) -> dict[str, np.ndarray]:
    """Per layer, the index (into the layer's ids) of each point's shape, or -1. Points outside every
    community are not looked up in the other layers (their answer is None whatever they hold)."""
    raster = _raster(index) if use_raster else None
    where = raster.cells(xy) if raster is not None else None
    hits: dict[str, np.ndarray] = {}
    inside = None
    for name in _LAYERS:
        exact = _exact(index, name)
        if inside is None:
            todo_xy, todo_at = xy, None
        else:
            todo_at = inside
            todo_xy = xy[inside]
        if raster is not None:
            found = raster.answers(name, where if todo_at is None else where[todo_at])
            mixed = np.flatnonzero(found == cells.MIXED)
            if len(mixed):
                found[mixed] = exact(shapely.points(todo_xy[mixed]))
        else:
            found = exact(shapely.points(todo_xy))
        if todo_at is None:
            hits[name] = found
            inside = np.flatnonzero(found >= 0)
        else:
            full = np.full(len(xy), -1, dtype=np.int64)
            full[todo_at] = found
            hits[name] = full
    return hits


def _locate_in(index: PlaceIndex, lonlat: np.ndarray) -> list[LocatedIds | None]:
    frame = index.frame
    xy = np.column_stack(((lonlat[:, 0] - frame.lon0) * frame.kx, (lonlat[:, 1] - frame.lat0) * frame.ky))
    hits = _hits(index, xy, use_raster=len(xy) >= cells.MIN_POINTS)

    def ids(name: str) -> list[int | None]:
        hit = hits[name]
        values = getattr(index, name).id_table[hit].astype(object)  # -1 picks the sentinel, replaced by None
        values[hit < 0] = None
        return values.tolist()

    communities = ids("communities")
    compounds, buildings, grids, zones = ids("compounds"), ids("buildings"), ids("grids"), ids("zones")
    rows = zip(*lonlat.T.tolist(), communities, compounds, buildings, grids, zones, strict=True)
    # Tens of thousands of new tuples would set off the cyclic garbage collector over the whole heap several
    # times (about 40 % of a large batch's time); tuples of numbers make no cycles.
    paused = gc.isenabled()
    gc.disable()
    try:
        located: list = list(map(tuple.__new__, repeat(LocatedIds, len(lonlat)), rows))  # LocatedIds._make, faster
    finally:
        if paused:
            gc.enable()
    for i in np.flatnonzero(hits["communities"] < 0).tolist():
        located[i] = None
    return located


def _one_hit(layer: Layer, point) -> int:
    """``_first_hit`` for one point: the index of the lowest shape covering it, or -1."""
    if layer.tree is None:
        return -1
    found = layer.tree.query(point, predicate="intersects")
    return int(found.min()) if len(found) else -1


def _one_building(layer: Layer, point) -> int:
    """``_building_hit`` for one point."""
    hit = _one_hit(layer, point)
    if hit < 0 and layer.tree is not None:
        near = layer.tree.query_nearest(point, max_distance=settings.YOULIN_BUILDING_TOLERANCE_M, all_matches=False)
        hit = int(near[0]) if len(near) else -1
    return hit


def _locate_one(index: PlaceIndex, lon: float, lat: float) -> LocatedIds | None:
    """``_locate_in`` for one point, without the arrays a batch needs (a report, an API request): the same
    trees, the same tie-breaks, the same answer (``test_locate``)."""
    frame = index.frame
    point = shapely.Point((lon - frame.lon0) * frame.kx, (lat - frame.lat0) * frame.ky)
    community = _one_hit(index.communities, point)
    if community < 0:
        return None

    def pk(layer: Layer, hit: int) -> int | None:
        return layer.ids[hit] if hit >= 0 else None

    return LocatedIds(
        lon,
        lat,
        index.communities.ids[community],
        pk(index.compounds, _one_hit(index.compounds, point)),
        pk(index.buildings, _one_building(index.buildings, point)),
        pk(index.grids, _one_hit(index.grids, point)),
        pk(index.zones, _one_hit(index.zones, point)),
    )


def locate(lon, lat, *, crs: str = WGS84) -> Location:
    """Where a point is. Raises GeometryError (``invalid_coordinates``, ``outside_jurisdiction``).

    The places come from the index as instances holding their ids, names, codes and parents (the rest of each
    row loads on first access): one query (the index's revision) on a warm index, none per place."""
    lon, lat = check_point(lon, lat, crs)  # what ``_checked_array`` gives for one point, or its error
    index = get_index()
    found = _locate_one(index, lon, lat)
    if found is None:
        raise GeometryError("outside_jurisdiction", _("该位置不在任何社区范围内，请在地图上重新选择。"))
    building = instance(index, "buildings", found.building_id) if found.building_id else None
    compound = instance(index, "compounds", found.compound_id) if found.compound_id else None
    if compound is None and building is not None:
        compound = instance(index, "compounds", building.compound_id)  # near a building outside any compound
    if building is not None and compound is not None and building.compound_id == compound.pk:
        building.compound = compound  # ``full_name`` and routing read it
    return Location(
        lon=found.lon,
        lat=found.lat,
        community=instance(index, "communities", found.community_id),
        compound=compound,
        building=building,
        grid=instance(index, "grids", found.grid_id) if found.grid_id else None,
        zone=instance(index, "zones", found.zone_id) if found.zone_id else None,
    )


def community_structure(community: Community) -> Community:
    """A community with compounds, buildings (and entrances), grids, zones and named points prefetched."""
    return (
        Community.objects.select_related("subdistrict__district")
        .prefetch_related(
            Prefetch(
                "compounds",
                # Estates (with buildings and parties) before single-storey courtyards.
                queryset=Compound.objects.order_by("-kind", "name").prefetch_related(
                    Prefetch("buildings", queryset=Building.objects.order_by("pk").prefetch_related("entrances"))
                ),
            ),
            "grids",
            "zones",
            "named_points",
        )
        .get(pk=community.pk)
    )


def district_overview(district_code: str):
    """Sub-districts with their communities and counts, for the first page (one query per level)."""
    from youlin.places.models import District, Subdistrict

    district = District.objects.filter(code=district_code).first()
    if district is None:
        return None, []
    subdistricts = (
        Subdistrict.objects.filter(district=district)
        .prefetch_related(
            Prefetch(
                "communities",
                queryset=Community.objects.annotate(
                    compound_count=Count("compounds", distinct=True),
                    grid_count=Count("grids", distinct=True),
                ).order_by("code"),
            )
        )
        .annotate(households=Sum("communities__households"))
        .order_by("code")
    )
    return district, list(subdistricts)


def community_geojson(community: Community) -> dict:
    """A FeatureCollection of a prefetched community's outlines for the map (no personal data)."""
    features = []

    def add(layer: str, name: str, geometry, **props):
        if geometry:
            features.append(
                {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, "name": name, **props}}
            )

    add("community", community.name, community.geometry)
    for grid in community.grids.all():
        add("grid", f"{grid.name} {grid.code}", grid.geometry)
    for compound in community.compounds.all():
        add("compound", compound.name, compound.geometry, kind=compound.kind)
        for building in compound.buildings.all():
            add("building", f"{compound.name}{building.name}", building.geometry)
    for zone in community.zones.all():
        add("zone", zone.name, zone.geometry)
    for point in community.named_points.all():
        add("point", point.name, point.geometry, kind=point.kind)
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class ResolvedAddress:
    """A place named in an address, and a point inside it that ``locate`` maps back to that place."""

    lon: float
    lat: float
    compound: Compound
    building: Building | None

    @property
    def label(self) -> str:
        return self.building.full_name if self.building else self.compound.name


def _normalise_address(text: str) -> str:
    return "".join((text or "").split()).replace("（", "(").replace("）", ")")


def _point_in_compound_away_from_buildings(compound: Compound) -> tuple[float, float] | None:
    """A point of the compound farther than the building tolerance from every building, so that ``locate``
    answers with the compound itself (a shared courtyard stays shared); None when there is no such point."""
    from youlin.places.geo import LocalFrame, shape_from_geojson

    outline = shape_from_geojson(compound.geometry)
    centre = outline.representative_point()
    frame = LocalFrame(centre.x, centre.y)
    tolerance_m = settings.YOULIN_BUILDING_TOLERANCE_M + 1
    grown = [
        frame.project(shape_from_geojson(b.geometry)).buffer(tolerance_m)
        for b in compound.buildings.all()
        if b.geometry
    ]
    free = frame.project(outline)
    if grown:
        free = free.difference(shapely.union_all(grown))
    if free.is_empty:
        return None
    point = free.representative_point()
    return frame.lon0 + point.x / frame.kx, frame.lat0 + point.y / frame.ky


def resolve_address(text: str) -> ResolvedAddress | None:
    """The compound or building an address names (``手帕口南街36号院``, ``手帕口南街36号院甲楼``), or None.

    The longest compound name found in the text wins; a building of that compound named after it narrows it
    down. The point returned lies inside the building, or inside the compound away from its buildings, so a
    case filed there is routed exactly like one located on the map. Three queries."""
    from youlin.places.geo import shape_from_geojson

    wanted = _normalise_address(text)
    if not wanted:
        return None
    names = Compound.objects.exclude(geometry=None).values_list("pk", "name")
    found = [(len(_normalise_address(name)), pk, name) for pk, name in names if _normalise_address(name) in wanted]
    if not found:
        return None
    _length, compound_pk, name = max(found)
    compound = Compound.objects.prefetch_related("buildings").get(pk=compound_pk)
    rest = wanted.split(_normalise_address(name), 1)[1]
    buildings = [b for b in compound.buildings.all() if b.geometry and rest.startswith(_normalise_address(b.name))]
    if buildings:
        building = max(buildings, key=lambda b: len(b.name))
        point = shape_from_geojson(building.geometry).representative_point()
        return ResolvedAddress(lon=point.x, lat=point.y, compound=compound, building=building)
    spot = _point_in_compound_away_from_buildings(compound)
    if spot is None:
        point = shape_from_geojson(compound.geometry).representative_point()
        spot = (point.x, point.y)
    return ResolvedAddress(lon=spot[0], lat=spot[1], compound=compound, building=None)


class AddressIndex:
    """The compounds and buildings of one community by name, loaded once, to find the place each of many
    addresses names (an import's rows): the longest compound name in the text wins, then the longest building
    of it that the rest of the text starts with (``手帕口南街36号院甲楼2单元`` → 36号院, 甲楼). The point answered
    lies inside the building, or inside the compound away from its buildings, as ``resolve_address`` does."""

    def __init__(self, community_id: int):
        compounds = (
            Compound.objects.filter(community_id=community_id).exclude(geometry=None).prefetch_related("buildings")
        )
        # Longest names first: "36号院" must not win over "手帕口南街36号院".
        self._compounds = sorted(
            ((_normalise_address(c.name), c) for c in compounds if c.name), key=lambda x: -len(x[0])
        )
        self._answers: dict[str, ResolvedAddress | None] = {}  # by normalised text
        self._by_text: dict[str, ResolvedAddress | None] = {}  # by the text as given

    def resolve(self, text: str) -> ResolvedAddress | None:
        if text in self._by_text:  # a file names the same addresses again and again
            return self._by_text[text]
        wanted = _normalise_address(text)
        if not wanted:
            return None
        if wanted not in self._answers:
            self._answers[wanted] = self._resolve(wanted)
        self._by_text[text] = self._answers[wanted]
        return self._answers[wanted]

    def _resolve(self, wanted: str) -> ResolvedAddress | None:
        from youlin.places.geo import shape_from_geojson

        for name, compound in self._compounds:
            if name not in wanted:
                continue
            rest = wanted.split(name, 1)[1]
            buildings = [
                b for b in compound.buildings.all() if b.geometry and rest.startswith(_normalise_address(b.name))
            ]
            if buildings:
                building = max(buildings, key=lambda b: len(b.name))
                point = shape_from_geojson(building.geometry).representative_point()
                return ResolvedAddress(lon=point.x, lat=point.y, compound=compound, building=building)
            spot = _point_in_compound_away_from_buildings(compound)
            if spot is None:
                point = shape_from_geojson(compound.geometry).representative_point()
                spot = (point.x, point.y)
            return ResolvedAddress(lon=spot[0], lat=spot[1], compound=compound, building=None)
        return None


def representative_point(community: Community) -> tuple[float, float]:
    """A point surely inside the community's outline (where a case waits whose place is not known yet)."""
    from youlin.places.geo import shape_from_geojson

    point = shape_from_geojson(community.geometry).representative_point()
    return point.x, point.y
