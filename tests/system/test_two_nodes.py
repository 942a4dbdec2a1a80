"""#17's proof: youlin on several machines, shown with two app nodes on this one. Two ``youlin serve`` nodes
behind nginx share PostgreSQL (a fresh database), Redis (its own db number and key prefix) and an S3-compatible
object store (moto's server, from PyPI), each node with a local folder of its own; two ``youlin worker``
processes share the task queue.

Everything is configured as the README's "Deployment" says: the environment is ``deploy/youlin.env.example``
with only addresses and the secret changed, and nginx's site is ``deploy/nginx-youlin.conf.template`` rendered
as envsubst would. Without nginx, Redis or PostgreSQL here the test is skipped, saying which is missing; CI sets
``YOULIN_REQUIRE_SLOW=1`` so that it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("YOULIN_TEST_NGINX", "/usr/sbin/nginx")
POSTGRES = os.environ.get("YOULIN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("YOULIN_TEST_REDIS", "redis://127.0.0.1:6379/13")
BUCKET = "youlin-media"
RATE = 5  # anonymous API POSTs per minute, for the whole deployment
SUPERUSER = ("ops", "a-long-test-password-for-ops")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_services() -> list[str]:
    missing = []
    if not os.access(NGINX, os.X_OK):
        missing.append(f"nginx ({NGINX})")
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as exc:
        missing.append(f"Redis at {REDIS} ({exc})")
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=2).close()
    except Exception as exc:
        missing.append(f"PostgreSQL at {POSTGRES} ({exc})")
    return missing


def wait_for(check, what: str, timeout: float = 90.0, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            result = check()
        except Exception:
            result = None
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout:.0f} s" + (f":\n{log.read_text()[-3000:]}" if log else ""))


def deployment_env() -> dict[str, str]:
    """The README's environment file, as every node reads it."""
    env = {}
    for line in (DEPLOY / "youlin.env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            env[key] = value
    return env


def render_nginx_site(listen: int, upstreams: list[int]) -> str:
    """``envsubst '$YOULIN_NGINX_UPSTREAMS $YOULIN_NGINX_LISTEN $YOULIN_NGINX_SERVER_NAME'``, as in the README."""
    template = string.Template((DEPLOY / "nginx-youlin.conf.template").read_text())
    return template.safe_substitute(
        YOULIN_NGINX_UPSTREAMS=" ".join(f"server 127.0.0.1:{port};" for port in upstreams),
        YOULIN_NGINX_LISTEN=f"127.0.0.1:{listen}",
        YOULIN_NGINX_SERVER_NAME="localhost",
    )


@dataclass
class Cluster:
    tmp: Path
    database: str
    nodes: dict[str, int] = field(default_factory=dict)  # name → port
    env: dict[str, dict[str, str]] = field(default_factory=dict)  # name → environment
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    nginx_port: int = 0
    token: str = ""

    def url(self, node: str) -> str:
        return f"http://127.0.0.1:{self.nginx_port if node == 'nginx' else self.nodes[node]}"

    def sql(self, query: str, *params):
        import psycopg

        with psycopg.connect(f"{POSTGRES}/{self.database}", autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.tmp / f"{name}.log").open("ab") as log:  # the child keeps its own copy of the handle
            process = subprocess.Popen(  # noqa: S603 - our own commands
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def youlin(*args: str) -> list[str]:
    return [sys.executable, "-m", "youlin", *args]


def run(argv: list[str], env: dict[str, str], timeout: float = 600) -> str:
    started = time.monotonic()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    assert result.returncode == 0, f"{argv[3:]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    print(f"{' '.join(argv[3:])}: {time.monotonic() - started:.1f} s")
    return result.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = missing_services()
    if missing:
        reason = "the two-node test needs " + ", ".join(missing)
        if os.environ.get("YOULIN_REQUIRE_SLOW") == "1":
            pytest.fail(reason + " (YOULIN_REQUIRE_SLOW=1)")
        pytest.skip(reason)
    import boto3
    import psycopg
    import redis

    tmp = tmp_path_factory.mktemp("nodes")
    tmp.chmod(0o755)
    run_id = f"{os.getpid()}_{int(time.time())}"
    cluster = Cluster(tmp=tmp, database=f"youlin_nodes_{run_id}")
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{cluster.database}"')
    key_prefix = f"youlin-nodes-{run_id}"
    try:
        # The object store: moto's S3 server (see README: a pure-Python, pip-installable S3 for tests).
        s3_port = free_port()
        moto = cluster.start(
            "s3",
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(s3_port)],
            os.environ.copy(),
        )
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{s3_port}",
            region_name="us-east-1",
            aws_access_key_id="test-key",
            aws_secret_access_key="test-secret",
        )
        wait_for(lambda: s3.create_bucket(Bucket=BUCKET), "the S3 server", process=moto, log=tmp / "s3.log")

        cluster.nodes = {"a": free_port(), "b": free_port()}
        cluster.nginx_port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("YOULIN_", "DJANGO_"))}
        deployment = deployment_env()
        origins = ",".join(f"http://127.0.0.1:{p}" for p in [cluster.nginx_port, *cluster.nodes.values()])
        secret_key = "nodes-" + secrets.token_urlsafe(40)  # one for all nodes, as the README's one file says
        for name, port in cluster.nodes.items():
            var = tmp / f"var-{name}"  # each node's own local folder: nothing shared through it
            var.mkdir()
            env = {
                **base,
                **deployment,
                # Only the addresses and the secret differ from the README's file:
                "YOULIN_SECRET_KEY": secret_key,
                "YOULIN_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "YOULIN_CSRF_TRUSTED_ORIGINS": origins,
                "YOULIN_BASE_URL": cluster.url("nginx") if cluster.nginx_port else "",
                "YOULIN_SECURE_COOKIES": "0",  # plain HTTP on this machine (no TLS in front of nginx)
                "YOULIN_DATABASE_URL": f"{POSTGRES}/{cluster.database}",
                "YOULIN_CACHE_URL": REDIS,
                "YOULIN_CACHE_KEY_PREFIX": key_prefix,
                "YOULIN_STORAGE_URL": f"s3+http://test-key:test-secret@127.0.0.1:{s3_port}/{BUCKET}",
                "YOULIN_BIND": f"127.0.0.1:{port}",
                "YOULIN_WORKERS": "2",
                "YOULIN_VAR_DIR": str(var),
                # The limit this test checks (the default is 20 a minute).
                "YOULIN_API_ANON_POST_RATE": f"{RATE}/m",
            }
            assert set(deployment) <= set(env)
            cluster.env[name] = env

        a = cluster.env["a"]
        run(youlin("migrate", "--noinput", "-v", "0"), a)
        run(youlin("loaddemo", "--no-history"), {**a, "YOULIN_DEMO": "1"})  # the demo's places and people
        # An operator's account (createsuperuser) and a grid worker's API token (apitoken), in one process.
        accounts = (
            "from django.core.management import call_command as c;"
            f"c('createsuperuser', interactive=False, username='{SUPERUSER[0]}', email='ops@example.cn');"
            # The demo's grid worker made a real account (a demo account's token works only in demo mode).
            "from youlin.accounts.models import User;"
            "User.objects.filter(username='spk_grid').update(is_demo=False);"
            "c('apitoken', 'create', '--user', 'spk_grid', '--name', 'nodes')"
        )
        output = run(youlin("shell", "-c", accounts), {**a, "DJANGO_SUPERUSER_PASSWORD": SUPERUSER[1]})
        cluster.token = output.split()[-1]

        import httpx

        for name in cluster.nodes:
            node = cluster.start(f"node-{name}", youlin("serve"), cluster.env[name])
            wait_for(
                lambda n=name: httpx.get(cluster.url(n) + "/health", timeout=5).status_code == 200,
                f"node {name}",
                process=node,
                log=tmp / f"node-{name}.log",
            )

        # nginx, as the README's site file says, inside a minimal main configuration of its own.
        (tmp / "nginx").mkdir()
        (tmp / "nginx" / "youlin.conf").write_text(render_nginx_site(cluster.nginx_port, list(cluster.nodes.values())))
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / "nginx" / sub).mkdir(mode=0o777)
            (tmp / "nginx" / sub).chmod(0o777)
        n = tmp / "nginx"
        (n / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 1;
pid {n}/nginx.pid;
error_log {n}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {n}/access.log;
    client_body_temp_path {n}/body; proxy_temp_path {n}/proxy; fastcgi_temp_path {n}/fastcgi;
    uwsgi_temp_path {n}/uwsgi; scgi_temp_path {n}/scgi;
    include {n}/youlin.conf;
}}
"""
        )
        nginx = cluster.start(
            "nginx", [NGINX, "-p", str(n), "-c", str(n / "nginx.conf"), "-e", str(n / "error.log")], base
        )
        wait_for(
            lambda: httpx.get(cluster.url("nginx") + "/health", timeout=5).status_code == 200,
            "nginx",
            process=nginx,
            log=n / "error.log",
        )
        yield cluster
    finally:
        for name in list(cluster.processes):
            cluster.kill(name)
        try:
            client = redis.Redis.from_url(REDIS)
            for key in client.scan_iter(f"{key_prefix}:*"):
                client.delete(key)
        except Exception:  # noqa: S110 - Redis gone: nothing of ours is left in it to remove
            pass
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{cluster.database}" WITH (FORCE)')


def login(base_url: str) -> dict[str, str]:
    """Log in through the login page (with its CSRF token); the cookies that come back."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=20) as client:
        page = client.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/accounts/login/",
            data={"username": SUPERUSER[0], "password": SUPERUSER[1], "csrfmiddlewaretoken": csrf},
            headers={"Referer": base_url + "/accounts/login/"},
        )
        assert response.status_code == 302, response.text[:500]
        return dict(client.cookies)


