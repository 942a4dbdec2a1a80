"""Pages shared by every part: the first page (the district and its communities), health and readiness, and the
answer to an unexpected error."""

import sys

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache

from youlin.access.policy import visible_communities
from youlin.core import edges
from youlin.core import health as checks
from youlin.places.selectors import district_overview


def home(request):
    district, subdistricts = district_overview(settings.YOULIN_DISTRICT_CODE)
    my_communities = list(visible_communities(request.user).order_by("code")) if request.user.is_authenticated else []
    return render(
        request,
        "core/home.html",
        {"district": district, "subdistricts": subdistricts, "my_communities": my_communities},
    )


@never_cache
def health(request):
    """Liveness: the process answers and reaches its database (a node that cannot is of no use to anyone)."""
    database = checks.check_database()
    if database != checks.OK:
        return JsonResponse({"status": checks.UNAVAILABLE, "checks": {"database": database}}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    """Readiness: database, shared cache, file store and the worker's heartbeat (``youlin.core.health``)."""
    body, status = checks.readiness()
    return JsonResponse(body, status=status)


def server_error(request):
    """An error no view answered. With the database gone, the API and Open311 still answer in their own shape
    (503, code ``unavailable``); pages get the usual error page."""
    exc = sys.exc_info()[1]
    if exc is not None and edges.is_busy(exc):  # locked by another writer, also outside a view: 503, every shape
        return edges.respond(request, edges.busy())
    if exc is not None and checks.database_unavailable(exc):
        from youlin.api.errors import database_unavailable_response
        from youlin.open311.views import database_unavailable_response as open311_unavailable

        path = request.path_info
        if path.startswith("/api/"):
            return database_unavailable_response()
        if path.startswith("/open311/"):
            return open311_unavailable(request)
    return defaults.server_error(request)


def favicon(request):
    """What a browser asks for by itself where a page names no icon (a feed, a file opened in a tab)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("youlin/icon.svg"))
