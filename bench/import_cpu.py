"""The importing process's own CPU per work order, by phase (issue 15): what ``youlin hotline import`` costs in
Python, apart from PostgreSQL's work (another process) and from waiting for a core.

    python bench/import_cpu.py --database-url postgres://…/DB [--rows 50000] [--repeats 2] [--profile]

Generates (or reuses) the bench's small city and a dispatch file of ``--rows`` orders (``run.import_csv``), runs
the import once to warm the process (the engine, the place index), then ``--repeats`` times inside a
transaction rolled back at the end, each phase timed with ``time.process_time`` (this process only). Prints µs
per order per phase, the file size and the load average. ``--profile``: the last run under pyinstrument (CPU
time), printed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # beside this file


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    run.setup_django(args.database_url)
    import dataclasses

    from django.db import transaction

    from youlin.cases import classify
    from youlin.cases.imports import bulk, jobs, plan, write
    from youlin.cases.imports.columns import TABLE

    size = dataclasses.replace(run.SIZES["small"], import_rows=args.rows)
    run.prepare_city(size)
    community = run.import_community()
    content = run.import_csv(size, community).encode()
    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            t0 = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.process_time() - t0

        return wrapper

    # Phases, by wrapping the functions each calls (an inner phase is subtracted from the outer one below).
    plan._RowChecks.order = timed("check", plan._RowChecks.order)
    plan._existing = timed("existing", plan._existing)
    plan._place = timed("place", plan._place)
    original_classifier = classify.classifier

    def classifier():
        found = original_classifier()
        if getattr(found, "many", None) is not None:
            found.many = timed("classify", found.many)
        return found

    classify.classifier = classifier
    write._reserve_numbers = timed("numbers", write._reserve_numbers)
    bulk.reserve_ids = timed("ids", bulk.reserve_ids)
    original_model_rows = bulk.model_rows

    def model_rows(model, columns, rows):
        return timed(f"copy {model._meta.model_name}", original_model_rows)(model, columns, rows)

    bulk.model_rows = model_rows
    original_staging = bulk.staging

    @contextlib.contextmanager
    def staging(*a, **kw):  # the staging table and the timeline statements run in its block
        t0 = time.process_time()
        with original_staging(*a, **kw) as table:
            yield table
        spent["staging+events"] += time.process_time() - t0

    bulk.staging = staging
    write._create = timed("create", write._create)

    def one_run() -> dict:
        spent.clear()
        t0 = time.process_time()
        c0 = time.process_time()
        jobs.count_rows(content)
        spent["count"] = time.process_time() - c0
        p0 = time.process_time()
        sheet = TABLE.read(content)
        found = plan.plan_orders(sheet, actor=None, community=community)
        spent["plan"] = time.process_time() - p0
        assert not found.errors, found.errors[:5]
        now = write.timezone.now()
        with contextlib.suppress(_Rollback), transaction.atomic():
            write._create(found, None, write.HOTLINE_LABEL, now)
            raise _Rollback
        total = time.process_time() - t0
        out = dict(spent)
        out["read (plan − check − existing − place)"] = out["plan"] - out["check"] - out["existing"] - out["place"]
        out["place (less classify)"] = out["place"] - out.get("classify", 0)
        inner = sum(v for k, v in out.items() if k.startswith("copy ") or k in ("numbers", "ids", "staging+events"))
        out["rows built (create − writes)"] = out["create"] - inner
        out["total"] = total
        return {k: round(v / args.rows * 1e6, 1) for k, v in sorted(out.items())}

    run.log("warm-up run")
    one_run()
    results = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    speed_before = run.host_speed()
    for i in range(args.repeats):
        if args.profile and i == args.repeats - 1:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            results.append(one_run())
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        else:
            results.append(one_run())
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(len(content) / 1e6, 2),
                "us_per_order": results,
                "load_before": load_before,
                "load_after": Path("/proc/loadavg").read_text().split()[:3],
                "host_speed_s": [speed_before, run.host_speed()],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(run.ROOT / "src"))
    sys.exit(main())
