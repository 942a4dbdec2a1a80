"""A city-year of 12345 work orders (issue 15): Beijing 12345's 2023 volume, 21.4 million orders, generated over
the communities of the bench's full-size city and loaded through youlin's own import path.

    python bench/city_year.py --database-url postgres://…/DB [--orders 21400000] [--processes 2] [--plain]

Steps, each timed: the city's places (``youlin generate`` with no cases, or reused), one dispatch file per
community (``<slug>.csv``, the hotline's export format: addresses of the community's buildings, one in twenty
that no map knows, a quarter of the orders in a hotline category that names none of ours, a year of calls),
then ``youlin hotline load DIR --processes N`` in a process of its own (``--plain``: ``youlin hotline import``
per file, one after another, the path without the bulk mode), then the same files COPYed into a bare table
(the floor). Prints and writes ``bench/results/city-year.json`` (``--out``): orders, seconds, orders/s, the
floor's rows/s, the ratio, the database's size, the machine's load before and after. The files are deleted
after (``--keep-files`` keeps them); the database is left as it is: drop it yourself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # beside this file

ORDERS = 21_400_000  # Beijing 12345's 2023 volume
PROBLEMS = [
    "楼道堆物，影响通行",
    "小区垃圾桶满溢，无人清运",
    "路灯不亮，夜间出行不便",
    "门前占道经营，影响通行",
    "夜间施工噪音扰民",
    "下水道堵塞，污水外溢",
    "车辆乱停放，堵塞消防通道",
    "树枝遮挡窗户，需要修剪",
    "共享单车乱停乱放",
    "楼顶漏水，墙皮脱落",
    "小区门口有暴露垃圾",
    "飞线充电，存在安全隐患",
]
PLEAS = ["希望尽快处理", "请相关部门核实", "已反映多次未解决", "要求回复处理结果", ""]


def log(message: str) -> None:
    run.log(message)


def loadavg() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process: /proc/stat), so far."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# The server settings a bulk load depends on (recorded beside the figures: the load runs as the server is set).
SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_level", "synchronous_commit", "fsync")
WRITER = ("checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_clean", "buffers_backend")


def server() -> tuple[dict, dict]:
    """The server's settings of ``SETTINGS`` and its writer counters (``pg_stat_bgwriter``) now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, current_setting(name) FROM unnest(CAST(%s AS text[])) name", [list(SETTINGS)])
        settings = dict(cursor.fetchall())
        cursor.execute(f"SELECT {', '.join(WRITER)} FROM pg_stat_bgwriter")  # noqa: S608 - fixed names
        counters = dict(zip(WRITER, cursor.fetchone(), strict=True))
    return settings, counters


PHASE = re.compile(r"^(?:阶段|phase) (\w+)[：:] ?([\d.]+)")


def write_files(folder: Path, orders: int, seed: int) -> tuple[int, int]:
    """One dispatch file per community that has buildings, the orders spread evenly; returns (files, bytes)."""
    from youlin.places.models import Building, Community

    communities = list(Community.objects.filter(compounds__isnull=False).order_by("code").distinct())
    places: dict[int, list[str]] = {}
    for community_id, compound, building in Building.objects.values_list(
        "compound__community_id", "compound__name", "name"
    ):
        places.setdefault(community_id, []).append(f"{compound}{building}")
    rng = random.Random(seed)
    start = datetime(2025, 11, 1)  # noqa: DTZ001 - local wall-clock times, as the hotline exports them
    minutes = 365 * 24 * 60
    size = 0
    n = 0
    for i, community in enumerate(communities):
        count = orders // len(communities) + (1 if i < orders % len(communities) else 0)
        names = places.get(community.pk) or [community.name]
        path = folder / f"{community.slug}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(run.HOTLINE_HEADER)
            choice, rand, randrange = rng.choice, rng.random, rng.randrange
            for _ in range(count):
                called = start + timedelta(minutes=randrange(minutes))
                place = f"{choice(names)}{randrange(1, 4)}单元" if rand() > 0.05 else f"不存在路{n}号"
                w.writerow(
                    [
                        f"BJ12345-CY-{n:09d}",
                        called.strftime("%Y-%m-%d %H:%M"),
                        "王**",
                        "138****1234",
                        place,
                        f"市民反映：{place}{choice(PROBLEMS)}，{choice(PLEAS)}。（工单 {n}）",
                        choice(run.HOTLINE_TYPES),
                        "街道城管办",
                        f"{choice((3, 5, 7))}个工作日",
                    ]
                )
                n += 1
        size += path.stat().st_size
    return len(communities), size


def _rows(path: Path) -> int:
    """Data rows of a dispatch file (no cell of these files holds a line break)."""
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1


