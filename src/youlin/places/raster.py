"""A cell raster over the place index that answers most points of a large batch without a tree query.

The city's extent is cut into square cells (metres of the index's local frame). For each layer, a cell that no
outline's boundary touches (nor comes near: a margin around each boundary) lies wholly inside or wholly outside
every outline of the layer, and so does every cell connected to it through such cells (4-neighbours: their
union is connected and crosses no boundary). Each connected component of untouched cells therefore has ONE
answer: the answer of the exact lookup at any point of it, computed once per component at build time. A point
of a batch takes its cell's answer; a point in a touched cell (or outside the raster) is looked up exactly, as
before. Every answer is therefore the exact lookup's answer (``tests/test_locate.py`` checks it on random
points, on edges, in holes and outside).

Buildings answer a point within ``YOULIN_BUILDING_TOLERANCE_M`` of a building with the nearest one: for that
layer every cell within the tolerance (plus the cell's own size) of a building's boundary counts as touched.

Built on demand, by ``locate_many`` for a batch of ``MIN_POINTS`` points or more (an import, the generator, the
bench), once per place-index revision: single lookups (a report, the API) never pay for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

MIN_POINTS = 2_000  # batches smaller than this are looked up exactly (the raster is not worth building)
MAX_CELLS = 2_000_000  # per layer; the cell size grows with the city's extent to stay under it
MIN_CELL_M = 2.0
MIXED = -2  # a touched cell: look the point up exactly
_EDGE = 0.01  # of a cell: margin against rounding where a boundary runs along a cell's edge


@dataclass
class Raster:
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    layers: dict[str, np.ndarray]  # layer name → (ny * nx,) answer per cell: shape index, -1 none, MIXED

    def cells(self, xy: np.ndarray) -> np.ndarray:
        """Flat cell number of each point, -1 outside the raster."""
        cx = np.floor((xy[:, 0] - self.x0) / self.cell)
        cy = np.floor((xy[:, 1] - self.y0) / self.cell)
        inside = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
        out = np.full(len(xy), -1, dtype=np.int64)
        out[inside] = cy[inside].astype(np.int64) * self.nx + cx[inside].astype(np.int64)
        return out

    def answers(self, layer: str, cells: np.ndarray) -> np.ndarray:
        """The cells' answers for a layer (MIXED for a touched cell or a point outside the raster)."""
        out = np.full(len(cells), MIXED, dtype=np.int64)
        inside = cells >= 0
        out[inside] = self.layers[layer][cells[inside]]
        return out


def _boundary_pieces(shapes: list, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """The layer's boundaries as segments no longer than a cell: (start xy, end xy) arrays."""
    if not shapes:
        return np.empty((0, 2)), np.empty((0, 2))
    lines = shapely.get_parts(shapely.boundary(np.asarray(shapes, dtype=object)))
    coords, which = shapely.get_coordinates(lines, return_index=True)
    same = which[1:] == which[:-1]  # a segment joins two points of one ring, never two rings
    a, b = coords[:-1][same], coords[1:][same]
    length = np.hypot(*(b - a).T)
    pieces = np.maximum(1, np.ceil(length / cell)).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), pieces)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    j = (np.arange(len(seg)) - first).astype(float)
    k = pieces[seg].astype(float)
    d = b[seg] - a[seg]
    return a[seg] + d * (j / k)[:, None], a[seg] + d * ((j + 1) / k)[:, None]


def _touched(raster: Raster, shapes: list) -> np.ndarray:
    """(ny, nx) booleans: the cells a boundary of the layer touches (with a small margin)."""
    touched = np.zeros((raster.ny, raster.nx), dtype=bool)
    start, end = _boundary_pieces(shapes, raster.cell)
    if not len(start):
        return touched
    margin = _EDGE * raster.cell
    lo = np.minimum(start, end) - margin
    hi = np.maximum(start, end) + margin
    origin = np.array([raster.x0, raster.y0])
    c0 = np.floor((lo - origin) / raster.cell).astype(np.int64)
    c1 = np.floor((hi - origin) / raster.cell).astype(np.int64)
    limit = np.array([raster.nx - 1, raster.ny - 1])
    c0, c1 = np.clip(c0, 0, limit), np.clip(c1, 0, limit)
    span = int((c1 - c0).max()) + 1  # a piece is at most one cell long: 2 or 3 cells a side
    for dx in range(span):
        for dy in range(span):
            x, y = c0[:, 0] + dx, c0[:, 1] + dy
            ok = (x <= c1[:, 0]) & (y <= c1[:, 1])
            touched[y[ok], x[ok]] = True
    return touched


