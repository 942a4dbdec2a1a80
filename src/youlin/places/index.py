"""The in-memory spatial index behind ``locate``: shapely STRtrees over a local metric frame.

Each process builds it once and rebuilds it when ``PlacesRevision`` moves on (one indexed single-row read
per lookup batch, or none inside ``revision_held``). Building the index reads every outline once; a lookup never loops over polygons. Each layer
also keeps the few fields of its rows that callers of ``locate`` read (ids, names, codes, parents), so a lookup
answers without fetching the rows and their outlines again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.strtree import STRtree

from youlin.places.geo import LocalFrame, shape_from_geojson

# The fields each layer keeps beside its outlines (``Layer.rows``): what ``locate``'s callers read.
FIELDS = {
    "communities": ("id", "name", "code", "slug", "case_prefix", "subdistrict_id"),
    "compounds": ("id", "name", "kind", "community_id"),
    "buildings": ("id", "name", "compound_id"),
    "grids": ("id", "name", "code", "community_id"),
    "zones": ("id", "name", "community_id"),
}


@dataclass
class Layer:
    ids: list[int]
    shapes: list
    tree: STRtree | None
    parents: list[int] = field(default_factory=list)  # community id (or compound id for buildings)
    rows: dict[int, tuple] = field(default_factory=dict)  # id → the values of the layer's FIELDS
    id_table: np.ndarray | None = None  # ids + a sentinel at the end, so that hit -1 indexes it

    def __post_init__(self):
        self.id_table = np.array([*self.ids, 0], dtype=np.int64)


@dataclass
class PlaceIndex:
    revision: int
    frame: LocalFrame
    communities: Layer
    compounds: Layer
    buildings: Layer
    grids: Layer
    zones: Layer
    # The cell raster of ``places.raster``, built on the first large batch (``raster_built``: tried once).
    raster: object | None = None
    raster_built: bool = False


def _layer(rows, frame: LocalFrame) -> Layer:
    """``rows``: (geometry, parent id, *the layer's FIELDS) — the first field is the id."""
    ids, shapes, parents, values = [], [], [], {}
    for geometry, parent, *kept in rows:
        pk = kept[0]
        values[pk] = tuple(kept)
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
    return Layer(ids=ids, shapes=shapes, tree=STRtree(shapes) if shapes else None, parents=parents, rows=values)


def build_index(revision: int) -> PlaceIndex:
    from youlin.places.models import Building, Community, Compound, Grid, Zone

    def rows(model, layer: str, parent: str):
        return model.objects.values_list("geometry", parent, *FIELDS[layer])

    communities = list(rows(Community, "communities", "subdistrict_id"))
    centre = [shape_from_geojson(g).centroid for g, *_rest in communities if g]
    if centre:
        frame = LocalFrame(lon0=float(np.mean([p.x for p in centre])), lat0=float(np.mean([p.y for p in centre])))
    else:
        frame = LocalFrame(lon0=116.36, lat0=39.91)
    return PlaceIndex(
        revision=revision,
        frame=frame,
        communities=_layer(communities, frame),
        compounds=_layer(rows(Compound, "compounds", "community_id"), frame),
        buildings=_layer(rows(Building, "buildings", "compound_id"), frame),
        grids=_layer(rows(Grid, "grids", "community_id"), frame),
        zones=_layer(rows(Zone, "zones", "community_id"), frame),
    )


_lock = threading.Lock()
_current: PlaceIndex | None = None


def current_revision() -> int:
    """The revision number (0 before the first write): plain SQL, as it is read on every lookup."""
    from django.db import connection

    from youlin.places.models import PlacesRevision

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {PlacesRevision._meta.db_table} WHERE id = 1")  # noqa: S608 - fixed name
        row = cursor.fetchone()
    return row[0] if row else 0


_held = threading.local()


@contextmanager
def revision_held(number: int) -> Iterator[None]:
    """Within the block this thread takes ``number`` as the places revision instead of reading it on each
    lookup: a caller that reads its own revision anyway reads this one in the same statement
    (``cases.routing_cache.held``), and a change made meanwhile counts from the next block on."""
    outer = getattr(_held, "number", None)
    _held.number = number
    try:
        yield
    finally:
        _held.number = outer


def get_index() -> PlaceIndex:
    global _current
    revision = getattr(_held, "number", None)
    if revision is None:
        revision = current_revision()
    index = _current
    if index is not None and index.revision == revision:
        return index
    with _lock:
        if _current is None or _current.revision != revision:
            _current = build_index(revision)
        return _current


_from_db: dict[str, tuple] = {}  # layer → (model, attnames in the model's field order, their places in FIELDS)


def _builder(layer: str) -> tuple:
    found = _from_db.get(layer)
    if found is None:
        from youlin.places.models import Building, Community, Compound, Grid, Zone

        model = {"communities": Community, "compounds": Compound, "buildings": Building, "grids": Grid, "zones": Zone}[
            layer
        ]
        names = FIELDS[layer]
        # ``from_db`` takes the values in the model's field order.
        ordered = [f.attname for f in model._meta.concrete_fields if f.attname in names]
        found = _from_db[layer] = (model, ordered, [names.index(n) for n in ordered])
    return found


def instance(index: PlaceIndex, layer: str, pk: int):
    """The row ``pk`` of a layer as a model instance holding the layer's FIELDS; any other field is deferred and
    loads on first access, as with ``.only()``. None if the index does not know the row."""
    values = getattr(index, layer).rows.get(pk)
    if values is None:
        return None
    model, ordered, at = _builder(layer)
    return model.from_db("default", ordered, [values[i] for i in at])


def bump_revision() -> None:
    from django.db.models import F

    from youlin.places.models import PlacesRevision

    updated = PlacesRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        PlacesRevision.objects.get_or_create(pk=1, defaults={"number": 1})


def forget_index() -> None:
    global _current
    _current = None
