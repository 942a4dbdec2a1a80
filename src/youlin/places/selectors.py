"""Reads about places: ``locate`` (point → community, compound, building, grid, zone) and structure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext_lazy as _

from youlin.places.geo import WGS84, GeometryError, check_point
from youlin.places.index import Layer, get_index, instance
from youlin.places.models import Building, Community, Compound, Grid, Zone


@dataclass(frozen=True)
class LocatedIds:
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


def _locate_in(index, lonlat: np.ndarray) -> list[LocatedIds | None]:
    frame = index.frame
    xy = np.column_stack(((lonlat[:, 0] - frame.lon0) * frame.kx, (lonlat[:, 1] - frame.lat0) * frame.ky))
    points = shapely.points(xy)

    community_hit = _first_hit(index.communities, points)
    compound_hit = _first_hit(index.compounds, points)
    building_hit = _first_hit(index.buildings, points)
    missing = building_hit < 0
    if missing.any():
        tolerance = settings.YOULIN_BUILDING_TOLERANCE_M
        building_hit[missing] = _nearest_within(index.buildings, points[missing], tolerance)
    grid_hit = _first_hit(index.grids, points)
    zone_hit = _first_hit(index.zones, points)

    def ids(layer: Layer, hits: np.ndarray) -> list[int | None]:
        table = layer.id_table  # -1 picks the sentinel, replaced by None below
        return [None if h < 0 else int(v) for h, v in zip(hits.tolist(), table[hits].tolist(), strict=True)]

    communities = ids(index.communities, community_hit)
    compounds = ids(index.compounds, compound_hit)
    buildings = ids(index.buildings, building_hit)
    grids = ids(index.grids, grid_hit)
    zones = ids(index.zones, zone_hit)
    results: list[LocatedIds | None] = []
    for i, (lon, lat) in enumerate(lonlat.tolist()):
        community = communities[i]
        results.append(
            None
            if community is None
            else LocatedIds(lon, lat, community, compounds[i], buildings[i], grids[i], zones[i])
        )
    return results


def locate(lon, lat, *, crs: str = WGS84) -> Location:
    """Where a point is. Raises GeometryError (``invalid_coordinates``, ``outside_jurisdiction``).

    The places come from the index as instances holding their ids, names, codes and parents (the rest of each
    row loads on first access): one query (the index's revision) on a warm index, none per place."""
    if crs not in (WGS84, "gcj02"):
        check_point(0, 0, crs)  # raises the invalid_crs error
    lonlat = _checked_array([(lon, lat)], crs)
    index = get_index()
    found = _locate_in(index, lonlat)[0]
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
        self._answers: dict[str, ResolvedAddress | None] = {}

    def resolve(self, text: str) -> ResolvedAddress | None:
        wanted = _normalise_address(text)
        if not wanted:
            return None
        if wanted not in self._answers:
            self._answers[wanted] = self._resolve(wanted)
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
