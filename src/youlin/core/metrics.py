"""Prometheus metrics at ``/metrics`` (``YOULIN_METRICS=1``): django-prometheus' request counts and latencies,
and the gauges the apps contribute, read from the database at each scrape: the background queue's depth, the
age of the newest worker heartbeat, the number of open overdue cases.

With several gunicorn workers per node set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode)
so one scrape sums them. Serve ``/metrics`` to the internal network only (the README's nginx denies it).
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


class YoulinCollector:
    """Gauges the apps contribute (``GAUGES`` in their ``health.py``), computed when scraped with a small query
    each, so every node reports the same shared numbers."""

    def collect(self):
        from django.db import DatabaseError, close_old_connections
        from prometheus_client.core import GaugeMetricFamily

        from youlin.core.health import contributions

        for name, description, read in contributions("GAUGES"):
            try:
                value = read()
            except DatabaseError as exc:
                logger.warning("metrics: %s not read, database unavailable: %s", name, exc)
                close_old_connections()
                continue
            yield GaugeMetricFamily(name, description, value=value)


def metrics_view(request):
    """django-prometheus' export, with youlin's gauges; with ``PROMETHEUS_MULTIPROC_DIR`` set, the request
    metrics of every gunicorn worker of this node summed (prometheus_client's multiprocess mode)."""
    import prometheus_client
    from prometheus_client import multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(YoulinCollector())
    else:
        registry = prometheus_client.REGISTRY
        global _registered
        if not _registered:
            registry.register(YoulinCollector())
            _registered = True
    return HttpResponse(prometheus_client.generate_latest(registry), content_type=prometheus_client.CONTENT_TYPE_LATEST)


_registered = False


def urlpatterns() -> list:
    if not settings.YOULIN_METRICS:
        return []
    return [path("metrics", never_cache(metrics_view), name="metrics")]
