"""Prometheus metrics at ``/metrics`` (``YOULIN_METRICS=1``): django-prometheus' request counts and latencies,
and, read from the database at each scrape, the background queue's depth, the age of the newest worker
heartbeat and the number of open overdue cases.

With several gunicorn workers per node set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode)
so one scrape sums them. Serve ``/metrics`` to the internal network only (the README's nginx denies it).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import include, path

logger = logging.getLogger(__name__)


class YoulinCollector:
    """Gauges computed when scraped (three small queries), so every node reports the same shared numbers."""

    def collect(self):
        from django.db import DatabaseError, close_old_connections
        from prometheus_client.core import GaugeMetricFamily

        from youlin.cases.selectors import open_overdue_count
        from youlin.scheduling.selectors import newest_heartbeat_age, queue_depth

        try:
            depth, overdue, age = queue_depth(), open_overdue_count(), newest_heartbeat_age()
        except DatabaseError as exc:
            logger.warning("metrics: database unavailable: %s", exc)
            close_old_connections()
            return
        yield GaugeMetricFamily("youlin_task_queue_depth", "Background tasks waiting for a worker", value=depth)
        yield GaugeMetricFamily("youlin_cases_overdue", "Open cases past their deadline", value=overdue)
        yield GaugeMetricFamily(
            "youlin_worker_heartbeat_age_seconds",
            "Seconds since any worker last ticked (-1: never)",
            value=-1 if age is None else age.total_seconds(),
        )


_registered = False


def urlpatterns() -> list:
    global _registered
    if not settings.YOULIN_METRICS:
        return []
    if not _registered:
        from prometheus_client import REGISTRY

        REGISTRY.register(YoulinCollector())
        _registered = True
    return [path("", include("django_prometheus.urls"))]
