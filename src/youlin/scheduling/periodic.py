"""Periodic background work. ``youlin worker`` enqueues each app's periodic tasks on schedule.

An app declares them in its own ``tasks.py``, beside the tasks, as ``PERIODIC = [(task, seconds between runs)]``;
``discover()`` finds them (as the admin finds ``admin.py``), so no app imports this module.

django-tasks has no scheduler of its own; one small thread in each worker process enqueues what is due. Several
workers (on several nodes) share one schedule in the database: a task is enqueued by the worker whose
conditional UPDATE of its ``PeriodicClaim`` row moves the time on, and not at all while an earlier run of it
still waits or runs, so a sweep runs once per interval and never twice at the same time. (Taking a queued task
is exclusive already: django-tasks' database backend locks the row it takes, ``SKIP LOCKED`` on PostgreSQL.)
Each tick also writes the worker's heartbeat, which ``/ready`` reads.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task_path: str  # "youlin.cases.tasks.sweep_overdue"
    every_seconds: int


def discover() -> list[Periodic]:
    """Every installed app's ``tasks.PERIODIC``, in a stable order."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "tasks"):
            continue
        for task, every_seconds in getattr(import_module(f"{config.name}.tasks"), "PERIODIC", ()):
            found.append(Periodic(task.module_path, every_seconds))
    return sorted(found, key=lambda p: p.task_path)


def _load(task_path: str):
    module, name = task_path.rsplit(".", 1)
    return getattr(import_module(module), name)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _claim(item: Periodic, now: datetime, name: str) -> bool:
    """Whether this worker won ``item`` for the interval that starts ``now`` (one UPDATE; a concurrent worker's
    waits for the row, then matches nothing)."""
    from youlin.scheduling.models import PeriodicClaim

    never = datetime(2000, 1, 1, tzinfo=UTC)
    PeriodicClaim.objects.get_or_create(task_path=item.task_path, defaults={"enqueued_at": never})
    won = PeriodicClaim.objects.filter(
        task_path=item.task_path, enqueued_at__lte=now - timedelta(seconds=item.every_seconds)
    ).update(enqueued_at=now, enqueued_by=name)
    return won == 1


def _still_queued_or_running(task_path: str) -> bool:
    if "DatabaseBackend" not in settings.TASKS["default"]["BACKEND"]:
        return False  # no shared queue to look in (tasks run at once, or elsewhere)
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def enqueue_due(periodic: list[Periodic], now: datetime | None = None, *, name: str | None = None) -> list[str]:
    """Enqueue every task whose interval has passed, unless another worker did or an earlier run is unfinished;
    returns the paths enqueued."""
    now = now or timezone.now()
    name = name or worker_name()
    enqueued = []
    for item in periodic:
        if _still_queued_or_running(item.task_path):
            continue
        with transaction.atomic():
            if not _claim(item, now, name):
                continue
            _load(item.task_path).enqueue()
        enqueued.append(item.task_path)
    return enqueued


def beat(name: str | None = None) -> None:
    """This worker is alive (``/ready`` reads the newest heartbeat)."""
    from youlin.scheduling.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name or worker_name(), defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()  # workers long gone (killed)


def start_scheduler(periodic: list[Periodic], stop: threading.Event, tick_seconds: float = 15.0) -> threading.Thread:
    def loop():
        from django.db import close_old_connections

        from youlin.scheduling.models import WorkerHeartbeat

        name = worker_name()
        while not stop.is_set():
            try:
                beat(name)
                enqueue_due(periodic, name=name)
            except Exception:  # the worker keeps running; the next tick tries again
                logger.exception("periodic enqueue failed")
            finally:
                close_old_connections()
            stop.wait(tick_seconds)
        try:
            WorkerHeartbeat.objects.filter(name=name).delete()  # a clean stop is not a lost worker
        except Exception:
            logger.warning("could not remove the heartbeat of %s", name)
        finally:
            close_old_connections()

    thread = threading.Thread(target=loop, name="youlin-periodic", daemon=True)
    thread.start()
    return thread
