"""The benchmark suite: each benchmark measures the project's path and a floor beside it, in the same run.

    python bench/run.py --size full|small|tiny [--database-url URL] [--out DIR]

Without a database URL (and without YOULIN_DATABASE_URL) a scratch PostgreSQL database is created on
127.0.0.1 and dropped at the end (``--sqlite`` uses a temporary SQLite file instead: for the tiny self-test).
The synthetic city is generated first (``youlin.synthetic``), or reused if the database already holds the
city of this size's seed. Results: ``<out>/results/latest.json`` (one entry per benchmark) and
``<out>/RESULTS.md``. Targets are ratios to the floor, because these machines are noisy (one is absolute:
``intake_suggest``, the p99 latency in ms); a ratio of throughputs must reach its target (≥), a ratio of times
or a latency must stay at or under it (≤). A missed target is
reported (``ok: false``), not an error; the exit status is non-zero only if a benchmark failed to run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import dataclasses
import io
import json
import math
import os
import platform
import random
import re
import secrets
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
import serving  # noqa: E402 - beside this file

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Size:
    name: str
    subdistricts: int
    communities_per: int
    grids_per: int
    cases: int
    seed: int
    http_seconds: float  # one run of a served path (Open311, intake)
    http_repeats: int  # runs of each served path (and of its floor, interleaved)
    clients: int  # concurrent connections of the load generator
    sqlite_communities: int  # the SQLite city of the serving benchmarks' SQLite leg
    sqlite_cases: int
    repeats: int
    locate_points: int
    brute_points: int
    import_rows: int
    list_page: int  # the deep page of the case list


SIZES = {
    # 20 × 25 communities × 20 unit grids = 10,000 grid polygons; 1,000,000 cases.
    "full": Size("full", 20, 25, 20, 1_000_000, 1, 10.0, 3, 8, 10, 50_000, 5, 100_000, 200, 20_000, 1000),
    "small": Size("small", 2, 10, 20, 20_000, 2, 3.0, 2, 8, 2, 1_500, 3, 20_000, 50, 5_000, 100),
    "tiny": Size("tiny", 1, 2, 4, 2_500, 3, 1.0, 1, 4, 2, 500, 2, 2_000, 20, 200, 2),
}
END = date(2026, 11, 1)
TARGETS = {
    "open311_post_sqlite": ("≥", 0.7),
    "open311_post_postgresql": ("≥", 0.7),
    "server_workers": ("≥", 0.95),
    "open311_list": ("≥", 0.5),
    "intake": ("≥", 0.5),
    "locate": ("≥", 50.0),
    "dashboard": ("≤", 1.5),
    "case_list": ("≤", 2.0),
    "import": ("≥", 0.1),
    # Absolute, not a ratio: the suggestion's p99 latency through the API, in ms (issue 12).
    "intake_suggest": ("≤", 20.0, "p99_ms"),
}
# Which way is better, per operator: "≥" a throughput ratio (higher is better), "≤" a time (lower is better).
BETTER = {"≥": lambda measured, target: measured >= target, "≤": lambda measured, target: measured <= target}
OPEN311_P99_RATIO = 1.5  # Open311 POST: p99 at most this many times the floor's
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


def target_text(name: str) -> str:
    op, target, *absolute = TARGETS[name]
    return f"{op} {target:g} ms ({absolute[0]})" if absolute else f"{op} {target:g}"


def entry(name: str, size: dict, project: dict, floor: dict, ratio: float, extra: dict | None = None) -> dict:
    """One benchmark's result. Its target is met when the ratio to the floor (or, for an absolute target, the
    project's own median of that figure) is on the better side of the target, the target itself included."""
    op, target, *absolute = TARGETS[name]
    measured = project[absolute[0]]["median"] if absolute else ratio
    ok = BETTER[op](measured, target)
    if name == "locate":
        ok = ok and project["points_per_s"]["median"] >= LOCATE_MIN_POINTS_PER_S
    if name == "intake_suggest":
        ok = ok and project["per_text_ms"] <= INTAKE_PER_TEXT_MS
    return {
        "name": name,
        "size": size,
        "project": project,
        "floor": floor,
        "ratio": round(ratio, 4),
        "measured": round(measured, 4),
        "target": target_text(name),
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


# ---------------------------------------------------------------- serving (HTTP): Open311, intake, worker model

WORKER_MODELS = [("sync", 1), ("gthread", 4)]  # 2 workers each, as `youlin serve` runs by default
DESCRIPTION = "楼道堆物，影响通行（压测）"


@dataclass
class City:
    """What the load generator needs to know of a city: services, category ids, community boxes, a key."""

    url: str
    codes: list[str]
    category_ids: list[int]
    boxes: list[tuple[float, float, float, float]]
    key: str
    vendor: str
    points: list[tuple[float, float]] = dataclasses.field(default_factory=list)

    def point(self, rng: random.Random) -> tuple[float, float]:
        return self.points[rng.randrange(len(self.points))]


def _inside(outlines: list, seed: int, per: int = 40) -> list[tuple[float, float]]:
    """Points inside the communities' outlines (a box's corner may lie outside every community: a 400)."""
    import shapely

    rng = random.Random(seed)
    points = []
    for shape in outlines:
        minx, miny, maxx, maxy = shape.bounds
        shapely.prepare(shape)
        found, tries = 0, 0
        while found < per and tries < per * 50:
            tries += 1
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(shape, lon, lat):
                points.append((lon, lat))
                found += 1
    return points


def _city_facts_here(url: str) -> City:
    from django.db import connection

    from youlin.cases.models import Category
    from youlin.open311.services import apikey_create
    from youlin.places.geo import shape_from_geojson
    from youlin.places.models import Community

    matters = Category.objects.filter(kind=Category.Kind.MATTER, is_active=True)
    _key, raw = apikey_create(name=f"bench-{secrets.token_hex(4)}")
    outlines = [
        shape_from_geojson(g) for g in Community.objects.exclude(geometry=None).values_list("geometry", flat=True)
    ]
    return City(
        url=url,
        codes=list(matters.values_list("code", flat=True)),
        category_ids=list(matters.values_list("pk", flat=True)),
        boxes=[o.bounds for o in outlines],
        key=raw,
        vendor=connection.vendor,
        points=_inside(outlines, 11),
    )


@contextmanager
def sqlite_city(size: Size):
    """A small city in a temporary SQLite file (through the `youlin` command, as a deployment would make it),
    for the SQLite leg of the serving benchmarks; deleted afterwards."""
    import sqlite3

    from youlin.places.geo import shape_from_geojson

    with tempfile.TemporaryDirectory(prefix="youlin-bench-sqlite-") as tmp:
        url = f"sqlite:///{tmp}/city.sqlite3"
        env = serving.server_env(url)

        def youlin(*args) -> str:
            done = subprocess.run(  # noqa: S603 - our own command
                [sys.executable, "-m", "youlin", *args], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode:
                raise RuntimeError(f"youlin {args[0]}: {done.stderr[-2000:]}")
            return done.stdout

        youlin("migrate", "--verbosity", "0")
        youlin(
            "generate",
            "--subdistricts",
            "1",
            "--communities-per",
            str(size.sqlite_communities),
            "--cases",
            str(size.sqlite_cases),
            "--seed",
            str(size.seed + 7),
        )
        raw = youlin("apikey", "create", "--name", "bench").strip().splitlines()[-1].strip()
        db = sqlite3.connect(f"{tmp}/city.sqlite3")
        try:
            rows = db.execute("SELECT id, code FROM cases_category WHERE kind = 'matter' AND is_active").fetchall()
            geometries = db.execute("SELECT geometry FROM places_community WHERE geometry IS NOT NULL").fetchall()
        finally:
            db.close()
        outlines = [shape_from_geojson(json.loads(g)) for (g,) in geometries]
        boxes = [o.bounds for o in outlines]
        yield City(url, [c for _i, c in rows], [i for i, _c in rows], boxes, raw, "sqlite", _inside(outlines, 12))


def _floor_insert() -> serving.Request:
    return serving.form("POST", "/_bench/insert", {"body": DESCRIPTION}, 201)


def required_answers(code: str) -> dict[str, str]:
    """The answers a service's required attributes need (its first value, or 1), as a client that read the
    service definition sends them: without them the POST is a 400 (``open311/attributes.py``)."""
    from youlin.open311.attributes import ATTRIBUTES

    return {
        f"attribute[{a.code}]": str(a.values[0][0]) if a.values else "1" for a in ATTRIBUTES.get(code, ()) if a.required
    }


def _open311_post(city: City, rng: random.Random):
    def make() -> serving.Request:
        lon, lat = city.point(rng)
        code = rng.choice(city.codes)
        data = {
            "api_key": city.key,
            "service_code": code,
            "lat": f"{lat:.7f}",
            "long": f"{lon:.7f}",
            "description": DESCRIPTION,
            "phone": f"138{rng.randrange(10**8):08d}",
            **required_answers(code),
        }
        return serving.form("POST", "/open311/v2/requests.json", data, 201)

    return make


def _resident_report(city: City, rng: random.Random):
    def make() -> serving.Request:
        lon, lat = city.point(rng)
        data = {
            "category": str(rng.choice(city.category_ids)),
            "description": DESCRIPTION,
            "lon": f"{lon:.7f}",
            "lat": f"{lat:.7f}",
            "reporter_phone": f"138{rng.randrange(10**8):08d}",
        }
        return serving.form("POST", "/report/", data, 302)

    return make


def _pair(server, size: Size, floor_make, project_make, *, csrf_path: str = "") -> tuple[list[dict], list[dict]]:
    """Floor and project runs interleaved (the order alternating each repeat, so drift hits both alike), over the
    same connections, with the CPU of each side measured."""

    async def run():
        conns = [serving.Connection(server.port) for _ in range(size.clients)]
        try:
            if csrf_path:
                for c in conns:
                    await serving.csrf(c, csrf_path)
            warm = min(1.0, size.http_seconds)
            await serving.load(conns, project_make, warm)
            await serving.load(conns, floor_make, warm)
            floors, projects = [], []
            for i in range(size.http_repeats):
                order = [("floor", floor_make), ("project", project_make)]
                for which, make in order if i % 2 == 0 else order[::-1]:
                    result = await serving.load(conns, make, size.http_seconds, serving.CpuMeter(server.pids()))
                    (floors if which == "floor" else projects).append(result)
            return floors, projects
        finally:
            for c in conns:
                await c.close()

    return asyncio.run(run())


def _figures(runs: list[dict]) -> dict:
    keys = ["rps", "p50_ms", "p99_ms", "server_ms_per_request", "client_ms_per_request", "client_cores"]
    out = {k: median_spread([r[k] for r in runs]) for k in keys if all(r.get(k) is not None for r in runs)}
    out["others_cores"] = median_spread([r["others_cores"] for r in runs]) if runs[0].get("others_cores") else None
    out["requests"] = sum(r["requests"] for r in runs)
    return out


def _check(name: str, runs: list[dict]) -> dict:
    """Requests that did not answer as expected: more than 1 % fails the benchmark; fewer are reported in the
    entry (``failed``), with their statuses, to be explained."""
    errors = sum(r["errors"] for r in runs)
    total = sum(r["requests"] for r in runs)
    codes = sorted({c for r in runs for c in r["error_codes"]})
    if errors > 0.01 * total:
        raise RuntimeError(f"{name}: {errors} of {total} requests failed with status {codes}")
    return {"failed": errors, "failed_statuses": codes}


def _post_entry(name: str, city: City, server, floors: list[dict], projects: list[dict], size: Size) -> dict:
    failed = _check(name, floors + projects)
    project, floor = _figures(projects), _figures(floors)
    ratio = project["rps"]["median"] / floor["rps"]["median"]
    p99_ratio = project["p99_ms"]["median"] / floor["p99_ms"]["median"]
    result = entry(
        name,
        {
            "database": city.vendor,
            "clients": size.clients,
            "seconds_per_run": size.http_seconds,
            "server": f"youlin serve: 2 {server.worker_class} workers"
            + (f" × {server.threads} threads" if server.threads > 1 else ""),
        },
        project,
        floor,
        ratio,
        {
            **failed,
            "p99_ratio": round(p99_ratio, 3),
            "p99_target": f"≤ {OPEN311_P99_RATIO}",
            "project_path": "POST /open311/v2/requests.json (api_key, service_code, lat/long, description, phone) → "
            "request_submit → case_register",
            "floor_path": "POST /_bench/insert: a bare view inserting one row in one transaction (youlin.synthetic.floor)",
        },
    )
    result["ok"] = bool(result["ok"] and p99_ratio <= OPEN311_P99_RATIO)
    return result


def bench_serving(size: Size, url: str, only: set[str]) -> list[dict]:
    """The served paths, each against its floor on the same server: Open311 POST on SQLite and on PostgreSQL (with
    each worker model, to choose `youlin serve`'s default), the Open311 list of 100 requests, a resident's report."""
    from django.db import connection, connections

    from youlin.core.management.commands.serve import DEFAULT_WORKER_CLASS
    from youlin.synthetic import floor as floor_views

    rng = random.Random(size.seed + 300)
    main = _city_facts_here(url)
    floor_views.create_table()
    connections.close_all()
    results: list[dict] = []
    models: dict[str, dict[str, dict]] = {}
    try:
        legs = []
        if "open311" in only:
            if main.vendor != "sqlite":
                legs.append(("sqlite", None))
            legs.append((main.vendor, main))
        for vendor, city in legs:
            with sqlite_city(size) if city is None else contextlib.nullcontext(city) as leg:
                if city is None:
                    _create_floor_table_sqlite(leg.url)
                for model, threads in WORKER_MODELS:
                    log(f"open311_post on {vendor}, {model} workers …")
                    with serving.serve(leg.url, worker_class=model, threads=threads) as server:
                        floors, projects = _pair(server, size, _floor_insert, _open311_post(leg, rng))
                    models.setdefault(vendor, {})[model] = _post_entry(
                        f"open311_post_{vendor}", leg, server, floors, projects, size
                    )
        default = DEFAULT_WORKER_CLASS
        for by_model in models.values():
            results.append(by_model[default])
        if models:
            results.append(_workers_entry(models, default, size))
        if {"open311", "intake"} & only:
            with serving.serve(url) as server:  # the command's default worker model
                if "open311" in only:
                    log("open311_list …")
                    results.append(_list_entry(server, size))
                if "intake" in only:
                    log("intake …")
                    floors, projects = _pair(
                        server, size, _floor_insert, _resident_report(main, rng), csrf_path="/report/"
                    )
                    _check("intake", floors + projects)
                    project, floor = _figures(projects), _figures(floors)
                    results.append(
                        entry(
                            "intake",
                            {
                                "database": main.vendor,
                                "clients": size.clients,
                                "seconds_per_run": size.http_seconds,
                                "server": f"youlin serve: 2 {server.worker_class} workers",
                            },
                            project,
                            floor,
                            project["rps"]["median"] / floor["rps"]["median"],
                            {
                                "project_path": "POST /report/ (form, CSRF) → case_register",
                                "floor_path": "POST /_bench/insert: a bare view inserting one row in one transaction",
                            },
                        )
                    )
    finally:
        connection.ensure_connection()
        floor_views.drop_table()
    return results


def _create_floor_table_sqlite(url: str) -> None:
    import sqlite3

    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        db.execute("CREATE TABLE IF NOT EXISTS bench_floor (id integer PRIMARY KEY, body text NOT NULL, at timestamp)")
        db.commit()
    finally:
        db.close()


def _workers_entry(models: dict[str, dict[str, dict]], default: str, size: Size) -> dict:
    """Which worker model serves Open311 POSTs fastest, per database: `youlin serve` should default to it."""
    scores: dict[str, list[float]] = {}
    for by_model in models.values():
        best = max(e["project"]["rps"]["median"] for e in by_model.values())
        for model, e in by_model.items():
            scores.setdefault(model, []).append(e["project"]["rps"]["median"] / best)
    score = {m: statistics.mean(v) for m, v in scores.items()}
    winner = max(score, key=score.get)
    project = {
        f"{vendor}_{model}": {
            "rps": e["project"]["rps"],
            "p99_ms": e["project"]["p99_ms"],
            "ratio_to_floor": e["ratio"],
        }
        for vendor, by_model in models.items()
        for model, e in by_model.items()
    }
    floor = {
        f"{vendor}_{model}": {"rps": e["floor"]["rps"]}
        for vendor, by_model in models.items()
        for model, e in by_model.items()
    }
    return entry(
        "server_workers",
        {"models": ", ".join(f"{m} ×{t}" if t > 1 else m for m, t in WORKER_MODELS), "clients": size.clients},
        project,
        floor,
        score[default],
        {
            "winner": winner,
            "default": default,
            "scores": {m: round(v, 3) for m, v in score.items()},
            "project_path": "Open311 POST with each worker model (2 workers; gthread with 4 threads each)",
            "floor_path": "the best worker model's Open311 POST req/s on the same database",
        },
    )


def _list_window(count: int = 100) -> tuple[datetime, datetime, int]:
    """The newest ``count`` cases' registration window (closed), and how many cases it holds."""
    from youlin.cases.models import Case

    times = list(Case.objects.order_by("-registered_at", "-id").values_list("registered_at", flat=True)[:count])
    start, end = times[-1], times[0]
    return start, end, Case.objects.filter(registered_at__gte=start, registered_at__lte=end).count()


def _list_entry(server, size: Size) -> dict:
    from urllib.parse import urlencode

    start, end, n = _list_window()
    project_path = "/open311/v2/requests.json?" + urlencode(
        {"start_date": start.isoformat(), "end_date": end.isoformat()}
    )
    floor_path = "/_bench/list?" + urlencode({"start": start.isoformat(), "end": end.isoformat()})
    from django.db import connections

    connections.close_all()

    async def lengths():
        conn = serving.Connection(server.port)
        try:
            answers = []
            for path in (project_path, floor_path):
                status, body = await conn.request("GET", path)
                if status != 200:
                    raise RuntimeError(f"open311_list: GET {path}: {status} {body[:300]!r}")
                answers.append(len(json.loads(body)))
            return answers
        finally:
            await conn.close()

    project_n, floor_n = asyncio.run(lengths())
    if not (project_n == floor_n == n):
        raise RuntimeError(f"open311_list: the project listed {project_n}, the floor {floor_n}, expected {n}")
    floors, projects = _pair(
        server,
        size,
        lambda: serving.Request("GET", floor_path, 200),
        lambda: serving.Request("GET", project_path, 200),
    )
    _check("open311_list", floors + projects)
    project, floor = _figures(projects), _figures(floors)
    return entry(
        "open311_list",
        {"requests_listed": n, "clients": size.clients, "seconds_per_run": size.http_seconds},
        project,
        floor,
        project["rps"]["median"] / floor["rps"]["median"],
        {
            "project_path": "GET /open311/v2/requests.json?start_date&end_date (the newest 100 cases; status notes, "
            "agencies, media)",
            "floor_path": "GET /_bench/list: the same cases with .values() and the project's JSON encoder (orjson)",
        },
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

    # One pass over the sample takes a few milliseconds, short enough for a busy machine to distort: each timed
    # run repeats the pass for at least a fifth of a second and counts the time per pass (the same work per point).
    t0 = time.perf_counter()
    brute()
    passes = max(1, math.ceil(0.2 / max(time.perf_counter() - t0, 1e-6)))

    def brute_passes():
        for _ in range(passes):
            brute()

    brute_runs = [r / passes for r in timed(brute_passes, max(3, size.repeats // 2), warmup=0)]
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
        "passes_per_run": passes,
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

    from youlin.cases.models import Case
    from youlin.cases.selectors import case_measures_breakdown
    from youlin.places.models import Subdistrict

    sd = Subdistrict.objects.annotate(n=Count("communities__cases")).order_by("-n").first()
    end = datetime(END.year, END.month, END.day, tzinfo=UTC) - timedelta(hours=8)
    start = end - timedelta(days=365)
    out: dict = {}

    def project():
        found = case_measures_breakdown(start=start, end=end, cases=Case.objects.filter(community__subdistrict=sd))
        out["measures"] = found.measures
        out["by_category"] = found.registered_by_category
        out["by_month"] = found.registered_by_month

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
            "queries": 1,
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
            "project_path": "cases.selectors.case_measures_breakdown: the measures' aggregates grouped by (category, "
            "local month) in one ORM query, summed three ways in Python",
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
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit (deferred): check them now, inside the time measured, as the
            # run is rolled back afterwards.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
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
            "classify → route memoised → cases as plain rows by COPY, timeline by one INSERT … SELECT; deferred "
            "foreign keys checked)",
            "floor_path": "COPY … FROM STDIN (csv) into a bare table"
            if connection.vendor == "postgresql"
            else "executemany INSERT into a bare table (SQLite has no COPY)",
            "note": "each run inside a transaction rolled back afterwards; floor and project interleaved",
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


def host_speed() -> float:
    """CPU seconds a fixed pure-Python loop (10⁷ additions) takes here, the best of three: how fast this host
    runs Python at the time of a run. The hosts this project is measured on differ by up to 2× from one day (or
    hour) to the next for the same code (NOTES quotes 0.66–1.24 s for the same loop written at module level, on
    globals, which runs ≈ 2.5× slower than here in a function: those figures are not on this scale), so each run
    records it, at its start and its end, and figures from two runs compare only at a like speed (ratios,
    measured in one run, do)."""
    best = float("inf")
    for _ in range(3):
        started, x = time.process_time(), 0
        for i in range(10_000_000):
            x += i
        best = min(best, time.process_time() - started)
    return round(best, 3)


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
    """The checked-out commit, read from .git without running git (a worktree's .git names its git dir)."""
    git = ROOT / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: /repo/.git/worktrees/name"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        common = Path((git / "commondir").read_text().strip()) if (git / "commondir").exists() else Path(".")
        for base in (git, (git / common).resolve()):
            if (base / ref).exists():
                return (base / ref).read_text().strip()[:12]
            packed = base / "packed-refs"
            if packed.exists():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:12]
        return "unknown"
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
    "open311_post_sqlite": ("rps", "rps"),
    "open311_post_postgresql": ("rps", "rps"),
    "open311_list": ("rps", "rps"),
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
        *([f"- how it was run: {info['how']}"] if info.get("how") else []),
        f"- machine load: {info.get('load', '')}",
        *([f"- host speed: {speed_text(info['host_speed_s'])}"] if info.get("host_speed_s") else []),
        "",
        "Each benchmark measures the project's path and its floor in the same run; figures are medians with "
        "(min–max) over the runs. Targets are ratios to the floor (intake_suggest: its p99 in ms), ≥ for "
        "throughputs, ≤ for times. Served paths also show the CPU each side used: "
        "the server's per request, the load generator's (this process, on the same 2 cores) and everything else "
        'running on the machine meanwhile ("others", in cores: other people\'s work).',
        "",
        "| benchmark | size | project | floor | ratio | measured | target | ok |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | – | error: {r['error']} | – | – | – | {r.get('target', '')} | ✗ |")
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
        elif r["name"] == "server_workers":
            project = "; ".join(
                f"{k}: {_fmt(v['rps'])} req/s, p99 {_fmt(v['p99_ms'])} ms" for k, v in r["project"].items()
            )
            floor = "; ".join(f"{k}: {_fmt(v['rps'])} req/s" for k, v in r["floor"].items())
            project += f" — winner **{r['winner']}**, `youlin serve` default {r['default']}"
        else:
            key_p, key_f = HEADLINE[r["name"]]
            unit = {"rps": "req/s", "seconds": "s", "rows_per_s": "rows/s"}[key_p]
            project = f"{_fmt(r['project'][key_p])} {unit}"
            floor = f"{_fmt(r['floor'][key_f])} {unit}"
            if "p99_ms" in r["project"] and key_p == "rps":
                project += f"; p99 {_fmt(r['project']['p99_ms'])} ms"
                floor += f"; p99 {_fmt(r['floor']['p99_ms'])} ms"
            for side, figures in (("project", r["project"]), ("floor", r["floor"])):
                if "server_ms_per_request" in figures:
                    cpu = (
                        f"; server {_fmt(figures['server_ms_per_request'])} ms CPU/req; load generator "
                        f"{_fmt(figures['client_cores'])} cores ({_fmt(figures['client_ms_per_request'])} ms/req)"
                    )
                    if figures.get("others_cores"):
                        cpu += f"; others {_fmt(figures['others_cores'])} cores"
                    if side == "project":
                        project += cpu
                    else:
                        floor += cpu
            if "p99_ratio" in r:
                project += f"; p99 ratio {r['p99_ratio']} (target {r['p99_target']})"
        lines.append(
            f"| {r['name']} | {size} | {project} | {floor} | {_num(r['ratio'])} | {_num(r.get('measured'))} | "
            f"{r['target']} | "
            f"{'✓' if r['ok'] else '✗'} |"
        )
    lines += ["", "Paths measured:", ""]
    for r in results:
        if "project_path" in r:
            lines.append(f"- **{r['name']}**: {r['project_path']} — floor: {r['floor_path']}")
    year = ROOT / "bench" / "results" / "city-year.json"
    if year.exists() and info["size"] == "full":
        lines += ["", *city_year_lines(json.loads(year.read_text(encoding="utf-8")))]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists() and info["size"] == "full":
        lines += ["", notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def speed_text(seconds: list[float]) -> str:
    before, after = seconds
    return (
        f"a fixed pure-Python loop (10⁷ additions) took {before} s of CPU at the start, {after} s at the end "
        "(`run.host_speed`; lower is faster)"
    )


def city_year_lines(y: dict) -> list[str]:
    """The city-year run of ``bench/city_year.py`` (its own run, date and commit), as RESULTS.md shows it."""
    minutes = y["seconds"] / 60
    return [
        "## A city-year of 12345 orders (`bench/city_year.py`)",
        "",
        f"Run on {y['date']}, commit {y['commit']}, {y['machine']}: {y['orders']:,} work orders "
        f"(Beijing 12345's 2023 volume) in {y['files']['count']} dispatch files, one per community of the "
        f"full-size city ({y['files']['bytes'] / 1e9:.2f} GB of CSV), loaded by `youlin {y['mode']}` in "
        f"processes of their own; machine load {' '.join(y['load_before'])} before, "
        f"{' '.join(y['load_after'])} after"
        + (f"; host speed: {speed_text(y['host_speed_s'])}." if y.get("host_speed_s") else "."),
        "",
        "| orders | cases written | events in the database | time | orders/s | COPY floor rows/s | ratio | "
        "database size | target |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {y['orders']:,} | {y['cases_written']:,} | {y['events_in_db']:,} | {minutes:.1f} min | "
        f"{y['orders_per_s']:,} | {y['floor_rows_per_s']:,} | {y['ratio']} | {y['database_bytes'] / 1e9:.1f} GB | "
        f"under 30 min: {'✓' if minutes < 30 else '✗'} |",
        *([""] + [f"- {k}: {v}" for k, v in y["phases"].items()] if y.get("phases") else []),
        *(
            [
                "",
                "PostgreSQL's settings for the load: "
                + ", ".join(f"`{k}` {v}" for k, v in y["server"].items())
                + "; pages written during it by checkpoints "
                + f"{y['writer']['buffers_checkpoint']:,}, the background writer {y['writer']['buffers_clean']:,}, "
                + f"the backends {y['writer']['buffers_backend']:,}; checkpoints timed "
                + f"{y['writer']['checkpoints_timed']}, requested {y['writer']['checkpoints_req']}.",
            ]
            if y.get("server") and y.get("writer")
            else []
        ),
        *(
            [
                "",
                f"CPU: the load's processes {y['cpu']['import_processes_s']:,} s "
                f"({y['cpu']['import_processes_s'] / y['orders'] * 1e6:.0f} µs an order); the whole machine busy "
                f"{y['cpu']['machine_busy_s']:,} s ({y['cpu']['machine_cores_busy']} cores of 2; the rest is "
                "PostgreSQL's, and anything else running). Other runs and what they show: NOTES, "
                '"A city-year, loaded".',
            ]
            if y.get("cpu")
            else []
        ),
    ]


def print_table(results: list[dict]) -> None:
    """Which targets are met, on the terminal (CI's log): the measured figure (the ratio to the floor, or the
    absolute figure an absolute target names) beside its target."""
    width = max(len(r["name"]) for r in results) if results else 10
    print(f"\n{'benchmark':<{width}}  {'measured':>9}  {'target':<22}  met")
    for r in results:
        measured = "error" if "error" in r else f"{r.get('measured', r['ratio']):.3f}"
        met = "yes" if r["ok"] else "NO"
        print(f"{r['name']:<{width}}  {measured:>9}  {r.get('target', ''):<22}  {met}")
    met = sum(r["ok"] for r in results)
    print(f"{met} of {len(results)} targets met", flush=True)


BENCHMARKS = ["locate", "dashboard", "case_list", "import", "open311", "intake", "intake_suggest"]
SERVED = {"open311", "intake"}  # one group: served by `youlin serve`, several entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database (no PostgreSQL needed)")
    parser.add_argument("--out", type=Path, help="default: bench/ for full, bench/results/<size>/ otherwise")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these benchmarks")
    parser.add_argument("--how", default="", help="how the run was made (machine state, reused city), for RESULTS.md")
    parser.add_argument(
        "--render", action="store_true", help="write RESULTS.md again from the last results and NOTES.md, run nothing"
    )
    args = parser.parse_args(argv)
    if args.render:
        out = args.out or (ROOT / "bench" if args.size == "full" else ROOT / "bench" / "results" / args.size)
        results = json.loads((out / "results" / "latest.json").read_text(encoding="utf-8"))
        info = json.loads((out / "results" / "run-info.json").read_text(encoding="utf-8"))
        write_markdown(out / "RESULTS.md", results, info)
        return 0
    size = SIZES[args.size]
    started = time.monotonic()
    with database(args) as url:
        setup_django(url)
        city = prepare_city(size)
        results: list[dict] = []
        failed = False
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        speed_before = host_speed()
        wanted = args.only or BENCHMARKS
        names = [n for n in wanted if n not in SERVED]
        if SERVED & set(wanted):
            names.insert(names.index("intake_suggest") if "intake_suggest" in names else len(names), "serving")
        for name in names:
            log(f"{name} …")
            try:
                if name == "serving":
                    found = bench_serving(size, url, SERVED & set(wanted))
                else:
                    found = [globals()[f"bench_{name}"](size)]
            except Exception as exc:
                traceback.print_exc()
                failed = True
                found = [
                    {
                        "name": name,
                        "error": f"{type(exc).__name__}: {exc}"[:300],
                        "ok": False,
                        "target": target_text(name) if name in TARGETS else "",
                    }
                ]
            for result in found:
                log(f"{result['name']}: ratio {result.get('ratio')} target {result.get('target')} ok {result['ok']}")
            results.extend(found)
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        speed_after = host_speed()
        info = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit(),
            "size": size.name,
            "machine": machine(),
            "city": city,
            "seconds": round(time.monotonic() - started, 1),
            "load": f"load average {' '.join(load_before)} before the run, {' '.join(load_after)} after "
            "(1, 5, 15 min; 2 cores)",
            "host_speed_s": [speed_before, speed_after],
            "how": args.how,
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
    print_table(results)
    log(f"done in {info['seconds']} s: {sum(r['ok'] for r in results)}/{len(results)} targets met → {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
