"""The confirmed phone of a browser session: once a person confirms a code, the session knows them by the
number's hash (and its masked form to show) for ``CONFIRMED_FOR``; other apps ask ``confirmed_phone(request)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

CONFIRMED_KEY = "youlin_phone"
PENDING_KEY = "youlin_phone_pending"
CONFIRMED_FOR = timedelta(hours=2)


@dataclass(frozen=True)
class ConfirmedPhone:
    hash: str
    label: str  # 138****1234


def _valid(entry) -> bool:
    try:
        return bool(entry) and datetime.fromisoformat(entry["until"]) > timezone.now()
    except (KeyError, TypeError, ValueError):
        return False


def confirmed_phone(request) -> ConfirmedPhone | None:
    entry = request.session.get(CONFIRMED_KEY)
    return ConfirmedPhone(hash=entry["hash"], label=entry["label"]) if _valid(entry) else None


def pending_phone(request) -> ConfirmedPhone | None:
    """The number a code was sent to, waiting for the code."""
    entry = request.session.get(PENDING_KEY)
    return ConfirmedPhone(hash=entry["hash"], label=entry["label"]) if _valid(entry) else None


def remember_pending(request, *, phone_hash: str, label: str, ttl_seconds: int) -> None:
    until = timezone.now() + timedelta(seconds=ttl_seconds)
    request.session[PENDING_KEY] = {"hash": phone_hash, "label": label, "until": until.isoformat()}


def remember_confirmed(request, *, phone_hash: str, label: str) -> None:
    request.session.pop(PENDING_KEY, None)
    until = timezone.now() + CONFIRMED_FOR
    request.session[CONFIRMED_KEY] = {"hash": phone_hash, "label": label, "until": until.isoformat()}


def forget(request) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(CONFIRMED_KEY, None)