def _within_reach(touched: np.ndarray, cell: float, reach: float) -> np.ndarray:
    """The cells any point of which may lie within ``reach`` metres of a touched cell's boundary point."""
    from scipy import ndimage

    if not touched.any():
        return touched
    distance = ndimage.distance_transform_edt(~touched)  # in cells, centre to centre
    # Two points of cells whose centres are d cells apart are at least (d - √2) cells apart.
    return distance * cell <= reach + (math.sqrt(2) + 2 * _EDGE) * cell


def _answers(raster: Raster, touched: np.ndarray, exact, extra=None) -> np.ndarray:
    """Per cell: the answer of its connected component of untouched cells (``exact`` at one cell's centre of
    each), or MIXED. ``extra``: (flat cells, answers) known otherwise, for touched cells."""
    from scipy import ndimage

    labels, count = ndimage.label(~touched)  # 4-connectivity
    flat = labels.ravel()
    table = np.full(count + 1, MIXED, dtype=np.int64)
    if count:
        some_cell = np.empty(count + 1, dtype=np.int64)
        some_cell[flat] = np.arange(len(flat))  # any one cell of each component (its answer is the component's)
        cy, cx = np.divmod(some_cell[1:], raster.nx)
        centres = np.column_stack((raster.x0 + (cx + 0.5) * raster.cell, raster.y0 + (cy + 0.5) * raster.cell))
        table[1:] = exact(shapely.points(centres))
    if extra is not None:
        table = np.append(table, extra[1])
        flat = flat.copy()
        flat[extra[0]] = count + 1 + np.arange(len(extra[0]))
    dtype = np.int16 if len(table) < np.iinfo(np.int16).max else np.int32
    return table[flat].astype(dtype)


def _nearest_building(raster: Raster, layer, band: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Cells of the buildings' band whose answer is still one building for every point of them.

    With c a cell's centre, r half its diagonal and d(B) the distance from c to building B, every point p of
    the cell has d(B) - r ≤ d(p, B) ≤ d(B) + r. So if the nearest building B has d(B) + r ≤ reach and
    d(B) + r < d(B') - r for every other building B', every point of the cell is within reach of B and strictly
    nearer to B than to any other (which therefore covers none of its points): the answer is B, whether the
    point lies inside B or near it. If no building is within reach + r of c, no point of the cell is within
    reach of any: -1. Returns (flat cell numbers, answers); the other cells stay MIXED."""
    flat = np.flatnonzero(band.ravel())
    if not len(flat) or layer.tree is None:
        return flat[:0], flat[:0]
    cy, cx = np.divmod(flat, raster.nx)
    centres = shapely.points(
        np.column_stack((raster.x0 + (cx + 0.5) * raster.cell, raster.y0 + (cy + 0.5) * raster.cell))
    )
    r = raster.cell * math.sqrt(2) / 2
    slack = _EDGE * raster.cell  # against rounding in the distances
    at, building = layer.tree.query(centres, predicate="dwithin", distance=reach + r + slack)
    shapes = np.asarray(layer.shapes, dtype=object)
    distance = shapely.distance(centres[at], shapes[building])
    order = np.lexsort((distance, at))
    at, building, distance = at[order], building[order], distance[order]
    first = np.flatnonzero(np.r_[True, at[1:] != at[:-1]]) if len(at) else np.empty(0, dtype=np.int64)
    count = np.bincount(at, minlength=len(flat))
    nearest = np.full(len(flat), -1, dtype=np.int64)
    best = np.full(len(flat), np.inf)
    second = np.full(len(flat), np.inf)
    nearest[at[first]] = building[first]
    best[at[first]] = distance[first]
    has_second = first[count[at[first]] > 1]
    second[at[has_second]] = distance[has_second + 1]
    none = count == 0
    one = (count > 0) & (best + r + slack <= reach) & (best + 2 * r + slack < second)
    known = none | one
    return flat[known], np.where(none, -1, nearest)[known]


def build_raster(index, exact_by_layer: dict, building_reach: float) -> Raster | None:
    """``exact_by_layer``: layer name → fn(points) → the exact answer (shape index, -1) of each point."""
    shapes = index.communities.shapes
    if not shapes:
        return None
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(shapes, dtype=object))
    cell = max(MIN_CELL_M, math.sqrt((x1 - x0) * (y1 - y0) / MAX_CELLS))
    x0, y0 = x0 - 2 * cell, y0 - 2 * cell
    nx = math.ceil((x1 - x0) / cell) + 2
    ny = math.ceil((y1 - y0) / cell) + 2
    raster = Raster(x0=x0, y0=y0, cell=cell, nx=nx, ny=ny, layers={})
    for name, exact in exact_by_layer.items():
        layer = getattr(index, name)
        touched = _touched(raster, layer.shapes)
        extra = None
        if name == "buildings":
            touched = _within_reach(touched, cell, building_reach)
            extra = _nearest_building(raster, layer, touched, building_reach)
        raster.layers[name] = _answers(raster, touched, exact, extra)
    return raster
