"""Distances, open cases nearby, recurrence and hotspots."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet

from youlin.cases.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    Category,
)
from youlin.parties.models import Responsibility

Duty = Responsibility.Duty


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance in metres: exact enough within a city (the same frame as places.geo)."""
    kx = 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * 110_540.0)


def _box(lon: float, lat: float, radius_m: float) -> Q:
    dlat = radius_m / 110_540.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 1e-6))
    return Q(lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat)


def _within(rows, lon: float, lat: float, radius_m: float) -> list[Case]:
    """Keep rows within the radius (the box pre-filter already ran in SQL) and sort them nearest first."""
    found = []
    for case in rows:
        case.distance_m = distance_m(lon, lat, case.lon, case.lat)
        if case.distance_m <= radius_m:
            found.append(case)
    found.sort(key=lambda c: (c.distance_m, -c.pk))
    return found


def nearby_open_cases(category: Category, lon: float, lat: float, radius_m: float | None = None) -> list[Case]:
    """Open cases of the same category within ``radius_m`` metres, nearest first (one query): duplicates to
    offer a reporter before they file a new case. The radius defaults to YOULIN_DUPLICATE_RADIUS_M."""
    if radius_m is None:
        radius_m = settings.YOULIN_DUPLICATE_RADIUS_M
    rows = Case.objects.filter(_box(lon, lat, radius_m), category=category, status__in=OPEN_STATUSES).select_related(
        "category", "community"
    )
    return _within(rows, lon, lat, radius_m)


def recurrence_root(category: Category, lon: float, lat: float, *, since: datetime, radius_m: float = 50):
    """The case a new report at this point would be a recurrence (反弹) of: the first case of the chain of the
    most recently closed case of the same category within the radius since ``since``, as (id, number); or None.
    One query reading ids, points and dates only, in plain SQL: registration runs it on every report, and
    building it through the ORM cost more than running it."""
    dlat = radius_m / 110_540.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 1e-6))
    closed = sorted(CLOSED_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            _RECURRENCE_SQL.format(statuses=", ".join(["%s"] * len(closed))),
            [
                category.pk,
                *closed,
                connection.ops.adapt_datetimefield_value(since),
                lon - dlon,
                lon + dlon,
                lat - dlat,
                lat + dlat,
            ],
        )
        rows = cursor.fetchall()
    near = [r for r in rows if distance_m(lon, lat, r[1], r[2]) <= radius_m]
    if not near:
        return None
    latest = max(near, key=lambda r: (r[3], -distance_m(lon, lat, r[1], r[2]), r[0]))
    return (latest[5], latest[6]) if latest[5] else (latest[0], latest[4])


# The same filter as ``recently_closed_nearby`` (category, closed, closed since, the box around the point).
_RECURRENCE_SQL = (
    "SELECT c.id, c.lon, c.lat, c.closed_at, c.number, c.recurrence_of_id, r.number "
    "FROM cases_case c LEFT OUTER JOIN cases_case r ON r.id = c.recurrence_of_id "
    "WHERE c.category_id = %s AND c.status IN ({statuses}) AND c.closed_at >= %s "
    "AND c.lon >= %s AND c.lon <= %s AND c.lat >= %s AND c.lat <= %s"
)


def recently_closed_nearby(
    category: Category, lon: float, lat: float, *, since: datetime, radius_m: float = 50
) -> list[Case]:
    """Cases of the same category closed since ``since`` within the radius, most recently closed first."""
    rows = Case.objects.filter(
        _box(lon, lat, radius_m), category=category, status__in=CLOSED_STATUSES, closed_at__gte=since
    )
    found = _within(rows, lon, lat, radius_m)
    found.sort(key=lambda c: c.closed_at, reverse=True)
    return found


@dataclass
class Hotspot:
    root: Case
    count: int  # the first case and every recurrence of it
    last_registered_at: datetime


def recurrence_hotspots(community=None, min_count: int = 3, *, cases: QuerySet[Case] | None = None) -> list[Hotspot]:
    """Places where the same problem keeps coming back (屡次反弹): a first case with its recurrences, when the
    chain holds at least ``min_count`` cases. Every recurrence points at the first case of its chain, so this
    is one grouped query plus one to fetch the first cases. Pass ``cases`` (e.g. a user's visible cases)
    instead of a community to look across a jurisdiction."""
    base = cases if cases is not None else Case.objects.filter(community=community)
    groups = (
        base.filter(recurrence_of__isnull=False)
        .values("recurrence_of")
        .annotate(n=Count("id"), last=Max("registered_at"))
        .filter(n__gte=max(min_count - 1, 1))
        .order_by("-n", "recurrence_of")
    )
    groups = list(groups)
    roots = Case.objects.select_related("category", "community", "compound").in_bulk(
        [g["recurrence_of"] for g in groups]
    )
    return [Hotspot(root=roots[g["recurrence_of"]], count=g["n"] + 1, last_registered_at=g["last"]) for g in groups]
