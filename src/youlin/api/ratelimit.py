"""A fixed-window rate limiter on Django's cache, for POSTs to the API and Open311.

Limits come from settings or the environment (``YOULIN_API_POST_RATE`` per personal token,
``YOULIN_API_ANON_POST_RATE`` per client address without a valid token, ``YOULIN_OPEN311_POST_RATE`` per
Open311 key) as ``N/s``, ``N/m``, ``N/h`` or ``N/d``; ``off`` turns one off. The counters live in the default
cache: with Django's default in-process cache each worker process counts on its own, so the effective limit is
N × workers. Set ``YOULIN_CACHE_URL`` (Redis) for one limit across processes and nodes.

When the shared cache cannot be reached the limiter fails open: the request is let through and a warning is
logged (a rate limit protects the site; refusing everyone while Redis is down would take the site down with it).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULTS = {
    "YOULIN_API_POST_RATE": "60/m",
    "YOULIN_API_ANON_POST_RATE": "20/m",
    "YOULIN_OPEN311_POST_RATE": "30/m",
}
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int


def parse_rate(value: str | None) -> Rate | None:
    """``"30/m"`` → 30 per 60 s; ``"off"``, ``""`` or ``"0"`` → no limit."""
    value = (value or "").strip().lower()
    if value in {"", "0", "off", "none"}:
        return None
    count, _sep, unit = value.partition("/")
    try:
        limit = int(count)
        period = _PERIODS[(unit or "m")[0]]
    except (ValueError, KeyError):
        raise ValueError(f"rate must look like 30/m, not {value!r}") from None
    return Rate(limit, period) if limit > 0 else None


def configured_rate(name: str) -> Rate | None:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return parse_rate(value)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def hit(scope: str, ident: str, rate: Rate | None, *, now: float | None = None) -> Verdict:
    """Count one request of ``ident`` in ``scope``; refuse it past the limit of the current window."""
    if rate is None:
        return Verdict(True)
    now = time.time() if now is None else now
    window = int(now // rate.period)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"youlin:rate:{scope}:{digest}:{window}"
    try:
        count = _count(key, rate.period + 1)
    except Exception as exc:  # the cache is down: fail open, loudly
        logger.warning("rate limit %s not enforced: the cache is unavailable (%s)", scope, exc)
        return Verdict(True)
    if count <= rate.limit:
        return Verdict(True)
    return Verdict(False, retry_after=max(1, math.ceil((window + 1) * rate.period - now)))


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
