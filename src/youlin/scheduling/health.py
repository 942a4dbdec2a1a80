"""What the workers contribute to ``/ready`` and ``/metrics`` (``youlin.core.health`` finds these lists)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError

from youlin.scheduling.selectors import newest_heartbeat_age, queue_depth


def check_worker() -> str:
    """The newest heartbeat of any ``youlin worker`` (each beats every tick of its periodic scheduler)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE <= 0 or "DatabaseBackend" not in backend:
        return "not used"  # tasks run in the request (demo), or no worker is expected
    try:
        age = newest_heartbeat_age()
    except DatabaseError:
        return "unavailable"
    if age is None or age > timedelta(seconds=settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE):
        return "stale"
    return "ok"


def heartbeat_age_seconds() -> float:
    age = newest_heartbeat_age()
    return -1.0 if age is None else age.total_seconds()


READY = [("worker", check_worker)]
GAUGES = [
    ("youlin_task_queue_depth", "Background tasks waiting for a worker", queue_depth),
    ("youlin_worker_heartbeat_age_seconds", "Seconds since any worker last ticked (-1: never)", heartbeat_age_seconds),
]
