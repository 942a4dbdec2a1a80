"""Profile one served path in-process with pyinstrument (the whole Django stack: middleware, view, database).

    python bench/profile_paths.py open311_post|open311_list|intake|floor [--requests N] [--database-url URL]

Without a database URL a small synthetic city is generated in a temporary SQLite file. The profile is printed
(and written as HTML next to ``--html`` when given). Commands and findings: bench/NOTES.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"  # as bench/serving.py sends them (not the test client's multipart)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", choices=["open311_post", "open311_list", "intake", "floor"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--generate", action="store_true", help="migrate and generate the city into --database-url")
    parser.add_argument("--all", action="store_true", help="show the library frames pyinstrument hides")
    parser.add_argument("--queries", action="store_true", help="print the SQL of the last request")
    parser.add_argument(
        "--explain", action="store_true", help="each query of the last request with its time in the database"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="youlin-profile-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/city.sqlite3"
        os.environ.update(
            YOULIN_DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="youlin.settings",
            YOULIN_BENCH_FLOOR="1",
            YOULIN_OPEN311_POST_RATE="off",
            YOULIN_API_ANON_POST_RATE="off",
            YOULIN_DEBUG="0",
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from pyinstrument import Profiler

        from youlin.cases.models import Case, Category
        from youlin.open311.services import apikey_create
        from youlin.places.geo import shape_from_geojson
        from youlin.places.models import Community
        from youlin.synthetic import floor
        from youlin.synthetic.generate import CitySpec, generate_city

        if not args.database_url or args.generate:
            call_command("migrate", verbosity=0)
            generate_city(CitySpec(subdistricts=1, communities_per=4, cases=5000, seed=9))
        floor.create_table()
        rng = random.Random(1)
        matters = Category.objects.filter(kind="matter", is_active=True)
        codes = list(matters.values_list("code", flat=True))
        ids = list(matters.values_list("pk", flat=True))
        # Points inside the communities (a box's corner may lie outside every community: a 400), as the bench's.
        from run import _inside, required_answers

        points = _inside([shape_from_geojson(g) for g in Community.objects.values_list("geometry", flat=True) if g], 11)
        _key, raw = apikey_create(name=f"profile-{os.getpid()}-{time.time():.0f}")
        client = Client()

        def open311_post():
            lon, lat = rng.choice(points)
            code = rng.choice(codes)
            data = {
                "api_key": raw,
                "service_code": code,
                **required_answers(code),
                "lat": lat,
                "long": lon,
                "description": "楼道堆物",
                "phone": "13800000000",
            }
            response = client.post("/open311/v2/requests.json", urlencode(data), content_type=FORM)
            assert response.status_code == 201, response.content.decode()[:300]

        def intake():
            lon, lat = rng.choice(points)
            data = {
                "category": rng.choice(ids),
                "description": "楼道堆物",
                "lon": lon,
                "lat": lat,
                "reporter_phone": "13800000000",
            }
            assert client.post("/report/", urlencode(data), content_type=FORM).status_code == 302

        times = list(Case.objects.order_by("-registered_at").values_list("registered_at", flat=True)[:100])
        window = {"start_date": times[-1].isoformat(), "end_date": times[0].isoformat()}

        def open311_list():
            assert client.get("/open311/v2/requests.json", window).status_code == 200

        def floor_insert():
            assert client.post("/_bench/insert", urlencode({"body": "x"}), content_type=FORM).status_code == 201

        run = {"open311_post": open311_post, "open311_list": open311_list, "intake": intake, "floor": floor_insert}[
            args.path
        ]
        for _ in range(20):
            run()  # warm caches and indexes
        # Queries per request, and CPU per request without the profiler's own overhead.
        # (A wrapper, not CaptureQueriesContext: each request's request_started signal empties connection.queries.)
        from django.db import connection

        queries: list[tuple[str, object, bool]] = []

        def count(execute, sql, params, many, context):
            queries.append((sql, params, many))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            for _ in range(20):
                run()
        backend_started = backend_cpu_s()
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            run()
        cpu_ms = (time.process_time() - cpu_started) * 1000 / args.requests
        wall_ms = (time.perf_counter() - started) * 1000 / args.requests
        backend_ms = (backend_cpu_s() - backend_started) * 1000 / args.requests
        # Sampled on this process's CPU time, not the wall clock: on a shared machine the wall clock counts the
        # time other people's work held the cores.
        from pyinstrument.stack_sampler import get_stack_sampler

        get_stack_sampler().timer_func = time.process_time
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            run()
        profiler.stop()
        floor.drop_table()
        print(profiler.output_text(unicode=True, color=False, show_all=args.all))
        print(
            f"{args.path}: {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall per request (unprofiled, {args.requests} "
            f"requests); {len(queries) / 20:.1f} queries per request"
            + (f"; the database's own CPU {backend_ms:.2f} ms per request" if backend_ms >= 0 else "")
        )
        last = queries[-(len(queries) // 20) :]
        if args.queries:
            for sql, _params, _many in last:
                print("  ", sql[:300])
        if args.explain:
            explain(last)
        if args.html:
            args.html.write_text(profiler.output_html())
    return 0


def backend_cpu_s() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (/proc: the server runs on this machine), or
    -1 elsewhere (SQLite runs in this process: its time is this process's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return -1.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def args_plan_lines() -> int:
    """How many lines of each plan ``--explain`` prints (``YOULIN_PLAN_LINES``, default 6)."""
    return int(os.environ.get("YOULIN_PLAN_LINES", "6"))


def explain(queries: list[tuple[str, object, bool]]) -> None:
    """Each query's execution time as the database reports it (EXPLAIN ANALYZE, writes included, all rolled
    back), the slowest first, with its plan's first lines (PostgreSQL)."""
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        return
    timed = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql, params, many in queries:
                if many or not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                    continue
                try:
                    with transaction.atomic():  # a savepoint: a write may repeat a unique key of the request's
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
                        plan = [row[0] for row in cursor.fetchall()]
                except DatabaseError as exc:
                    plan = [f"(not repeatable: {str(exc).splitlines()[0]})"]
                ms = next((float(line.split()[2]) for line in plan if line.startswith("Execution Time")), 0.0)
                timed.append((ms, sql, plan))
        transaction.set_rollback(True)
    for ms, sql, plan in sorted(timed, key=lambda t: -t[0]):
        print(f"{ms:8.3f} ms  {sql[: 200 if args_plan_lines() <= 6 else 4000]}")
        for line in plan[: args_plan_lines()]:
            print(f"             {line}")


if __name__ == "__main__":
    sys.exit(main())
