"""One large 12345 import, committed, on a database that holds the bench's synthetic city (issue 15's city-year).

    python bench/import_large.py --database-url postgres://…/DB --rows 100000 [--size small] [--keep]
    python bench/import_large.py --database-url postgres://…/DB --rows 200000 --communities 8 [--processes 2]

Writes a dispatch file of ``--rows`` work orders for one community (``run.import_csv``: addresses of its
buildings, one in twenty unknown, a quarter of unsure categories), imports it with ``youlin hotline import``
(the job, the checks, the writes, the commit) and prints the rows per second, each phase's share and, for the
same file, COPY into a bare table (the floor). The imported cases are deleted afterwards unless ``--keep`` (one file).

With ``--communities K``: ``--rows`` orders spread over K files, one per community (``<slug>.csv``), imported one
after another with ``youlin hotline import`` (plain), the cases deleted, then loaded with ``youlin hotline load``
(the bulk mode: ``cases.imports.load``) with each number of ``--processes`` (e.g. ``1,2``); rows/s, each phase's
time and the CPU of the importing processes and of their PostgreSQL backends for each.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # beside this file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--size", choices=sorted(run.SIZES), default="small", help="the city to generate or reuse")
    parser.add_argument("--keep", action="store_true", help="keep the imported cases")
    parser.add_argument("--communities", type=int, default=0, help="K files, plain imports vs `hotline load`")
    parser.add_argument(
        "--processes", default="2", help="with --communities: processes of the load; several: 1,2 (a load each)"
    )
    args = parser.parse_args()
    run.setup_django(args.database_url)
    if args.communities:
        return communities(args)
    from django.core.management import call_command
    from django.db import connection, transaction

    size = dataclasses.replace(run.SIZES[args.size], import_rows=args.rows)
    run.prepare_city(size)
    community = run.import_community()
    text = run.import_csv(size, community)
    path = Path(tempfile.mkstemp(suffix=".csv", prefix="bench-hotline-large-")[1])
    try:
        path.write_text(text, encoding="utf-8")
        run.log(f"{args.rows:,} orders for {community.slug}: {path.stat().st_size / 1e6:.1f} MB")
        columns = ", ".join(f"c{i} text" for i in range(len(run.HOTLINE_HEADER)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE bench_orders ({columns})")
            t0 = time.perf_counter()
            with cursor.copy("COPY bench_orders FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(text.encode())
            floor_s = time.perf_counter() - t0
            cursor.execute("DROP TABLE bench_orders")
        out = io.StringIO()
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        t0, cpu0 = time.perf_counter(), time.process_time()
        call_command("hotline", "import", str(path), "--community", community.slug, stdout=out)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        path.unlink(missing_ok=True)
    figures = {
        "rows": args.rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(args.rows / seconds),
        "floor_copy_rows_per_s": round(args.rows / floor_s),
        "ratio": round(floor_s / seconds, 4),
        "python_cpu_s": round(cpu, 1),  # this process only: PostgreSQL's own work is the rest of the time
        "output": out.getvalue().strip(),
        "load_before": load_before,
        "load_after": Path("/proc/loadavg").read_text().split()[:3],
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


def delete_imported(size) -> None:
    """The bench's orders (their numbers start with the seed), then VACUUM ANALYZE: the next run starts clean."""
    from django.db import connection, transaction

    from youlin.cases.imports.load import WRITTEN
    from youlin.cases.models import Case, CaseAssignment, CaseEvent, CaseFollower, FollowUpVisit

    numbers = Case.objects.filter(hotline_number__startswith=f"BJ12345-{size.seed}-")
    with transaction.atomic():
        FollowUpVisit.objects.filter(case__in=numbers).delete()
        CaseEvent.objects.filter(case__in=numbers)._raw_delete(CaseEvent.objects.db)
        CaseAssignment.objects.filter(case__in=numbers).delete()
        CaseFollower.objects.filter(case__in=numbers).delete()
        numbers._raw_delete(Case.objects.db)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(m._meta.db_table for m in WRITTEN))


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (the server runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_import(slug: str, path: str):
    """``load._import_file`` in a worker, with its backend's CPU (a module-level function: the pool pickles it)."""
    from youlin.cases.imports import load

    before = backend_cpu()
    done = load.IMPORT_FILE(slug, path)
    done.backend_cpu_s = backend_cpu() - before
    return done


def _load() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def communities(args) -> int:
    """``--rows`` orders over ``--communities`` files: plain imports one after another, then the bulk load."""
    import resource

    from django.core.management import call_command

    from youlin.cases.imports import load
    from youlin.places.models import Community

    args.processes = [int(p) for p in str(args.processes).split(",")]
    per = args.rows // args.communities
    size = dataclasses.replace(run.SIZES[args.size], import_rows=per)
    run.prepare_city(size)
    chosen = list(Community.objects.filter(compounds__isnull=False).distinct().order_by("code")[: args.communities])
    if len(chosen) < args.communities:
        run.log(f"only {len(chosen)} communities with compounds in this city")
    delete_imported(size)
    figures: dict = {"rows": per * len(chosen), "communities": len(chosen), "processes": args.processes}
    with tempfile.TemporaryDirectory(prefix="bench-hotline-load-") as folder:
        directory = Path(folder)
        for k, community in enumerate(chosen):
            # Hotline numbers are unique across the city: each file its own range.
            text = run.import_csv(size, community).replace(f"BJ12345-{size.seed}-", f"BJ12345-{size.seed}-{k:03d}-")
            (directory / f"{community.slug}.csv").write_text(text, encoding="utf-8")
        run.log(f"{figures['rows']:,} orders in {len(chosen)} files of {per:,}")

        before, t0, cpu0, db0 = _load(), time.perf_counter(), time.process_time(), backend_cpu()
        for path in sorted(directory.iterdir()):
            call_command("hotline", "import", str(path), "--community", path.stem, stdout=io.StringIO())
        seconds = time.perf_counter() - t0
        figures["plain"] = {
            "seconds": round(seconds, 1),
            "rows_per_s": round(figures["rows"] / seconds),
            "python_cpu_s": round(time.process_time() - cpu0, 1),
            "postgres_backend_cpu_s": round(backend_cpu() - db0, 1),
            "load_before": before,
            "load_after": _load(),
        }
        run.log(f"plain imports: {figures['plain']}")
        delete_imported(size)

        load.IMPORT_FILE = load._import_file
        load._import_file = measured_import
        for processes in args.processes:
            before, t0, cpu0 = _load(), time.perf_counter(), time.process_time()
            children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = load.load_files(directory, processes=processes, report=lambda f: run.log(f"  {f}"))
            seconds = time.perf_counter() - t0
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            children_cpu = children.ru_utime + children.ru_stime - children0.ru_utime - children0.ru_stime
            figures[f"load_{processes}"] = {
                "seconds": round(seconds, 1),
                "rows_per_s": round(result.orders / seconds),
                "phases_s": {name: round(s, 1) for name, s in result.phases.items()},
                "failed": [f.community for f in result.failed],
                # The importing processes' own CPU (here, or the forked workers), and their backends' during
                # the files (the index builds and checks after are the phases' time, on other connections).
                "python_cpu_s": round(time.process_time() - cpu0 + children_cpu, 1),
                "postgres_backend_cpu_s": round(sum(f.backend_cpu_s for f in result.files), 1),
                "load_before": before,
                "load_after": _load(),
            }
            run.log(f"load, {processes} process(es): {figures[f'load_{processes}']}")
            delete_imported(size)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(run.ROOT / "src"))
    sys.exit(main())
