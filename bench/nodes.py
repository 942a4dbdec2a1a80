"""Capacity of one app node as deployed on several machines (issue 17; figures in bench/NOTES.md).

One ``youlin serve`` node (gunicorn, 2 sync workers) configured from ``deploy/youlin.env.example`` as the README's
"Deployment" section says: a fresh PostgreSQL database with the demo places and accounts, the shared cache on
Redis, uploads on an S3-compatible store (moto's server), metrics on. ``serving.load`` (the benchmarks' own
lean load generator) sends each request type back to back over N keep-alive connections for S seconds.

    .venv/bin/python bench/nodes.py [--seconds 15] [--connections 8]

Needs PostgreSQL and Redis on 127.0.0.1 (as the two-node system test does). Prints one line per request type.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serving

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("YOULIN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("YOULIN_TEST_REDIS", "redis://127.0.0.1:6379/13")


def deployment_env() -> dict[str, str]:
    env = {}
    for line in (ROOT / "deploy" / "youlin.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            env[key] = value
    return env


def wait(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    import boto3
    import httpx
    import psycopg

    database = f"youlin_nodebench_{os.getpid()}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen] = []
    var = Path(f"/tmp/youlin-nodebench-{os.getpid()}")  # noqa: S108 - a scratch folder of this run
    var.mkdir(exist_ok=True)
    try:
        s3_port = serving.free_port()
        processes.append(
            subprocess.Popen(  # noqa: S603
                [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(s3_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{s3_port}",
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",  # noqa: S106 - moto's throwaway store
        )
        wait(lambda: s3.create_bucket(Bucket="youlin-media"), "the S3 server")
        port = serving.free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("YOULIN_", "DJANGO_"))}
        env = {
            **base,
            **deployment_env(),
            "YOULIN_SECRET_KEY": secrets.token_urlsafe(40),
            "YOULIN_ALLOWED_HOSTS": "127.0.0.1",
            "YOULIN_SECURE_COOKIES": "0",
            "YOULIN_DATABASE_URL": f"{POSTGRES}/{database}",
            "YOULIN_CACHE_URL": REDIS,
            "YOULIN_CACHE_KEY_PREFIX": f"nodebench-{os.getpid()}",
            "YOULIN_STORAGE_URL": f"s3+http://k:s@127.0.0.1:{s3_port}/youlin-media",
            "YOULIN_BIND": f"127.0.0.1:{port}",
            "YOULIN_WORKERS": "2",
            "YOULIN_VAR_DIR": str(var),
            "YOULIN_LOG_LEVEL": "ERROR",
            # Rate limits would refuse a benchmark's load.
            "YOULIN_API_POST_RATE": "off",
            "YOULIN_API_ANON_POST_RATE": "off",
        }

        def youlin(*argv: str) -> str:
            return subprocess.run(  # noqa: S603
                [sys.executable, "-m", "youlin", *argv], env=env, check=True, capture_output=True, text=True
            ).stdout

        youlin("migrate", "--noinput", "-v", "0")
        subprocess.run(  # the demo's places and people, loaded in demo mode
            [sys.executable, "-m", "youlin", "loaddemo", "--no-history"], env={**env, "YOULIN_DEMO": "1"}, check=True
        )
        token = youlin(
            "shell",
            "-c",
            "from youlin.accounts.models import User;"  # a real account: demo tokens work only in demo mode
            "User.objects.filter(username='spk_grid').update(is_demo=False);"
            "from django.core.management import call_command as c;"
            "c('apitoken', 'create', '--user', 'spk_grid', '--name', 'bench')",
        ).split()[-1]
        with psycopg.connect(f"{POSTGRES}/{database}") as conn:
            geometry = conn.execute(
                "SELECT b.geometry FROM places_building b JOIN places_compound c ON c.id = b.compound_id "
                "WHERE c.name = '手帕口南街36号院' AND b.name = '甲楼'"
            ).fetchone()[0]
        geometry = json.loads(geometry) if isinstance(geometry, str) else geometry
        ring = geometry["coordinates"][0]
        lon = (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2
        lat = (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2

        node = subprocess.Popen(
            [sys.executable, "-m", "youlin", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        processes.append(node)
        wait(lambda: httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200, "the node")

        create = urlencode({"category": "06080", "description": "楼道里堆了旧家具，挡住了通道", "lon": lon, "lat": lat})
        kinds = [
            ("GET /health (database round trip)", lambda: serving.Request("GET", "/health", 200)),
            ("GET /p/shoupakou-nanjie/ (public page)", lambda: serving.Request("GET", "/p/shoupakou-nanjie/", 200)),
            ("GET /api/v1/cases (token, a page of cases)", lambda: serving.Request("GET", "/api/v1/cases", 200)),
            (
                "POST /api/v1/cases (token, a new case: a write)",
                lambda: serving.Request(
                    "POST", "/api/v1/cases", 201, create.encode(), "application/x-www-form-urlencoded"
                ),
            ),
        ]

        async def measure():
            results = []
            for name, make in kinds:
                conns = [serving.Connection(port) for _ in range(args.connections)]
                for c in conns:
                    c.headers["Authorization"] = f"Bearer {token}"
                meter = serving.CpuMeter(server_pids=[node.pid, *serving._children(node.pid)])
                await serving.load(conns, make, 2)  # warm-up
                result = await serving.load(conns, make, args.seconds, meter)
                for c in conns:
                    await c.close()
                results.append((name, result))
            return results

        print(f"one node, 2 gunicorn sync workers, {args.connections} connections, {args.seconds:.0f} s each")
        for name, r in asyncio.run(measure()):
            print(
                f"{name:50s} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                f"errors {r['errors']}  server {r['server_cores']} cores, load generator {r['client_cores']}, "
                f"others {r['others_cores']} (of {r['cores']})"
            )
    finally:
        for process in processes:
            for pid in [*serving._children(process.pid), process.pid]:
                with suppress(ProcessLookupError):
                    os.kill(pid, 15)
            process.wait(timeout=30)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