def test_a_login_on_node_a_is_valid_on_node_b(cluster):
    import httpx

    cookies = login(cluster.url("a"))
    on_b = httpx.get(cluster.url("b") + "/admin/", cookies=cookies, timeout=20)
    assert on_b.status_code == 200 and SUPERUSER[0] in on_b.text
    assert httpx.get(cluster.url("b") + "/admin/", timeout=20).status_code == 302  # without the cookie: a stranger


def test_a_rate_limit_holds_across_both_nodes_together(cluster):
    """Anonymous API POSTs, alternately to A and B, from one address: RATE in all are let through (and refused
    for want of a token, 401), the rest get 429 — not RATE on each node."""
    import httpx

    if time.time() % 60 > 45:  # all in one window of the fixed-window limiter
        time.sleep(61 - time.time() % 60)
    statuses = []
    for number in range(2 * RATE + 2):
        node = "a" if number % 2 == 0 else "b"
        statuses.append(httpx.post(cluster.url(node) + "/api/v1/cases", json={}, timeout=20).status_code)
    assert statuses == [401] * RATE + [429] * (RATE + 2)


def test_a_case_created_on_a_is_on_b_at_once_with_its_photo(cluster):
    import io

    import httpx
    from PIL import Image

    geometry = cluster.sql(
        "SELECT b.geometry FROM places_building b JOIN places_compound c ON c.id = b.compound_id "
        "WHERE c.name = %s AND b.name = %s",
        "手帕口南街36号院",
        "甲楼",
    )[0][0]
    geometry = json.loads(geometry) if isinstance(geometry, str) else geometry
    ring = geometry["coordinates"][0]
    lon = (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2
    lat = (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, format="JPEG")
    headers = {"Authorization": f"Bearer {cluster.token}"}
    created = httpx.post(
        cluster.url("a") + "/api/v1/cases",
        data={"category": "06080", "description": "楼道里堆了旧家具，挡住了通道", "lon": lon, "lat": lat},
        files={"photos": ("photo.jpg", jpeg.getvalue(), "image/jpeg")},
        headers=headers,
        timeout=60,
    )
    assert created.status_code == 201, created.text[:1000]
    number = created.json()["number"]
    on_b = httpx.get(cluster.url("b") + f"/api/v1/cases/{number}", headers=headers, timeout=20)
    assert on_b.status_code == 200 and on_b.json()["number"] == number
    photo_url = on_b.json()["photos"][0]["url"]
    path = photo_url[photo_url.index("/media/") :]
    served = httpx.get(cluster.url("b") + path, headers=headers, timeout=20)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content[:3] == b"\xff\xd8\xff"  # a JPEG, cleaned and re-encoded on A, read from the store by B
    # Nothing went to either node's own folder: the bytes are in the object store only.
    assert not list((cluster.tmp / "var-a").rglob("*.jpg")) and not list((cluster.tmp / "var-b").rglob("*.jpg"))


def test_nginx_spreads_requests_over_both_nodes_and_each_is_ready(cluster):
    import httpx

    for _ in range(12):
        assert httpx.get(cluster.url("nginx") + "/", timeout=20).status_code == 200
    served = {name: (cluster.tmp / f"node-{name}.log").read_text().count('"GET / HTTP/1.1"') for name in cluster.nodes}
    served = {name: count for name, count in served.items()}
    assert all(count > 0 for count in served.values()), served
    for name in cluster.nodes:
        ready = httpx.get(cluster.url(name) + "/ready", timeout=20).json()
        assert ready["checks"]["database"] == ready["checks"]["cache"] == ready["checks"]["storage"] == "ok", ready
    assert httpx.get(cluster.url("nginx") + "/metrics", timeout=20).status_code == 404  # not from outside
    metrics = httpx.get(cluster.url("a") + "/metrics", timeout=20).text
    assert "django_http_requests_latency_seconds_by_view_method" in metrics
    assert "youlin_task_queue_depth" in metrics and "youlin_cases_overdue" in metrics


def test_two_workers_on_two_nodes_run_the_overdue_sweep_once(cluster):
    import httpx

    for name in cluster.nodes:
        cluster.start(f"worker-{name}", youlin("worker", "--tick", "1"), cluster.env[name])
    wait_for(lambda: cluster.sql("SELECT count(*) FROM scheduling_workerheartbeat")[0][0] == 2, "two heartbeats")
    path = "youlin.cases.tasks.sweep_overdue"
    wait_for(
        lambda: (
            cluster.sql(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s AND status = 'SUCCESSFUL'",
                path,
            )[0][0]
            >= 1
        ),
        "the overdue sweep",
    )
    time.sleep(4)  # four more ticks of each worker's schedule
    runs = cluster.sql("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = %s", path)
    assert len(runs) == 1 and runs[0][0] == "SUCCESSFUL", runs
    (claimed_by,) = cluster.sql("SELECT enqueued_by FROM scheduling_periodicclaim WHERE task_path = %s", path)[0]
    heartbeats = {row[0] for row in cluster.sql("SELECT name FROM scheduling_workerheartbeat")}
    assert claimed_by in heartbeats
    assert httpx.get(cluster.url("b") + "/ready", timeout=20).json()["checks"]["worker"] == "ok"
    for name in cluster.nodes:
        cluster.kill(f"worker-{name}")


def test_a_node_killed_loses_only_its_own_requests(cluster):
    """Node A dies at once (SIGKILL, no graceful stop): nginx sends what follows to B; nothing is refused."""
    import httpx

    cluster.kill("node-a", signal.SIGKILL)
    statuses = [httpx.get(cluster.url("nginx") + "/health", timeout=20).status_code for _ in range(10)]
    assert statuses == [200] * 10
