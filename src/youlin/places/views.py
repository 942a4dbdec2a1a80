"""Community pages: the overview of a community's structure and who answers for each place."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from youlin.access import policy
from youlin.parties.selectors import community_organisations, grid_workers_by_grid, responsibility_map
from youlin.places.models import Community, Compound
from youlin.places.selectors import community_geojson, community_structure


@login_required
def community_overview(request, slug: str):
    community = policy.get_for(request.user, Community.objects.all(), policy.VIEW, slug=slug)
    community = community_structure(community)
    responsibilities = responsibility_map(community.pk)
    compounds, courtyards = [], []
    for compound in community.compounds.all():
        buildings = [
            {"building": b, "parties": responsibilities.get(("building", b.pk), [])} for b in compound.buildings.all()
        ]
        owners = {r.organisation_id for b in buildings for r in b["parties"] if r.duty == "owner_unit"}
        target = courtyards if compound.kind == Compound.Kind.COURTYARD and not buildings else compounds
        target.append(
            {
                "compound": compound,
                "parties": responsibilities.get(("compound", compound.pk), []),
                "buildings": buildings,
                "shared": len(owners) > 1,
            }
        )
    workers = grid_workers_by_grid(community.pk)
    grids = [{"grid": g, "workers": workers.get(g.pk, [])} for g in community.grids.all()]
    zones = [{"zone": z, "parties": responsibilities.get(("zone", z.pk), [])} for z in community.zones.all()]
    return render(
        request,
        "places/community_overview.html",
        {
            "community": community,
            "compounds": compounds,
            "courtyards": courtyards,
            "grids": grids,
            "zones": zones,
            "organisations": community_organisations(community.pk, community.subdistrict_id),
            "can_change": policy.can(request.user, policy.CHANGE, community),
            "geojson": community_geojson(community),
        },
    )
