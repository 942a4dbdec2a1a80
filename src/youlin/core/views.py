"""Pages shared by every part: the first page (the district and its communities) and health."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from youlin.access.policy import visible_communities
from youlin.places.selectors import district_overview


def home(request):
    district, subdistricts = district_overview(settings.YOULIN_DISTRICT_CODE)
    my_communities = list(visible_communities(request.user).order_by("code")) if request.user.is_authenticated else []
    return render(
        request,
        "core/home.html",
        {"district": district, "subdistricts": subdistricts, "my_communities": my_communities},
    )


def health(request):
    return JsonResponse({"status": "ok"})
