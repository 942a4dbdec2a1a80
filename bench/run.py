"""The benchmark suite: each benchmark measures the project's path and a floor beside it, in the same run.

    python bench/run.py --size full|small|tiny [--database-url URL] [--out DIR]

Without a database URL (and without YOULIN_DATABASE_URL) a scratch PostgreSQL database is created on
127.0.0.1 and dropped at the end (``--sqlite`` uses a temporary SQLite file instead: for the tiny self-test).
The synthetic city is generated first (``youlin.synthetic``), or reused if the database already holds the
city of this size's seed. Results: ``<out>/results/latest.json`` (one entry per benchmark) and
``<out>/RESULTS.md``. Targets are ratios to the floor, because these machines are noisy. A missed target is
reported (``ok: false``), not an error; the exit status is non-zero only if a benchmark failed to run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Size:
    name: str
    subdistricts: int
    communities_per: int
    grids_per: int
    cases: int
    seed: int
    intake_seconds: float
    intake_clients: int
    repeats: int
    locate_points: int
    brute_points: int
    import_rows: int
    list_page: int  # the deep page of the case list


SIZES = {
    # 20 × 25 communities × 20 unit grids = 10,000 grid polygons; 1,000,000 cases.
    "full": Size("full", 20, 25, 20, 1_000_000, 1, 15.0, 8, 5, 100_000, 200, 20_000, 1000),
    "small": Size("small", 2, 10, 20, 20_000, 2, 4.0, 8, 3, 20_000, 50, 5_000, 100),
    "tiny": Size("tiny", 1, 2, 4, 2_500, 3, 1.0, 4, 2, 2_000, 20, 200, 2),
}
END = date(2026, 11, 1)
TARGETS = {
    "intake": ("≥", 0.5),
    "locate": ("≥", 50.0),
    "dashboard": ("≤", 1.5),
    "case_list": ("≤", 2.0),
    "import": ("≥", 0.2),
    "intake_suggest": ("≤", 20.0),
}
LOCATE_MIN_POINTS_PER_S = 100_000
INTAKE_P99_MS = 20.0  # issue 12: suggestion latency p99 through the API
INTAKE_PER_TEXT_MS = 5.0  # issue 12: the classifier alone, per text, one core


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def median_spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def timed(fn, repeats: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def entry(name: str, size: dict, project: dict, floor: dict, ratio: float, extra: dict | None = None) -> dict:
    op, target = TARGETS[name]
    ok = ratio >= target if op == "≥" else ratio <= target
    if name == "locate":
        ok = ok and project["points_per_s"]["median"] >= LOCATE_MIN_POINTS_PER_S
    if name == "intake_suggest":
        ok = ok and project["p99_ms"]["median"] < INTAKE_P99_MS and project["per_text_ms"] < INTAKE_PER_TEXT_MS
    return {
        "name": name,
        "size": size,
        "project": project,
        "floor": floor,
        "ratio": round(ratio, 4),
        "target": f"{op} {target}",
        "ok": bool(ok),
        **(extra or {}),
    }


# ---------------------------------------------------------------- database set-up


@contextmanager
def database(args):
    """The database URL to use: given, from the environment, a scratch PostgreSQL database, or SQLite."""
    url = args.database_url or os.environ.get("YOULIN_DATABASE_URL", "")
    if url:
        yield url
        return
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="youlin-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    name = f"youlin_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"scratch database {name}")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["YOULIN_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youlin.settings")
    import django

    django.setup()


def prepare_city(size: Size) -> dict:
    from django.core.management import call_command

    from youlin.places.models import District
    from youlin.synthetic.generate import CitySpec, generate_city

    call_command("migrate", interactive=False, verbosity=0)
    spec = CitySpec(
        subdistricts=size.subdistricts,
        communities_per=size.communities_per,
        cases=size.cases,
        seed=size.seed,
        grids_per=size.grids_per,
        end=END,
    )
    district = District.objects.filter(code=spec.code).first()
    if district is not None:
        log(f"reusing the city of district {spec.code}")
        return {"district": spec.code, "generated_s": None, "reused": True}
    log(f"generating {size.cases:,} cases over {size.subdistricts * size.communities_per} communities")
    counts = generate_city(spec, progress=log)
    return {"district": spec.code, "generated_s": counts["seconds"], "reused": False, "counts": counts}


def bench_user():
    """A district-level account (sees every case), as the city's hotline desk would have."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="bench_district", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return User.objects.get(pk=user.pk)


