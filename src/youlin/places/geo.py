"""Geometry helpers: coordinate checks, GCJ-02 → WGS-84, GeoJSON ↔ shapely, a local metric frame.

Everything stored is WGS-84 GeoJSON. Phone maps in China return GCJ-02 ("Mars coordinates"); those are
converted here, once, at the edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from shapely import geometry as sg
from shapely.validation import explain_validity

from youlin.domain.errors import DomainError


class GeometryError(DomainError, ValueError):
    """Bad coordinates or shapes. ``code`` is stable (for the API); ``message`` is for people; ``field`` is the
    input it is about (a point is the ``location``)."""

    def __init__(self, code: str, message, *, field: str | None = "location"):
        super().__init__(code, message, field=field)


WGS84 = "wgs84"
GCJ02 = "gcj02"
CRS_CHOICES = (WGS84, GCJ02)

_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _delta(lon: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse of the GCJ-02 offset by fixed-point iteration (error well under a centimetre)."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _step in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            break
        wlon, wlat = wlon - dlon, wlat - dlat
    return wlon, wlat


def check_point(lon, lat, crs: str = WGS84) -> tuple[float, float]:
    """Validate a coordinate pair and return it as WGS-84 (lon, lat)."""
    if crs not in CRS_CHOICES:
        raise GeometryError("invalid_crs", _("坐标系只能是 wgs84 或 gcj02。"))
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeometryError("invalid_coordinates", _("经纬度必须是数字。")) from None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise GeometryError("invalid_coordinates", _("经纬度必须是有限的数字。"))
    if not (-180.0 <= lon_f <= 180.0 and -90.0 <= lat_f <= 90.0):
        raise GeometryError("invalid_coordinates", _("经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间。"))
    if crs == GCJ02:
        lon_f, lat_f = gcj02_to_wgs84(lon_f, lat_f)
    return lon_f, lat_f


def polygon_from_geojson(data) -> sg.Polygon | sg.MultiPolygon:
    """A valid (Multi)Polygon from GeoJSON, or a GeometryError saying what is wrong with it."""
    if not isinstance(data, dict) or data.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError("invalid_geometry", _("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"))
    try:
        shape = sg.shape(data)
    except Exception:  # shapely raises several types for malformed coordinate arrays
        raise GeometryError("invalid_geometry", _("边界的坐标格式不正确。")) from None
    if shape.is_empty:
        raise GeometryError("invalid_geometry", _("边界不能为空。"))
    minx, miny, maxx, maxy = shape.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("invalid_coordinates", _("边界的经纬度超出范围。"))
    if not shape.is_valid:
        reason = explain_validity(shape)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise GeometryError("self_intersecting", _("边界自相交，请检查各顶点的顺序。"))
        raise GeometryError("invalid_geometry", _("边界不是有效的多边形：%(reason)s") % {"reason": reason})
    return shape


def point_from_geojson(data) -> sg.Point:
    if not isinstance(data, dict) or data.get("type") != "Point":
        raise GeometryError("invalid_geometry", _("位置必须是 GeoJSON 的 Point。"))
    coords = data.get("coordinates") or []
    if len(coords) < 2:
        raise GeometryError("invalid_geometry", _("位置缺少经纬度。"))
    lon, lat = check_point(coords[0], coords[1])
    return sg.Point(lon, lat)


def shape_from_geojson(data):
    if isinstance(data, dict) and data.get("type") == "Point":
        return point_from_geojson(data)
    return polygon_from_geojson(data)


@dataclass(frozen=True)
class LocalFrame:
    """Equirectangular metres around an origin: accurate to well under 1 % across a city."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return 111_320.0 * math.cos(math.radians(self.lat0))

    ky = 110_540.0

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def project(self, shape):
        import numpy as np
        import shapely

        scale = np.array([self.kx, self.ky])
        origin = np.array([self.lon0, self.lat0])
        return shapely.transform(shape, lambda coords: (coords - origin) * scale)


def square(lon: float, lat: float, half_m: float) -> dict:
    """A GeoJSON square of side 2 × half_m metres centred on (lon, lat); used by the demo data."""
    dlat = half_m / 110_540.0
    dlon = half_m / (111_320.0 * math.cos(math.radians(lat)))
    return rectangle(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def rectangle(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    ring = [
        [round(min_lon, 7), round(min_lat, 7)],
        [round(max_lon, 7), round(min_lat, 7)],
        [round(max_lon, 7), round(max_lat, 7)],
        [round(min_lon, 7), round(max_lat, 7)],
        [round(min_lon, 7), round(min_lat, 7)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}
