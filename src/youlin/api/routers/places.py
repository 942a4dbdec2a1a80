"""Places: ``locate`` (point → community, compound, building, grid, zone, responsible parties), communities and
their structure. Geography and who answers for a place are public (the report page shows them); the names of
grid workers only to callers who may view the community."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from youlin.access import policy
from youlin.api import auth
from youlin.api.errors import ERRORS
from youlin.api.schemas import CommunityOut, CommunityStructureOut, LocationOut
from youlin.parties.selectors import responsible_for
from youlin.places.models import Community
from youlin.places.selectors import community_geojson, community_structure, locate

router = Router(tags=["places"])


class LocateQuery(Schema):
    lon: float = Field(allow_inf_nan=False)
    lat: float = Field(allow_inf_nan=False)
    crs: str = Field("wgs84", pattern=r"^(wgs84|gcj02)$", description="gcj02: coordinates from a phone map in China")


def _community(c) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "slug": c.slug,
        "households": c.households,
        "subdistrict": {"code": c.subdistrict.code, "name": c.subdistrict.name},
    }


@router.get("/places/locate", response={200: LocationOut, **ERRORS}, auth=auth.optional)
def place_locate(request, query: Query[LocateQuery]):
    """Where a point is and who answers for it. A point outside every community is a 422."""
    location = locate(query.lon, query.lat, crs=query.crs)
    parties = responsible_for(
        compound=location.compound, building=location.building, zone=location.zone, grid=location.grid
    )
    may_view = policy.can(request.user, policy.VIEW, location.community)
    c, g = location.community, location.grid
    return {
        "lon": location.lon,
        "lat": location.lat,
        "label": location.label,
        "community": {"id": c.pk, "code": c.code, "name": c.name, "slug": c.slug},
        "compound": (
            {"id": location.compound.pk, "name": location.compound.name, "kind": location.compound.kind}
            if location.compound
            else None
        ),
        "building": {"id": location.building.pk, "name": location.building.name} if location.building else None,
        "grid": {"id": g.pk, "code": g.code, "name": g.name} if g else None,
        "zone": {"id": location.zone.pk, "name": location.zone.name} if location.zone else None,
        "responsible": [
            {
                "organisation": {"id": d.organisation.pk, "name": d.organisation.name, "kind": d.organisation.kind},
                "duty": d.duty,
                "duty_label": str(d.duty_label),
                "place": d.place_label,
            }
            for d in parties.duties
        ],
        "shared": parties.is_shared,
        "grid_workers": [p.name for p in parties.grid_workers] if may_view else [],
    }


@router.get("/places/communities", response={200: list[CommunityOut], **ERRORS}, auth=auth.optional)
def community_list(request):
    return [_community(c) for c in Community.objects.select_related("subdistrict").order_by("code")]


def _get_community(code: str) -> Community:
    from django.http import Http404

    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Http404
    return community_structure(community)


@router.get("/places/communities/{code}", response={200: CommunityStructureOut, **ERRORS}, auth=auth.optional)
def community_detail(request, code: str):
    """A community's compounds (with buildings and entrances), grids, zones and named points."""
    community = _get_community(code)
    return {
        **_community(community),
        "compounds": [
            {
                "id": compound.pk,
                "name": compound.name,
                "kind": compound.kind,
                "households": compound.households,
                "buildings": [
                    {
                        "id": b.pk,
                        "name": b.name,
                        "households": b.households,
                        "floors": b.floors,
                        "entrances": [
                            {"id": e.pk, "name": e.name, "households": e.households} for e in b.entrances.all()
                        ],
                    }
                    for b in compound.buildings.all()
                ],
            }
            for compound in community.compounds.all()
        ],
        "grids": [{"id": g.pk, "code": g.code, "name": g.name} for g in community.grids.all()],
        "zones": [{"id": z.pk, "name": z.name} for z in community.zones.all()],
        "named_points": [
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "lon": p.geometry["coordinates"][0],
                "lat": p.geometry["coordinates"][1],
            }
            for p in community.named_points.all()
        ],
    }


@router.get("/places/communities/{code}/geojson", response={200: dict, **ERRORS}, auth=auth.optional)
def community_map(request, code: str):
    """The community's outlines as a GeoJSON FeatureCollection (no personal data)."""
    return community_geojson(_get_community(code))
