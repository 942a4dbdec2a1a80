"""One large 12345 import, committed, on a database that holds the bench's synthetic city (issue 15's city-year).

    python bench/import_large.py --database-url postgres://…/DB --rows 100000 [--size small] [--keep]

Writes a dispatch file of ``--rows`` work orders for one community (``run.import_csv``: addresses of its
buildings, one in twenty unknown, a quarter of unsure categories), imports it with ``youlin hotline import``
(the job, the checks, the writes, the commit) and prints the rows per second, each phase's share and, for the
same file, COPY into a bare table (the floor). The imported cases are deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
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
    args = parser.parse_args()
    run.setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from youlin.cases.models import Case, CaseAssignment, CaseEvent, CaseFollower, FollowUpVisit

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
    if not args.keep:
        numbers = Case.objects.filter(hotline_number__startswith=f"BJ12345-{size.seed}-")
        with transaction.atomic():
            FollowUpVisit.objects.filter(case__in=numbers).delete()
            CaseEvent.objects.filter(case__in=numbers)._raw_delete(CaseEvent.objects.db)
            CaseAssignment.objects.filter(case__in=numbers).delete()
            CaseFollower.objects.filter(case__in=numbers).delete()
            numbers._raw_delete(Case.objects.db)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(run.ROOT / "src"))
    sys.exit(main())