# ---------------------------------------------------------------- intake (HTTP)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int = 2):
    port = free_port()
    env = {
        **os.environ,
        "YOULIN_DATABASE_URL": url,
        "YOULIN_SECRET_KEY": secrets.token_urlsafe(40),
        "YOULIN_DEBUG": "0",
        "YOULIN_LOG_LEVEL": "ERROR",
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "youlin.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _client_loop(client, make_request, stop_at: float, latencies: list[float], errors: list[int]):
    while time.perf_counter() < stop_at:
        method, path, kwargs, expected = make_request()
        t0 = time.perf_counter()
        response = await client.request(method, path, **kwargs)
        latencies.append(time.perf_counter() - t0)
        if response.status_code != expected:
            errors.append(response.status_code)


async def _load(clients, make_request, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    await asyncio.gather(*(_client_loop(c, make_request, stop_at, latencies, errors) for c in clients))
    elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": len(errors),
        "error_codes": sorted(set(errors))[:5],
    }


def bench_intake(size: Size, url: str) -> dict:
    import httpx

    from youlin.cases.models import Case, Category
    from youlin.places.geo import shape_from_geojson
    from youlin.places.models import Community

    rng = random.Random(size.seed)
    categories = list(Category.objects.filter(is_active=True).values_list("pk", flat=True))
    boxes = [
        shape_from_geojson(g).bounds
        for g in Community.objects.exclude(geometry=None).values_list("geometry", flat=True)
    ]

    def report():
        b = boxes[rng.randrange(len(boxes))]
        data = {
            "category": str(rng.choice(categories)),
            "description": "楼道堆物，影响通行（压测）",
            "lon": f"{rng.uniform(b[0], b[2]):.7f}",
            "lat": f"{rng.uniform(b[1], b[3]):.7f}",
            "reporter_phone": f"138{rng.randrange(10**8):08d}",
        }
        return "POST", "/report/", {"data": data}, 302

    def health():
        return "GET", "/health", {}, 200

    before = Case.objects.count()

    async def run(base: str) -> tuple[list[dict], list[dict]]:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=60) for _ in range(size.intake_clients)]
        try:
            for c in clients:  # like a browser: a page with a form first, for the CSRF cookie and token
                page = await c.get("/accounts/login/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
                c.headers["X-CSRFToken"] = token
                c.headers["Referer"] = base + "/report/"
            await _load(clients, report, min(1.0, size.intake_seconds))  # warm both workers
            await _load(clients, health, min(1.0, size.intake_seconds))
            floors, projects = [], []
            for _ in range(size.repeats):  # interleaved, so drift hits both alike
                floors.append(await _load(clients, health, size.intake_seconds))
                projects.append(await _load(clients, report, size.intake_seconds))
            return floors, projects
        finally:
            for c in clients:
                await c.aclose()

    with gunicorn(url) as base:
        floors, projects = asyncio.run(run(base))
    created = Case.objects.count() - before
    errors = sum(p["errors"] for p in projects)
    if errors:
        raise RuntimeError(f"intake: {errors} requests failed: {projects[0]['error_codes']}")
    project = {
        "rps": median_spread([p["rps"] for p in projects]),
        "p50_ms": median_spread([p["p50_ms"] for p in projects]),
        "p99_ms": median_spread([p["p99_ms"] for p in projects]),
        "cases_created": created,
    }
    floor = {
        "rps": median_spread([f["rps"] for f in floors]),
        "p50_ms": median_spread([f["p50_ms"] for f in floors]),
        "p99_ms": median_spread([f["p99_ms"] for f in floors]),
    }
    return entry(
        "intake",
        {
            "cases_in_db": before,
            "clients": size.intake_clients,
            "seconds_per_run": size.intake_seconds,
            "workers": 2,
            "client": f"httpx {httpx.__version__} (asyncio)",
        },
        project,
        floor,
        project["rps"]["median"] / floor["rps"]["median"],
        {"project_path": "POST /report/ (form, CSRF) → case_register", "floor_path": "GET /health (JSON)"},
    )


# ---------------------------------------------------------------- locate


def bench_locate(size: Size) -> dict:
    import numpy as np
    import shapely

    from youlin.places.geo import shape_from_geojson
    from youlin.places.index import build_index, current_revision, forget_index, get_index
    from youlin.places.models import Grid
    from youlin.places.selectors import locate_many

    forget_index()
    t0 = time.perf_counter()
    get_index()
    build_s = time.perf_counter() - t0
    grids = [(pk, shape_from_geojson(g)) for pk, g in Grid.objects.values_list("pk", "geometry") if g]
    minx, miny, maxx, maxy = shapely.GeometryCollection([s for _pk, s in grids]).bounds
    rng = np.random.default_rng(size.seed)
    points = list(
        zip(
            rng.uniform(minx, maxx, size.locate_points).tolist(),
            rng.uniform(miny, maxy, size.locate_points).tolist(),
            strict=True,
        )
    )
    found: list = []

    def project():
        found[:] = locate_many(points)

    runs = timed(project, size.repeats)
    sample = points[: size.brute_points]

    def brute():
        out = []
        for lon, lat in sample:
            point = shapely.Point(lon, lat)
            out.append(next((pk for pk, shape in grids if shape.covers(point)), None))
        return out

    brute_runs = timed(lambda: brute(), max(1, size.repeats // 2), warmup=0)
    # The index must agree with brute force on the sampled points.
    expected = brute()
    mismatches = sum(1 for f, e in zip(found[: len(sample)], expected, strict=True) if (f.grid_id if f else None) != e)
    per_point = statistics.median(runs) / len(points)
    brute_per_point = statistics.median(brute_runs) / len(sample)
    project_figures = {
        "seconds": median_spread(runs),
        "points_per_s": median_spread([len(points) / r for r in runs]),
        "index_build_s": round(build_s, 3),
        "layers": "community, compound, building, grid, zone",
    }
    floor_figures = {
        "seconds_per_point": brute_per_point,
        "points_per_s": median_spread([len(sample) / r for r in brute_runs]),
        "sampled_points": len(sample),
        "layers": "grid",
    }
    _ = build_index, current_revision
    return entry(
        "locate",
        {"points": len(points), "grid_polygons": len(grids)},
        project_figures,
        floor_figures,
        brute_per_point / per_point,
        {
            "project_path": "places.selectors.locate_many (STRtree)",
            "floor_path": "Python loop over every grid polygon (shapely covers), sampled",
            "agreement": {"checked": len(sample), "mismatches": mismatches},
            "absolute_target": f"≥ {LOCATE_MIN_POINTS_PER_S:,} points/s",
        },
    )


# ---------------------------------------------------------------- dashboard


DASHBOARD_PG = """
WITH c AS MATERIALIZED (
    SELECT id, category_id, status, registered_at, closed_at, deadline, evaluated_at, rework_count, responded,
           resolved, satisfaction,
           date_trunc('month', registered_at AT TIME ZONE 'Asia/Shanghai') AS month
    FROM cases_case
    WHERE community_id IN (SELECT id FROM places_community WHERE subdistrict_id = %(sd)s)
      AND ((registered_at >= %(start)s AND registered_at < %(end)s) OR (closed_at >= %(start)s AND closed_at < %(end)s)
        OR (deadline >= %(start)s AND deadline < %(end)s) OR (evaluated_at >= %(start)s AND evaluated_at < %(end)s))
)
SELECT GROUPING(category_id) AS by_category, GROUPING(month) AS by_month, category_id, month,
    COUNT(*) FILTER (WHERE status NOT IN ('voided', 'merged') AND registered_at >= %(start)s AND registered_at < %(end)s),
    COUNT(*) FILTER (WHERE closed_at >= %(start)s AND closed_at < %(end)s),
    COUNT(*) FILTER (WHERE closed_at >= %(start)s AND closed_at < %(end)s AND closed_at <= deadline),
    COUNT(*) FILTER (WHERE status NOT IN ('voided', 'merged') AND deadline >= %(start)s AND deadline < %(end)s
                     AND (closed_at IS NULL OR closed_at >= %(end)s)),
    COUNT(*) FILTER (WHERE closed_at >= %(start)s AND closed_at < %(end)s AND rework_count > 0),
    COUNT(*) FILTER (WHERE evaluated_at >= %(start)s AND evaluated_at < %(end)s),
    COUNT(*) FILTER (WHERE evaluated_at >= %(start)s AND evaluated_at < %(end)s AND responded),
    COUNT(*) FILTER (WHERE evaluated_at >= %(start)s AND evaluated_at < %(end)s AND resolved),
    COUNT(*) FILTER (WHERE evaluated_at >= %(start)s AND evaluated_at < %(end)s AND satisfaction = 'satisfied'),
    COUNT(*) FILTER (WHERE evaluated_at >= %(start)s AND evaluated_at < %(end)s AND satisfaction = 'basically_satisfied')
FROM c
GROUP BY GROUPING SETS ((), (category_id), (month))
"""

MEASURE_FIELDS = [
    "registered_count",
    "closed_count",
    "closed_on_time_count",
    "due_open_count",
    "rework_closed_count",
    "visit_count",
    "responded_count",
    "resolved_count",
    "satisfied_count",
    "basically_satisfied_count",
]


def _dashboard_sqlite(sd, start, end):
    """SQLite has no GROUPING SETS: three aggregates in one statement (UNION ALL)."""
    touched = (
        "community_id IN (SELECT id FROM places_community WHERE subdistrict_id = %(sd)s) AND ("
        "(registered_at >= %(start)s AND registered_at < %(end)s) OR (closed_at >= %(start)s AND closed_at < %(end)s)"
        " OR (deadline >= %(start)s AND deadline < %(end)s) OR (evaluated_at >= %(start)s AND evaluated_at < %(end)s))"
    )
    counted = "status NOT IN ('voided', 'merged') AND registered_at >= %(start)s AND registered_at < %(end)s"
    aggregates = DASHBOARD_PG.split("COUNT(*) FILTER", 1)[1].split("FROM c", 1)[0]
    aggregates = "COUNT(*) FILTER" + aggregates.replace("AND responded", "AND responded = 1").replace(
        "AND resolved", "AND resolved = 1"
    )
    month = "strftime('%%Y-%%m', registered_at, '+8 hours')"
    return (
        f"SELECT 1, 1, NULL, NULL, {aggregates} FROM cases_case WHERE {touched} "  # noqa: S608 - fixed SQL, parameters bound
        f"UNION ALL SELECT 0, 1, category_id, NULL, {aggregates} FROM cases_case WHERE {touched} AND {counted} "
        f"GROUP BY category_id "
        f"UNION ALL SELECT 1, 0, NULL, {month}, {aggregates} FROM cases_case WHERE {touched} AND {counted} "
        f"GROUP BY {month}"
    )


def bench_dashboard(size: Size) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from youlin.cases.models import Case, Status
    from youlin.cases.selectors import case_measures
    from youlin.places.models import Subdistrict

    sd = Subdistrict.objects.annotate(n=Count("communities__cases")).order_by("-n").first()
    end = datetime(END.year, END.month, END.day, tzinfo=UTC) - timedelta(hours=8)
    start = end - timedelta(days=365)
    out: dict = {}

    def project():
        cases = Case.objects.filter(community__subdistrict=sd)
        counted = (
            cases.filter(registered_at__gte=start, registered_at__lt=end)
            .exclude(status__in=[Status.VOIDED, Status.MERGED])
            .order_by()
        )
        out["measures"] = case_measures(start=start, end=end, cases=cases)
        out["by_category"] = dict(counted.values_list("category").annotate(n=Count("id")))
        out["by_month"] = {
            m.strftime("%Y-%m"): n
            for m, n in counted.annotate(m=TruncMonth("registered_at")).values_list("m").annotate(n=Count("id"))
        }

    params = {"sd": sd.pk, "start": start, "end": end}
    sql = DASHBOARD_PG if connection.vendor == "postgresql" else _dashboard_sqlite(sd, start, end)
    rows: list = []

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows[:] = cursor.fetchall()

    project_runs = []
    floor_runs = []
    project()
    floor()
    for _ in range(size.repeats):  # interleaved
        project_runs.extend(timed(project, 1, warmup=0))
        floor_runs.extend(timed(floor, 1, warmup=0))
    # The floor must compute the same numbers.
    total = next(r for r in rows if r[0] == 1 and r[1] == 1)
    m = out["measures"]
    same = list(total[4:]) == [getattr(m, f) for f in MEASURE_FIELDS]
    by_category = {r[2]: r[4] for r in rows if r[0] == 0 and r[4]}
    by_month = {(r[3] if isinstance(r[3], str) else r[3].strftime("%Y-%m")): r[4] for r in rows if r[1] == 0 and r[4]}
    same = same and by_category == out["by_category"] and by_month == out["by_month"]
    if not same:
        raise RuntimeError("dashboard: the floor query does not compute the same numbers as the project path")
    # The whole dashboard page's data (issue 8: under a second on PostgreSQL), as a district account sees it.
    from youlin.dashboards import selectors as dash

    user = bench_user()
    area = dash.Area("subdistrict", sd.name, list(sd.communities.values_list("pk", flat=True)))
    local_end = (end + timedelta(hours=8)).date() - timedelta(days=1)
    period = dash.Period(local_end - timedelta(days=364), local_end)
    page_runs = timed(lambda: dash.dashboard(user, area, period), size.repeats, warmup=1)
    return entry(
        "dashboard",
        {
            "cases_in_db": Case.objects.count(),
            "subdistrict": sd.code,
            "cases_in_subdistrict": Case.objects.filter(community__subdistrict=sd).count(),
            "period": f"{start.date()}..{end.date()}",
        },
        {
            "seconds": median_spread(project_runs),
            "queries": 3,
            "closure_rate": m.closure_rate,
            "on_time_rate": m.on_time_rate,
            "score": m.score,
            "dashboard_page_seconds": median_spread(page_runs),
            "dashboard_page_target_seconds": 1.0,
            "dashboard_page_ok": statistics.median(page_runs) < 1.0,
        },
        {"seconds": median_spread(floor_runs), "queries": 1},
        statistics.median(project_runs) / statistics.median(floor_runs),
        {
            "project_path": "cases.selectors.case_measures + ORM counts by category and by month (3 queries)",
            "floor_path": "one hand-written SQL query (GROUPING SETS, COUNT FILTER)",
            "checked_equal": True,
        },
    )


# ---------------------------------------------------------------- case list


LIST_SQL = """
SELECT c.*, cat.*, com.*, cp.*, b.*, g.*
FROM cases_case c
JOIN cases_category cat ON cat.id = c.category_id
JOIN places_community com ON com.id = c.community_id
LEFT JOIN places_compound cp ON cp.id = c.compound_id
LEFT JOIN places_building b ON b.id = c.building_id
LEFT JOIN places_grid g ON g.id = c.grid_id
WHERE c.status = %s AND c.channel = %s {after}
ORDER BY c.registered_at DESC, c.id DESC
LIMIT %s
"""


def bench_case_list(size: Size) -> dict:
    from django.db import connection

    from youlin.cases.listing import PAGE_SIZE, case_search, encode_cursor
    from youlin.cases.models import Case, Channel, Status

    user = bench_user()
    filters = {"status": Status.CLOSED, "channel": Channel.HOTLINE}
    matching = Case.objects.filter(status=Status.CLOSED, channel=Channel.HOTLINE).count()
    page = min(size.list_page, matching // PAGE_SIZE)  # small cities have fewer pages than asked for
    if page < 2:
        raise RuntimeError(f"case list: only {matching} closed hotline cases, not two pages")
    with connection.cursor() as cursor:  # the cursor of page N: the last row of page N - 1 (not timed)
        cursor.execute(
            "SELECT registered_at, id FROM cases_case WHERE status = %s AND channel = %s "
            "ORDER BY registered_at DESC, id DESC LIMIT 1 OFFSET %s",
            [Status.CLOSED, Channel.HOTLINE, (page - 1) * PAGE_SIZE - 1],
        )
        found = cursor.fetchone()
    if found is None:
        raise RuntimeError(f"case list: fewer than {page} pages of closed hotline cases")
    at, pk = found
    if isinstance(at, str):
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)
    cursor_value = encode_cursor(Case(registered_at=at, pk=pk))
    keep: dict = {}

    def project(cursor_arg):
        def run():
            keep[cursor_arg] = [c.pk for c in case_search(user, filters, cursor=cursor_arg).rows]

        return run

    def floor(after):
        def run():
            with connection.cursor() as cursor:
                if after:
                    sql = LIST_SQL.format(after="AND (c.registered_at, c.id) < (%s, %s)")
                    cursor.execute(sql, [Status.CLOSED, Channel.HOTLINE, at, pk, PAGE_SIZE + 1])
                else:
                    cursor.execute(LIST_SQL.format(after=""), [Status.CLOSED, Channel.HOTLINE, PAGE_SIZE + 1])
                keep[("floor", after)] = [r[0] for r in cursor.fetchall()][:PAGE_SIZE]

        return run

    figures = {}
    for label, cursor_arg, after in (("first_page", None, False), (f"page_{page}", cursor_value, True)):
        p, f = [], []
        project(cursor_arg)()
        floor(after)()
        for _ in range(size.repeats * 4):
            p.extend(timed(project(cursor_arg), 1, warmup=0))
            f.extend(timed(floor(after), 1, warmup=0))
        if keep[cursor_arg] != keep[("floor", after)]:
            raise RuntimeError(f"case list: the floor returned other rows than case_search on {label}")
        figures[label] = {
            "project_s": median_spread(p),
            "floor_s": median_spread(f),
            "ratio": statistics.median(p) / statistics.median(f),
        }
    worst = max(v["ratio"] for v in figures.values())
    return entry(
        "case_list",
        {
            "cases_in_db": Case.objects.count(),
            "filters": "status=closed, channel=hotline (district account)",
            "page_size": PAGE_SIZE,
            "deep_page": page,
        },
        {k: v["project_s"] for k, v in figures.items()},
        {k: v["floor_s"] for k, v in figures.items()},
        worst,
        {
            "ratios": {k: round(v["ratio"], 3) for k, v in figures.items()},
            "project_path": "cases.listing.case_search (keyset cursor)",
            "floor_path": "bare SQL, same joins and rows, row-value keyset",
        },
    )


# ---------------------------------------------------------------- import


HOTLINE_HEADER = [
    "工单编号",
    "来电时间",
    "诉求人",
    "联系电话",
    "诉求地址",
    "诉求内容",
    "诉求类型",
    "承办单位",
    "办理时限",
]
HOTLINE_TYPES = ["城乡建设-市容环卫-乱堆杂物", "城乡建设-市容环卫-暴露垃圾", "城市管理-街面秩序-占道经营", "咨询-其他"]


def import_community():
    """The community the work orders are dispatched to: the first of the synthetic city's with compounds."""
    from youlin.places.models import Community

    return Community.objects.filter(compounds__isnull=False).order_by("code").distinct().first()


def import_csv(size: Size, community) -> str:
    """A 12345 dispatch file (派单) of ``size.import_rows`` work orders for one community: addresses naming its
    compounds and buildings (one in twenty that no map knows: triage), the hotline's own categories (one in
    four unsure: triage), a time limit in working days."""
    from youlin.places.models import Building

    rng = random.Random(size.seed + 100)
    places = [
        f"{compound}{building}{rng.randrange(1, 3)}单元"
        for compound, building in Building.objects.filter(compound__community=community).values_list(
            "compound__name", "name"
        )
    ]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HOTLINE_HEADER)
    base = datetime(2026, 10, 1)  # noqa: DTZ001 - local wall-clock times, as the hotline exports them
    for n in range(size.import_rows):
        called = base + timedelta(minutes=rng.randrange(30 * 24 * 60))
        w.writerow(
            [
                f"BJ12345-{size.seed}-{n:08d}",
                called.strftime("%Y-%m-%d %H:%M"),
                "王**",
                "138****1234",
                rng.choice(places) if rng.random() > 0.05 else f"不存在路{n}号",
                f"市民反映：楼道堆物，影响通行（工单 {n}）",
                rng.choice(HOTLINE_TYPES),
                "街道城管办",
                "5个工作日",
            ]
        )
    return out.getvalue()


class _Rollback(Exception):
    pass


def bench_import(size: Size) -> dict:
    """``youlin hotline import FILE --community SLUG`` (the same job as the page and the API) against a COPY of
    the same CSV into a bare table."""
    from django.core.management import call_command
    from django.db import connection, transaction

    community = import_community()
    text = import_csv(size, community)
    path = Path(tempfile.mkstemp(suffix=".csv", prefix="bench-hotline-")[1])
    path.write_text(text, encoding="utf-8")
    created: list[int] = []

    def in_rollback(fn):
        def run():
            try:
                with transaction.atomic():
                    t0 = time.perf_counter()
                    fn()
                    elapsed.append(time.perf_counter() - t0)
                    raise _Rollback
            except _Rollback:
                pass

        return run

    def project():
        out = io.StringIO()
        call_command("hotline", "import", str(path), "--community", community.slug, stdout=out)
        created.append(int(re.search(r"new (\d+)", out.getvalue()).group(1)))

    columns = ", ".join(f"c{i} text" for i in range(len(HOTLINE_HEADER)))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_orders ({columns})")
            if connection.vendor == "postgresql":
                with cursor.copy("COPY bench_orders FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(text.encode())
            else:
                rows = list(csv.reader(io.StringIO(text)))[1:]
                marks = ", ".join(["%s"] * len(HOTLINE_HEADER))
                cursor.executemany(f"INSERT INTO bench_orders VALUES ({marks})", rows)  # noqa: S608 - placeholders only

    project_runs, floor_runs = [], []
    try:
        for _ in range(max(2, size.repeats // 2 + 1)):
            elapsed: list[float] = []
            in_rollback(floor)()
            floor_runs.extend(elapsed)
            elapsed = []
            in_rollback(project)()
            project_runs.extend(elapsed)
    finally:
        path.unlink(missing_ok=True)
    rows = size.import_rows
    if set(created) != {rows}:
        raise RuntimeError(f"import: created {created}, expected {rows} each run")
    project = {"seconds": median_spread(project_runs), "rows_per_s": median_spread([rows / s for s in project_runs])}
    floor_figures = {"seconds": median_spread(floor_runs), "rows_per_s": median_spread([rows / s for s in floor_runs])}
    return entry(
        "import",
        {"rows": rows, "community": community.slug},
        project,
        floor_figures,
        project["rows_per_s"]["median"] / floor_figures["rows_per_s"]["median"],
        {
            "project_path": "youlin hotline import FILE --community SLUG (CSV → job → check → place by address → "
            "classify → route memoised → bulk writes)",
            "floor_path": "COPY … FROM STDIN (csv) into a bare table"
            if connection.vendor == "postgresql"
            else "executemany INSERT into a bare table (SQLite has no COPY)",
            "note": "each run inside a transaction rolled back afterwards",
        },
    )


# ---------------------------------------------------------------- intake suggestion


def bench_intake_suggest(size: Size) -> dict:
    """POST /api/v1/intake/suggest through Django's test client (the full API stack in one process: auth, rate
    gate, validation, classifier, locate and routing for a point), against the classifier alone per text."""
    from django.test import Client, override_settings

    from youlin.intake.data import held_out_examples
    from youlin.intake.selectors import engine, model_path
    from youlin.places.geo import shape_from_geojson
    from youlin.places.models import Community

    rng = random.Random(size.seed + 200)
    texts = [e.text for e in held_out_examples()]
    boxes = [
        shape_from_geojson(g).bounds
        for g in Community.objects.exclude(geometry=None).values_list("geometry", flat=True)[:50]
    ]
    built = engine()
    has_model = built.model is not None
    for text in texts[:20]:  # warm the engine and the place index
        built.suggest(text)

    def per_text_ms() -> float:
        t0 = time.perf_counter()
        for text in texts:
            built.suggest(text)
        return (time.perf_counter() - t0) / len(texts) * 1000

    if size.name == "tiny":
        texts = texts[:100]
    engine_runs = [per_text_ms() for _ in range(size.repeats)]
    client = Client()
    requests = {"tiny": 60, "small": 440}.get(size.name, 880)

    def run(with_point: bool, per_point: int = 1) -> dict:
        """``per_point``: requests at the same point, as a form asks again while the description is typed."""
        latencies = []
        errors = 0
        point: dict = {}
        for i in range(requests):
            body = {"text": texts[i % len(texts)]}
            if with_point and boxes:
                if i % per_point == 0:
                    b = boxes[rng.randrange(len(boxes))]
                    point = {"lon": rng.uniform(b[0], b[2]), "lat": rng.uniform(b[1], b[3])}
                body.update(point)
            t0 = time.perf_counter()
            response = client.post("/api/v1/intake/suggest", body, content_type="application/json")
            latencies.append(time.perf_counter() - t0)
            errors += response.status_code != 200
        latencies.sort()
        return {
            "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
            "errors": errors,
        }

    with override_settings(YOULIN_API_ANON_POST_RATE="off", YOULIN_API_POST_RATE="off"):
        run(True)  # warm-up
        text_only = [run(False) for _ in range(size.repeats)]
        typing = [run(True, per_point=5) for _ in range(size.repeats)]
        cold = [run(True) for _ in range(size.repeats)]
    if any(r["errors"] for r in text_only + typing + cold):
        raise RuntimeError("intake_suggest: some requests did not answer 200")
    project = {
        "p50_ms": median_spread([r["p50_ms"] for r in text_only]),
        "p99_ms": median_spread([r["p99_ms"] for r in text_only]),
        "p99_ms_typing_at_a_point": median_spread([r["p99_ms"] for r in typing]),
        "p99_ms_new_point_each": median_spread([r["p99_ms"] for r in cold]),
        "per_text_ms": round(statistics.median(engine_runs), 3),
        "model": str(model_path()) if has_model else "missing: term table only",
    }
    floor = {"per_text_ms": median_spread(engine_runs)}
    return entry(
        "intake_suggest",
        {"requests_per_run": requests, "texts": len(texts)},
        project,
        floor,
        project["p50_ms"]["median"] / statistics.median(engine_runs),
        {
            "project_path": "POST /api/v1/intake/suggest (test client, one process; also with a point: five requests "
            "per point as while typing, and a new point each request, where locate and routing dominate)",
            "floor_path": "intake engine.suggest alone, per text",
            "absolute_target": f"p99 < {INTAKE_P99_MS:g} ms (text); classifier < {INTAKE_PER_TEXT_MS:g} ms per text",
        },
    )


# ---------------------------------------------------------------- report


def machine() -> dict:
    from django.db import connection

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
        "database": db,
    }


def commit() -> str:
    """The checked-out commit, read from .git without running git."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = git / ref
            if path.exists():
                return path.read_text().strip()[:12]
            for line in (git / "packed-refs").read_text().splitlines():
                if line.endswith(ref):
                    return line.split()[0][:12]
        return head[:12]
    except OSError:
        return "unknown"


def _fmt(value) -> str:
    if isinstance(value, dict) and "median" in value:
        return f"{_num(value['median'])} ({_num(value['min'])}–{_num(value['max'])})"
    return _num(value)


def _num(v) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


HEADLINE = {
    "intake": ("rps", "rps"),
    "locate": ("points_per_s", "points_per_s"),
    "dashboard": ("seconds", "seconds"),
    "import": ("rows_per_s", "rows_per_s"),
    "intake_suggest": ("p99_ms", "per_text_ms"),
}


def write_markdown(path: Path, results: list[dict], info: dict) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"- date: {info['date']}",
        f"- commit: {info['commit']}",
        f"- size: {info['size']}",
        f"- machine: {info['machine']['cpu']}, {info['machine']['cores']} cores, {info['machine']['memory']}; "
        f"{info['machine']['os']}; Python {info['machine']['python']}",
        f"- database: {info['machine']['database']}",
        f"- synthetic city: {info['city']}",
        "",
        "Each benchmark measures the project's path and its floor in the same run; figures are medians with "
        "(min–max) over the runs. Targets are ratios to the floor.",
        "",
        "| benchmark | size | project | floor | ratio | target | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | – | error: {r['error']} | – | – | {r.get('target', '')} | ✗ |")
            continue
        size = ", ".join(f"{k}={_num(v)}" for k, v in r["size"].items() if not isinstance(v, dict))
        if r["name"] == "case_list":
            project = "; ".join(f"{k}: {_fmt(v)} s" for k, v in r["project"].items())
            floor = "; ".join(f"{k}: {_fmt(v)} s" for k, v in r["floor"].items())
        elif r["name"] == "intake_suggest":
            project = (
                f"p99 {_fmt(r['project']['p99_ms'])} ms; with a point: typing "
                f"{_fmt(r['project']['p99_ms_typing_at_a_point'])} ms, new point each "
                f"{_fmt(r['project']['p99_ms_new_point_each'])} ms"
            )
            floor = f"{_fmt(r['floor']['per_text_ms'])} ms per text"
        elif r["name"] == "locate":
            project = f"{_fmt(r['project']['points_per_s'])} points/s"
            floor = f"{_fmt(r['floor']['points_per_s'])} points/s"
        else:
            key_p, key_f = HEADLINE[r["name"]]
            unit = {"rps": "req/s", "seconds": "s", "rows_per_s": "rows/s"}[key_p]
            project = f"{_fmt(r['project'][key_p])} {unit}"
            floor = f"{_fmt(r['floor'][key_f])} {unit}"
            if r["name"] == "intake":
                project += f"; p99 {_fmt(r['project']['p99_ms'])} ms"
                floor += f"; p99 {_fmt(r['floor']['p99_ms'])} ms"
        lines.append(
            f"| {r['name']} | {size} | {project} | {floor} | {_num(r['ratio'])} | {r['target']} | "
            f"{'✓' if r['ok'] else '✗'} |"
        )
    lines += ["", "Paths measured:", ""]
    for r in results:
        if "project_path" in r:
            lines.append(f"- **{r['name']}**: {r['project_path']} — floor: {r['floor_path']}")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists() and info["size"] == "full":
        lines += ["", notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


BENCHMARKS = ["locate", "dashboard", "case_list", "import", "intake", "intake_suggest"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database (no PostgreSQL needed)")
    parser.add_argument("--out", type=Path, help="default: bench/ for full, bench/results/<size>/ otherwise")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these benchmarks")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    started = time.monotonic()
    with database(args) as url:
        setup_django(url)
        city = prepare_city(size)
        results: list[dict] = []
        failed = False
        for name in args.only or BENCHMARKS:
            log(f"{name} …")
            try:
                result = bench_intake(size, url) if name == "intake" else globals()[f"bench_{name}"](size)
            except Exception as exc:
                traceback.print_exc()
                failed = True
                result = {
                    "name": name,
                    "error": f"{type(exc).__name__}: {exc}"[:300],
                    "ok": False,
                    "target": " ".join(map(str, TARGETS[name])),
                }
            log(f"{name}: ratio {result.get('ratio')} target {result.get('target')} ok {result['ok']}")
            results.append(result)
        info = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit(),
            "size": size.name,
            "machine": machine(),
            "city": city,
            "seconds": round(time.monotonic() - started, 1),
        }
    out = args.out or (ROOT / "bench" if size.name == "full" else ROOT / "bench" / "results" / size.name)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "results" / "latest.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    (out / "results" / "run-info.json").write_text(
        json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    write_markdown(out / "RESULTS.md", results, info)
    log(f"done in {info['seconds']} s: {sum(r['ok'] for r in results)}/{len(results)} targets met → {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
