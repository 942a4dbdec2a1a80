"""Organisation pages: what an organisation answers for and who works in it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from youlin.access import policy
from youlin.parties.models import Organisation
from youlin.parties.selectors import organisation_members, organisation_places


@login_required
def organisation_detail(request, pk: int):
    organisation = policy.get_for(
        request.user, Organisation.objects.select_related("community", "subdistrict"), policy.VIEW, pk=pk
    )
    return render(
        request,
        "parties/organisation_detail.html",
        {
            "organisation": organisation,
            "responsibilities": organisation_places(organisation),
            "members": organisation_members(organisation),
            "can_change": policy.can(request.user, policy.CHANGE, organisation),
        },
    )
