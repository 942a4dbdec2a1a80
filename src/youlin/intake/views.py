"""The suggestion partial an intake form asks for while the description is typed (htmx).

    <textarea name="description" hx-post="{% url 'intake:suggest' %}" hx-trigger="input changed delay:400ms"
              hx-target="#intake-suggestions" hx-include="#id_lon, #id_lat, #id_crs"></textarea>
    <div id="intake-suggestions" aria-live="polite"></div>

GET or POST; reads ``description`` (or ``text``), ``lon``, ``lat``, ``crs``. Public like /report/; it writes
nothing, so GET is allowed and POST needs the form's CSRF token as every POST does.
"""

from __future__ import annotations

import math

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from youlin.intake.selectors import category_search_text, suggest

MAX_TEXT = 20000


def _coordinate(raw, low: float, high: float) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and low <= value <= high else None


@require_http_methods(["GET", "POST"])
def suggest_partial(request):
    data = request.POST if request.method == "POST" else request.GET
    text = (data.get("description") or data.get("text") or "")[:MAX_TEXT]
    lon = _coordinate(data.get("lon"), -180, 180)
    lat = _coordinate(data.get("lat"), -90, 90)
    crs = data.get("crs") if data.get("crs") in ("wgs84", "gcj02") else "wgs84"
    result = suggest(text, lon=lon, lat=lat, top=3, crs=crs)
    return render(
        request,
        "intake/partials/suggestions.html",
        {"result": result, "typed": bool(text.strip()), "target": data.get("target") or "id_category"},
    )


@require_GET
@cache_control(max_age=300, public=True)
def search_terms(request):
    """Per active category id, the words a picker's search box matches (synonyms, everyday words, pinyin and
    initials): the category list of an intake form fetches it once (it is public reference data)."""
    return JsonResponse({str(pk): text for pk, text in category_search_text().items()})
