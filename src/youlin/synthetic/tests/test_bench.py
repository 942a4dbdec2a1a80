"""The benchmark suite itself keeps working: a tiny run on a temporary SQLite database, in a subprocess.

No database mark: the run uses a database of its own and must not touch (or flush) the test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_the_tiny_benchmark_runs_and_writes_valid_results(tmp_path):
    """The whole suite at a tiny size, on a temporary SQLite database (~25 s): it must run, not be fast."""
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "tiny", "--sqlite", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env_without_database(),
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert [r["name"] for r in results] == ["locate", "dashboard", "case_list", "import", "intake", "intake_suggest"]
    for r in results:
        assert {"name", "size", "project", "floor", "ratio", "target", "ok"} <= r.keys()
        assert r["ratio"] > 0 and isinstance(r["ok"], bool)
    assert "| intake |" in (tmp_path / "RESULTS.md").read_text()
    assert "| intake_suggest |" in (tmp_path / "RESULTS.md").read_text()


def _env_without_database():
    return {k: v for k, v in os.environ.items() if k != "YOULIN_DATABASE_URL"}
