"""Periodic background work. Apps register tasks here; ``youlin worker`` enqueues them on schedule.

django-tasks has no scheduler of its own; one small thread in the worker process is enough because the
tasks it enqueues are idempotent sweeps (running one twice does no harm).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from importlib import import_module

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task_path: str  # "youlin.cases.tasks.sweep_overdue"
    every_seconds: int


_registry: dict[str, Periodic] = {}


def register(task_path: str, *, every_seconds: int) -> None:
    _registry[task_path] = Periodic(task_path, every_seconds)


def registered() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda p: p.task_path)


def _load(task_path: str):
    module, name = task_path.rsplit(".", 1)
    return getattr(import_module(module), name)


def enqueue_due(last_run: dict[str, float], now: float) -> list[str]:
    """Enqueue every registered task whose interval has passed; returns the paths enqueued."""
    enqueued = []
    for item in registered():
        if now - last_run.get(item.task_path, float("-inf")) >= item.every_seconds:
            _load(item.task_path).enqueue()
            last_run[item.task_path] = now
            enqueued.append(item.task_path)
    return enqueued


def start_scheduler(stop: threading.Event, tick_seconds: float = 15.0) -> threading.Thread:
    def loop():
        from django.db import close_old_connections

        last_run: dict[str, float] = {}
        while not stop.is_set():
            try:
                enqueue_due(last_run, time.monotonic())
            except Exception:  # the worker keeps running; the next tick tries again
                logger.exception("periodic enqueue failed")
            finally:
                close_old_connections()
            stop.wait(tick_seconds)

    thread = threading.Thread(target=loop, name="youlin-periodic", daemon=True)
    thread.start()
    return thread
