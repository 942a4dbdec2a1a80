"""The benchmarks' floors inside youlin itself (``bench/run.py``): the barest views the same server, settings,
middleware and database can answer, to measure the project's paths against.

- ``POST /_bench/insert``: one row into the scratch table ``bench_floor`` in one transaction (the floor of every
  write: Open311 POST, a resident's report);
- ``GET /_bench/list``: the same 100 cases an Open311 list shows, selected with ``.values()`` and written with
  the project's JSON encoder (the floor of the Open311 list).

They exist only for the benchmarks: routed only when ``YOULIN_BENCH_FLOOR`` is on (``bench/run.py`` turns it on
for the servers it starts; it is off by default and in production), and each view answers 404 when it is off,
should a URL configuration route it anyway. The scratch table is created and dropped by the benchmark run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from youlin.domain import jsonout

TABLE = "bench_floor"


def enabled() -> bool:
    return bool(getattr(settings, "YOULIN_BENCH_FLOOR", False))


def create_table() -> None:
    with connection.cursor() as cursor:
        id_column = "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY"
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {id_column}, body text NOT NULL, at timestamp)")


def drop_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


@csrf_exempt
@require_POST
def insert(request):
    if not enabled():
        raise Http404
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (body, at) VALUES (%s, %s)",  # noqa: S608 - fixed name, parameters bound
            [request.POST.get("body", "")[:4000], timezone.now().replace(tzinfo=None)],
        )
    return JsonResponse({"ok": True}, status=201)


@require_GET
def case_list(request):
    from youlin.cases.models import Case

    if not enabled():
        raise Http404
    start, end = parse_datetime(request.GET["start"]), parse_datetime(request.GET["end"])
    rows = list(
        Case.objects.filter(registered_at__gte=start, registered_at__lte=end)
        .order_by("-registered_at", "-id")
        .values(
            "number",
            "status",
            "description",
            "registered_at",
            "updated_at",
            "deadline",
            "address",
            "lat",
            "lon",
            "category__name",
            "category__code",
        )[:1000]
    )
    return HttpResponse(jsonout.dumps(rows), content_type="application/json")


def urlpatterns() -> list:
    """The floors' routes when ``YOULIN_BENCH_FLOOR`` is on, else none."""
    if not enabled():
        return []
    return [path("_bench/insert", insert, name="bench-floor-insert"), path("_bench/list", case_list)]
