"""Writes to places. ``*_ensure`` functions upsert by natural key (used by loaders), validating outlines."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from youlin.places.models import (
    Building,
    Community,
    Compound,
    District,
    Entrance,
    Grid,
    NamedPoint,
    Subdistrict,
    Zone,
)


def _ensure(model, lookup: dict[str, Any], values: dict[str, Any]):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.full_clean()
        obj.save(update_fields=[*changed, "updated_at"])
    return obj


@transaction.atomic
def district_ensure(*, code: str, name: str, geometry: dict | None = None) -> District:
    return _ensure(District, {"code": code}, {"name": name, "geometry": geometry})


@transaction.atomic
def subdistrict_ensure(*, district: District, code: str, name: str, geometry: dict | None = None) -> Subdistrict:
    return _ensure(Subdistrict, {"code": code}, {"district": district, "name": name, "geometry": geometry})


@transaction.atomic
def community_ensure(
    *,
    subdistrict: Subdistrict,
    code: str,
    name: str,
    slug: str,
    case_prefix: str,
    households: int,
    geometry: dict,
    address: str = "",
    summary: str = "",
) -> Community:
    return _ensure(
        Community,
        {"code": code},
        {
            "subdistrict": subdistrict,
            "name": name,
            "slug": slug,
            "case_prefix": case_prefix,
            "households": households,
            "geometry": geometry,
            "address": address,
            "summary": summary,
        },
    )


@transaction.atomic
def compound_ensure(
    *, community: Community, name: str, kind: str, households: int, geometry: dict, address: str = ""
) -> Compound:
    return _ensure(
        Compound,
        {"community": community, "name": name},
        {"kind": kind, "households": households, "geometry": geometry, "address": address},
    )


@transaction.atomic
def building_ensure(
    *, compound: Compound, name: str, households: int, geometry: dict, floors: int | None = None, address: str = ""
) -> Building:
    return _ensure(
        Building,
        {"compound": compound, "name": name},
        {"households": households, "geometry": geometry, "floors": floors, "address": address},
    )


@transaction.atomic
def entrance_ensure(*, building: Building, name: str, households: int) -> Entrance:
    return _ensure(Entrance, {"building": building, "name": name}, {"households": households})


@transaction.atomic
def grid_ensure(*, community: Community, code: str, name: str, geometry: dict) -> Grid:
    return _ensure(Grid, {"code": code}, {"community": community, "name": name, "geometry": geometry})


@transaction.atomic
def zone_ensure(*, community: Community, name: str, geometry: dict, description: str = "") -> Zone:
    return _ensure(Zone, {"community": community, "name": name}, {"geometry": geometry, "description": description})


@transaction.atomic
def named_point_ensure(
    *, community: Community, name: str, kind: str, geometry: dict, compound: Compound | None = None
) -> NamedPoint:
    return _ensure(
        NamedPoint, {"community": community, "name": name}, {"kind": kind, "geometry": geometry, "compound": compound}
    )
