"""The benchmark suite itself keeps working: a tiny run on a temporary SQLite database, in a subprocess.

No database mark: the run uses a database of its own and must not touch (or flush) the test database.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
RUN = secrets.token_hex(8)  # marks this test's benchmark run (and the servers it starts) in their environment


def test_the_tiny_benchmark_runs_and_writes_valid_results(tmp_path):
    """The whole suite at a tiny size, on a temporary SQLite database (about a minute: it starts `youlin serve`
    twice, once per worker model, and once more for the list and intake): it must run, not be fast. It must
    also leave no server behind."""
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "tiny", "--sqlite", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**_env_without_database(), "YOULIN_BENCH_RUN": RUN},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert [r["name"] for r in results] == [
        "locate",
        "dashboard",
        "case_list",
        "import",
        "open311_post_sqlite",
        "server_workers",
        "open311_list",
        "intake",
        "intake_suggest",
    ]
    for r in results:
        assert {"name", "size", "project", "floor", "ratio", "target", "ok"} <= r.keys()
        assert r["ratio"] > 0 and isinstance(r["ok"], bool)
    assert "| intake |" in (tmp_path / "RESULTS.md").read_text()
    assert "| intake_suggest |" in (tmp_path / "RESULTS.md").read_text()
    served = {r["name"]: r for r in results}
    for name in ("open311_post_sqlite", "open311_list", "intake"):
        assert served[name]["project"]["server_ms_per_request"]["median"] > 0  # the CPU beside each figure
        assert served[name]["project"]["client_cores"]["median"] >= 0
    assert served["server_workers"]["winner"] in {"sync", "gthread"}
    assert "met" in done.stdout and "open311_post_sqlite" in done.stdout  # the table of targets
    assert not _servers_left(), "a benchmark left youlin serve running"


def _servers_left() -> list[str]:
    """Processes of this test's benchmark run still alive (servers inherit its YOULIN_BENCH_RUN marker)."""
    left = []
    marker = f"YOULIN_BENCH_RUN={RUN}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ:
            left.append(cmdline)
    return left


def _env_without_database():
    return {k: v for k, v in os.environ.items() if k != "YOULIN_DATABASE_URL"}