def copy_floor(folder: Path) -> float:
    """Seconds to COPY every file into a bare table of text columns (rolled back)."""
    from django.db import connection, transaction

    columns = ", ".join(f"c{i} text" for i in range(len(run.HOTLINE_HEADER)))
    seconds = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE city_year_orders ({columns})")
        for path in sorted(folder.glob("*.csv")):
            data = path.read_bytes()
            t0 = time.perf_counter()
            with cursor.copy("COPY city_year_orders FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            seconds += time.perf_counter() - t0
            cursor.execute("TRUNCATE city_year_orders")
        cursor.execute("DROP TABLE city_year_orders")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database of its own")
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--size", choices=sorted(run.SIZES), default="full", help="the city's places")
    parser.add_argument("--plain", action="store_true", help="youlin hotline import per file, not hotline load")
    parser.add_argument("--folder", type=Path, help="write the files here (default: a temporary folder)")
    parser.add_argument("--keep-files", action="store_true")
    parser.add_argument("--files-only", action="store_true", help="write the files into --folder and stop")
    parser.add_argument("--reuse-files", action="store_true", help="load the files already in --folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "city-year.json")
    args = parser.parse_args()
    run.setup_django(args.database_url)
    import dataclasses

    from django.db import connection

    from youlin.cases.models import Case, CaseEvent

    figures: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": run.commit(),
        "machine": f"{os.cpu_count()} cores; {platform.platform()}; Python {platform.python_version()}",
        "orders": args.orders,
        "mode": "plain" if args.plain else f"hotline load --processes {args.processes}",
    }
    t0 = time.monotonic()
    city = run.prepare_city(dataclasses.replace(run.SIZES[args.size], cases=0))
    figures["city"] = {**city, "seconds": round(time.monotonic() - t0, 1)}
    folder = args.folder or Path(tempfile.mkdtemp(prefix="youlin-city-year-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.monotonic()
        if args.reuse_files:
            paths = sorted(folder.glob("*.csv"))
            files, size = len(paths), sum(p.stat().st_size for p in paths)
            figures["files"] = {"count": files, "bytes": size, "written_before": True}
            args.orders = figures["orders"] = sum(_rows(p) for p in paths)
        else:
            files, size = write_files(folder, args.orders, seed=2023)
            figures["files"] = {"count": files, "bytes": size, "seconds": round(time.monotonic() - t0, 1)}
        log(f"{args.orders:,} orders in {files} files, {size / 1e9:.2f} GB ({round(time.monotonic() - t0, 1)} s)")
        if args.files_only:
            return 0
        cases_before = Case.objects.count()
        figures["server"], writer_before = server()
        connection.close()  # the load runs in processes of its own
        env = {**os.environ, "YOULIN_DATABASE_URL": args.database_url}
        youlin = [sys.executable, "-m", "youlin"]
        figures["load_before"] = loadavg()
        speed_before = run.host_speed()
        t0, busy0, cpu0 = time.monotonic(), machine_busy_s(), children_cpu_s()
        if args.plain:
            for path in sorted(folder.glob("*.csv")):
                subprocess.run(  # noqa: S603 - our own command
                    [*youlin, "hotline", "import", str(path), "--community", path.stem], env=env, check=True
                )
        else:
            command = [*youlin, "hotline", "load", str(folder), "--processes", str(args.processes)]
            phases = {}
            with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as loading:  # noqa: S603
                for line in loading.stdout:
                    print(line, end="", flush=True)
                    found = PHASE.match(line.strip())
                    if found:
                        phases[found[1]] = float(found[2])
            if loading.returncode:
                raise SystemExit(f"hotline load failed ({loading.returncode})")
            figures["phases"] = phases
        seconds = time.monotonic() - t0
        figures["load_after"] = loadavg()
        figures["cpu"] = {  # seconds: the load's own processes, and the whole machine busy (PostgreSQL, others)
            "import_processes_s": round(children_cpu_s() - cpu0, 1),
            "machine_busy_s": round(machine_busy_s() - busy0, 1),
            "machine_cores_busy": round((machine_busy_s() - busy0) / seconds, 2),
        }
        figures["host_speed_s"] = [speed_before, run.host_speed()]  # after the CPU figures: not counted in them
        _settings, writer_after = server()
        # Pages written by a checkpoint, by the background writer, by the backends themselves (evicting dirty pages
        # from too small a shared_buffers), and the checkpoints timed or requested (WAL full: max_wal_size).
        figures["writer"] = {k: writer_after[k] - writer_before[k] for k in WRITER}
        written = Case.objects.count() - cases_before
        floor = copy_floor(folder)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            db_bytes = cursor.fetchone()[0]
        figures.update(
            seconds=round(seconds, 1),
            cases_written=written,
            events_in_db=CaseEvent.objects.count(),
            orders_per_s=round(args.orders / seconds),
            floor_copy_seconds=round(floor, 1),
            floor_rows_per_s=round(args.orders / floor),
            ratio=round(floor / seconds, 4),
            database_bytes=db_bytes,
        )
    finally:
        if not (args.keep_files or args.files_only or args.reuse_files):
            for path in folder.glob("*.csv"):
                path.unlink()
            if not args.folder:
                folder.rmdir()
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"{args.orders:,} orders in {figures['seconds']} s: {figures['orders_per_s']:,}/s; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
