"""Reads of the workers' bookkeeping (readiness, metrics)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from youlin.scheduling.models import WorkerHeartbeat


def newest_heartbeat_age() -> timedelta | None:
    """How long ago any worker last ticked; ``None`` if none ever did."""
    newest = WorkerHeartbeat.objects.aggregate(newest=Max("seen_at"))["newest"]
    return None if newest is None else timezone.now() - newest


def queue_depth() -> int:
    """Background tasks waiting for a worker (django-tasks' database backend)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()
