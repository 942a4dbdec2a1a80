"""What a load balancer and a monitor ask of one node: is it alive (``/health``: the process answers and reaches
its database) and is everything it relies on there (``/ready``: database, shared cache, file store, the
background worker's heartbeat).

Each check answers ``"ok"``, ``"unavailable"`` or, for the worker, ``"stale"`` / ``"not used"``. Without the
database or the file store the node cannot serve (503); without the cache or the worker it still serves pages
(rate limits fail open, overdue sweeps wait), so ``/ready`` says ``"degraded"`` with 200 and names the part.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
REQUIRED = ("database", "storage")


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (as opposed to a query being wrong)."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health: database unavailable: %s", exc)
        return UNAVAILABLE
    return OK


def check_cache() -> str:
    from django.core.cache import cache

    probe = secrets.token_hex(8)
    try:
        cache.set("youlin:ready", probe, timeout=10)
        if cache.get("youlin:ready") != probe:
            return UNAVAILABLE
    except Exception as exc:  # any client error means the same to a monitor: not there
        logger.warning("health: cache unavailable: %s", exc)
        return UNAVAILABLE
    return OK


def check_storage() -> str:
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("youlin-ready-probe")  # on an object store: one request to the bucket
    except Exception as exc:
        logger.warning("health: file storage unavailable: %s", exc)
        return UNAVAILABLE
    return OK


def check_worker() -> str:
    """The newest heartbeat of any ``youlin worker`` (they beat every tick of the periodic scheduler)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE <= 0 or "DatabaseBackend" not in backend:
        return "not used"  # tasks run in the request (demo) or no worker is expected
    from youlin.scheduling.selectors import newest_heartbeat_age

    try:
        age = newest_heartbeat_age()
    except DatabaseError:
        return UNAVAILABLE
    if age is None or age > timedelta(seconds=settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE):
        return "stale"
    return OK


def readiness() -> tuple[dict, int]:
    checks = {"database": check_database(), "cache": check_cache(), "storage": check_storage()}
    checks["worker"] = check_worker() if checks["database"] == OK else UNAVAILABLE
    if any(checks[name] != OK for name in REQUIRED):
        return {"status": UNAVAILABLE, "checks": checks}, 503
    degraded = any(value not in (OK, "not used") for value in checks.values())
    return {"status": "degraded" if degraded else OK, "checks": checks}, 200
