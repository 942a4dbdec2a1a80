"""The in-memory spatial index behind ``locate``: shapely STRtrees over a local metric frame.

Each process builds it once and rebuilds it when ``PlacesRevision`` moves on (one indexed single-row read
per lookup batch). Building the index reads every outline once; a lookup never loops over polygons.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.strtree import STRtree

from youlin.places.geo import LocalFrame, shape_from_geojson


@dataclass
class Layer:
    ids: list[int]
    shapes: list
    tree: STRtree | None
    parents: list[int] = field(default_factory=list)  # community id (or compound id for buildings)


@dataclass
class PlaceIndex:
    revision: int
    frame: LocalFrame
    communities: Layer
    compounds: Layer
    buildings: Layer
    grids: Layer
    zones: Layer


def _layer(rows, frame: LocalFrame) -> Layer:
    ids, shapes, parents = [], [], []
    for pk, geometry, parent in rows:
        if not geometry:
            continue
        try:
            shape = frame.project(shape_from_geojson(geometry))
        except ValueError:
            continue  # invalid outlines are refused on save; anything older is skipped, not fatal
        shapely.prepare(shape)
        ids.append(pk)
        shapes.append(shape)
        parents.append(parent)
    return Layer(ids=ids, shapes=shapes, tree=STRtree(shapes) if shapes else None, parents=parents)


def build_index(revision: int) -> PlaceIndex:
    from youlin.places.models import Building, Community, Compound, Grid, Zone

    communities = list(Community.objects.values_list("id", "geometry", "subdistrict_id"))
    centre = [shape_from_geojson(g).centroid for _pk, g, _p in communities if g]
    if centre:
        frame = LocalFrame(lon0=float(np.mean([p.x for p in centre])), lat0=float(np.mean([p.y for p in centre])))
    else:
        frame = LocalFrame(lon0=116.36, lat0=39.91)
    return PlaceIndex(
        revision=revision,
        frame=frame,
        communities=_layer(communities, frame),
        compounds=_layer(Compound.objects.values_list("id", "geometry", "community_id"), frame),
        buildings=_layer(Building.objects.values_list("id", "geometry", "compound_id"), frame),
        grids=_layer(Grid.objects.values_list("id", "geometry", "community_id"), frame),
        zones=_layer(Zone.objects.values_list("id", "geometry", "community_id"), frame),
    )


_lock = threading.Lock()
_current: PlaceIndex | None = None


def current_revision() -> int:
    from youlin.places.models import PlacesRevision

    return PlacesRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def get_index() -> PlaceIndex:
    global _current
    revision = current_revision()
    index = _current
    if index is not None and index.revision == revision:
        return index
    with _lock:
        if _current is None or _current.revision != revision:
            _current = build_index(revision)
        return _current


def bump_revision() -> None:
    from django.db.models import F

    from youlin.places.models import PlacesRevision

    updated = PlacesRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        PlacesRevision.objects.get_or_create(pk=1, defaults={"number": 1})


def forget_index() -> None:
    global _current
    _current = None
