"""Serving benchmarks' machinery: youlin served by gunicorn the way ``youlin serve`` serves it, a lean HTTP/1.1
load generator, and CPU accounting for the server, the load generator and everything else on the machine.

The load generator is hand-written on asyncio streams (no HTTP library): on a 2-core machine the client competes
with the server for CPU, so it must cost as little as possible, and what it costs is reported beside each figure.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- CPU accounting


def _proc_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return (total - idle) / TICKS, total / TICKS


@dataclass
class CpuMeter:
    """CPU used during one measurement: the server's processes, this process (the load generator) and the rest."""

    server_pids: list[int] = field(default_factory=list)

    def start(self):
        self._server = sum(_proc_cpu(p) for p in self.server_pids)
        self._client = time.process_time()
        self._busy, self._total = _machine_busy()
        self._wall = time.perf_counter()
        return self

    def stop(self) -> dict:
        wall = time.perf_counter() - self._wall
        server = sum(_proc_cpu(p) for p in self.server_pids) - self._server
        client = time.process_time() - self._client
        busy, total = _machine_busy()
        cores = (total - self._total) / wall if wall else os.cpu_count()
        machine = busy - self._busy
        return {
            "server_cpu_s": round(server, 3),
            "client_cpu_s": round(client, 3),
            # Cores' worth of CPU used by everything else on the machine during the run (other work: load).
            "others_cores": round(max(0.0, machine - server - client) / wall, 2) if wall else None,
            "client_cores": round(client / wall, 2) if wall else None,
            "server_cores": round(server / wall, 2) if wall else None,
            "cores": round(cores, 1),
        }


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    base: str
    port: int
    pid: int
    worker_class: str
    threads: int

    def pids(self) -> list[int]:
        return [self.pid, *_children(self.pid)]


def server_env(url: str, **extra) -> dict:
    return {
        **os.environ,
        "YOULIN_DATABASE_URL": url,
        "YOULIN_SECRET_KEY": secrets.token_urlsafe(40),
        "YOULIN_DEBUG": "0",
        "YOULIN_DEMO": "0",
        "YOULIN_LOG_LEVEL": "ERROR",
        "YOULIN_BENCH_FLOOR": "1",  # the floors' views (youlin.synthetic.floor)
        # Rate limits would refuse a benchmark's load; the same settings for the floor and the project.
        "YOULIN_OPEN311_POST_RATE": "off",
        "YOULIN_API_POST_RATE": "off",
        "YOULIN_API_ANON_POST_RATE": "off",
        "PYTHONPATH": str(ROOT / "src"),
        **extra,
    }


@contextmanager
def serve(url: str, *, workers: int = 2, worker_class: str | None = None, threads: int | None = None):
    """``youlin serve`` (gunicorn) on a free loopback port; stopped, with its workers, on the way out. Without
    ``worker_class`` the command's own default is what runs."""
    port = free_port()
    argv = [sys.executable, "-m", "youlin", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    if worker_class:
        argv += ["--worker-class", worker_class]
    if threads:
        argv += ["--threads", str(threads)]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
        argv, cwd=ROOT, env=server_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"youlin serve did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        info = _gunicorn_config(proc.pid)
        yield Server(base, port, proc.pid, info.get("worker_class", worker_class or "?"), info.get("threads", 1))
    finally:
        children = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in children:  # gunicorn stops its workers; make sure, by their ids
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc.stderr:
            proc.stderr.close()


def _gunicorn_config(pid: int) -> dict:
    """The worker class and threads the master was started with (from its command line)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return {}
    args = [a.decode() for a in argv]
    out: dict = {"worker_class": "sync", "threads": 1}
    for flag, key, cast in (("--worker-class", "worker_class", str), ("--threads", "threads", int)):
        if flag in args:
            out[key] = cast(args[args.index(flag) + 1])
    if out["threads"] > 1 and out["worker_class"] == "sync":
        out["worker_class"] = "gthread"  # what gunicorn does with --threads > 1
    return out


# ---------------------------------------------------------------- the load generator


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it, as a sync worker does)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                fresh = True
            else:
                fresh = False
            lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
            if content_type:
                lines.append(f"Content-Type: {content_type}")
            if self.cookies:
                lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
            lines += [f"{k}: {v}" for k, v in self.headers.items()]
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            try:
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                await self.close()
                if fresh or attempt == 2:
                    raise
                continue  # the server had closed an idle keep-alive connection: once more on a new one
            return await self._response(head)
        raise RuntimeError("unreachable")

    async def _response(self, head: bytes) -> tuple[int, bytes]:
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close, chunked = None, False, False
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.lower() == "close"
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).strip().split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            await self.close()
        return status, body


@dataclass
class Request:
    method: str
    path: str
    expected: int
    body: bytes = b""
    content_type: str = ""


def form(method: str, path: str, data: dict, expected: int) -> Request:
    return Request(method, path, expected, urlencode(data).encode(), "application/x-www-form-urlencoded")


async def _loop(conn: Connection, make, stop_at: float, latencies: list, errors: list):
    while time.perf_counter() < stop_at:
        r = make()
        t0 = time.perf_counter()
        status, _body = await conn.request(r.method, r.path, r.body, r.content_type)
        latencies.append(time.perf_counter() - t0)
        if status != r.expected:
            errors.append(status)


async def load(conns: list[Connection], make, seconds: float, meter: CpuMeter | None = None) -> dict:
    """Every connection sends ``make()``'s requests back to back for ``seconds``: requests per second, p50 and
    p99 latency, errors, and the CPU each side used."""
    latencies: list[float] = []
    errors: list[int] = []
    if meter is not None:
        meter.start()
    t0 = time.perf_counter()
    await asyncio.gather(*(_loop(c, make, t0 + seconds, latencies, errors) for c in conns))
    elapsed = time.perf_counter() - t0
    cpu = meter.stop() if meter is not None else {}
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    n = len(latencies)
    return {
        "requests": n,
        "rps": n / elapsed,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": len(errors),
        "error_codes": sorted(set(errors))[:5],
        **cpu,
        "server_ms_per_request": round(cpu["server_cpu_s"] / n * 1000, 2) if cpu and n else None,
        "client_ms_per_request": round(cpu["client_cpu_s"] / n * 1000, 2) if cpu and n else None,
    }


async def csrf(conn: Connection, path: str) -> None:
    """Like a browser: the page with the form first, for the CSRF cookie and token."""
    status, body = await conn.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    conn.headers["X-CSRFToken"] = token
