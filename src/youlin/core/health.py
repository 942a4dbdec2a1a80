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
from importlib import import_module

from django.apps import apps
from django.db import DatabaseError, connection
from django.utils.module_loading import module_has_submodule

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


def contributions(name: str) -> list:
    """Every installed app's ``health.<name>`` (``READY`` checks, ``GAUGES`` for the metrics), found as the
    scheduler finds ``tasks.PERIODIC``: core imports no app for them."""
    found = []
    for config in apps.get_app_configs():
        if config.name != "youlin.core" and module_has_submodule(config.module, "health"):
            found.extend(getattr(import_module(f"{config.name}.health"), name, ()))
    return found


def readiness() -> tuple[dict, int]:
    checks = {"database": check_database(), "cache": check_cache(), "storage": check_storage()}
    for name, check in contributions("READY"):  # the worker's heartbeat (youlin.scheduling.health)
        checks[name] = check() if checks["database"] == OK else UNAVAILABLE
    if any(checks[name] != OK for name in REQUIRED):
        return {"status": UNAVAILABLE, "checks": checks}, 503
    degraded = any(value not in (OK, "not used") for value in checks.values())
    return {"status": "degraded" if degraded else OK, "checks": checks}, 200
