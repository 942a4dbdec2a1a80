"""Load (issue #13.14, the slow set: ``pytest -m slow``): a 20,000-row ledger import runs in the real worker
(``youlin worker``) while 8 clients POST to Open311 on the real server (``youlin serve``, gunicorn), all on one
file-based SQLite database. Before the import wrote in batches, it held SQLite's one write lock for the whole
file and POSTs failed with "database is locked" (500). Every POST must now be answered without a 5xx, and every
accepted one must be recorded; the import must finish with all its rows."""

from __future__ import annotations

import io
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from contextlib import suppress
from datetime import date
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROWS = int(os.environ.get("YOULIN_LOAD_ROWS", "20000"))
CLIENTS = 8
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "YOULIN_DATABASE_URL": f"sqlite:///{tmp / 'youlin.sqlite3'}",
        "YOULIN_VAR_DIR": str(tmp),
        "YOULIN_MEDIA_ROOT": str(tmp / "media"),
        "YOULIN_INTAKE_MODEL": str(ROOT / "var" / "intake" / "model.npz"),
        "YOULIN_SECRET_KEY": secrets.token_urlsafe(40),
        "YOULIN_DEBUG": "0",
        "YOULIN_DEMO": "1",  # the demo accounts load the data and start the import
        "YOULIN_LOG_LEVEL": "ERROR",
        "YOULIN_OPEN311_POST_RATE": "off",
        "YOULIN_API_ANON_POST_RATE": "off",
        "DJANGO_SETTINGS_MODULE": "youlin.settings",
    }


def _youlin(env, *args, timeout=900) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "youlin", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _ledger_file(rows: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["阜外东社区整治台账"])
    ws.append(["序号", "问题位置", "问题描述", "责任单位", "整改措施", "整改时限", "整改情况"])
    for n in range(1, rows + 1):
        place = "月坛北小街1号院1号楼" if n % 2 else "月坛北小街5号院"
        ws.append(["", place, f"楼道堆物 {n}", "中央国家机关某服务中心", "清理", date(2026, 12, 1 + n % 28), "待整改"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


START_IMPORT = """
import sys
import django
django.setup()
from youlin.accounts.models import User
from youlin.ledgers import services
from youlin.ledgers.imports import ledger_import_start
from youlin.ledgers.models import Ledger
from youlin.places.models import Community
community = Community.objects.get(name="阜外东社区")
ledger = services.ledger_ensure(community=community, kind=Ledger.Kind.RECTIFICATION, name="整治台账")
content = open(sys.argv[1], "rb").read()
job = ledger_import_start(actor=User.objects.get(username="fwd_staff"), ledger=ledger, filename="big.xlsx", content=content)
print(job.pk, job.status, job.total_rows)
"""

POINT = """
import django
django.setup()
from youlin.cases.tests.factories import jia_point
lon, lat = jia_point()
print(f"{lon:.7f} {lat:.7f}")
"""


class Process:
    def __init__(self, argv, env, log: Path):
        self.log = log.open("wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603

    def stop(self):
        children = []
        with suppress(Exception):
            children = [
                int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            ]
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in children:  # gunicorn's workers, by their ids
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.log.close()


def _wait_up(base: str, proc: Process) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with suppress(OSError), urllib.request.urlopen(f"{base}/open311/v2/discovery.json", timeout=2) as r:  # noqa: S310
            if r.status == 200:
                return
        assert proc.proc.poll() is None, proc.log.name
        time.sleep(0.3)
    raise AssertionError("youlin serve did not start")


def _job(db: Path, pk: int) -> tuple[str, int, str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT status, created_count, message FROM jobs_job WHERE id = ?", (pk,)).fetchone()


def test_ledger_import_in_the_worker_while_eight_clients_post_to_open311(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "youlin.sqlite3"
    started = time.monotonic()
    _youlin(env, "migrate", "--no-input")
    migrated = time.monotonic() - started
    _youlin(env, "loaddemo", "--no-history")
    loaded = time.monotonic() - started
    key = _youlin(env, "apikey", "create", "--name", "load").strip().split()[-1]
    lon, lat = _youlin(env, "shell", "--no-imports", "-c", POINT).split()[-2:]
    (tmp_path / "big.xlsx").write_bytes(_ledger_file(ROWS))
    prepared = time.monotonic() - started

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(
        [sys.executable, "-m", "youlin", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env,
        tmp_path / "serve.log",
    )
    worker = None
    statuses: Counter[int] = Counter()
    accepted: list[str] = []
    failures: list[str] = []  # no answer at all (connection refused, timeout)
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            i = 0
            while not stop.is_set():
                i += 1
                data = {
                    "api_key": key,
                    "service_code": "06080",
                    "description": f"楼道里堆了旧家具（负载 {n}-{i}）",
                    "lat": lat,
                    "long": lon,
                }
                if i % 2:
                    data["phone"] = "13912345678"
                try:
                    response = http.post("/open311/v2/requests.json", data=data)
                except httpx.HTTPError as exc:
                    with lock:
                        failures.append(repr(exc))
                    continue
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 201:
                        accepted.append(response.json()[0]["service_request_id"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        _wait_up(base, server)
        for t in threads:
            t.start()
        load_started = time.monotonic()
        worker = Process([sys.executable, "-m", "youlin", "worker"], env, tmp_path / "worker.log")
        out = _youlin(
            env, "shell", "--no-imports", "-c", START_IMPORT.replace("sys.argv[1]", repr(str(tmp_path / "big.xlsx")))
        )
        job_pk, _status, total = out.split()[-3:]
        assert int(total) == ROWS
        deadline = time.monotonic() + 600
        while _job(db, int(job_pk))[0] not in {"succeeded", "failed", "cancelled"}:
            assert time.monotonic() < deadline, "the import did not finish in time"
            time.sleep(0.5)
        time.sleep(1)  # a few more POSTs after the import's last batch
        stop.set()
        for t in threads:
            t.join(timeout=90)
        load_seconds = time.monotonic() - load_started
    finally:
        stop.set()
        for t in threads:
            if t.is_alive():
                t.join(timeout=90)
        server.stop()
        if worker is not None:
            worker.stop()

    status, created, message = _job(db, int(job_pk))
    with sqlite3.connect(db) as conn:
        recorded = {
            number
            for (number,) in conn.execute(
                "SELECT number FROM cases_case WHERE channel = 'api' AND channel_detail = 'load'"
            )
        }
    total_posts = sum(statuses.values())
    print(
        f"\nload: {total_posts} Open311 POSTs by {CLIENTS} clients in {load_seconds:.0f} s while a {ROWS}-row import ran "
        f"(prepared in {prepared:.0f} s: migrated {migrated:.0f}, demo {loaded - migrated:.0f}); statuses {dict(statuses)}; import {status}, {created} rows"
    )
    assert status == "succeeded" and created == ROWS, message
    assert failures == [], failures[:5]
    assert not [code for code in statuses if code >= 500], dict(statuses)
    assert statuses[201] == total_posts and total_posts >= CLIENTS
    assert set(accepted) <= recorded and len(accepted) == len(set(accepted))
