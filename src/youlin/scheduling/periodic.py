"""Periodic background work. ``youlin worker`` enqueues each app's periodic tasks on schedule.

An app declares them in its own ``tasks.py``, beside the tasks, as ``PERIODIC = [(task, seconds between runs)]``;
``discover()`` finds them (as the admin finds ``admin.py``), so no app imports this module.

django-tasks has no scheduler of its own; one small thread in the worker process is enough because the tasks
it enqueues are idempotent sweeps (running one twice does no harm).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
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


def enqueue_due(periodic: list[Periodic], last_run: dict[str, float], now: float) -> list[str]:
    """Enqueue every task whose interval has passed; returns the paths enqueued."""
    enqueued = []
    for item in periodic:
        if now - last_run.get(item.task_path, float("-inf")) >= item.every_seconds:
            _load(item.task_path).enqueue()
            last_run[item.task_path] = now
            enqueued.append(item.task_path)
    return enqueued


def start_scheduler(periodic: list[Periodic], stop: threading.Event, tick_seconds: float = 15.0) -> threading.Thread:
    def loop():
        from django.db import close_old_connections

        last_run: dict[str, float] = {}
        while not stop.is_set():
            try:
                enqueue_due(periodic, last_run, time.monotonic())
            except Exception:  # the worker keeps running; the next tick tries again
                logger.exception("periodic enqueue failed")
            finally:
                close_old_connections()
            stop.wait(tick_seconds)

    thread = threading.Thread(target=loop, name="youlin-periodic", daemon=True)
    thread.start()
    return thread
