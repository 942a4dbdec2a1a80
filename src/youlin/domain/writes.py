"""Helpers every app's services use when they write: who the actor is (a user row to store, a label to show),
text that must be given, and compare-and-swap on a row's ``version`` (optimistic concurrency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F, Model, QuerySet
from django.utils.translation import ngettext

from youlin.domain.errors import DomainError


def actor_user(actor):
    """The actor as a user to store on a row, or ``None`` for nobody or an anonymous visitor."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def actor_label(actor, fallback: str = "") -> str:
    """How a timeline names the actor: the signed-in user, else ``fallback`` (e.g. a reporter's name)."""
    return str(actor)[:100] if actor_user(actor) is not None else fallback[:100]


def required_text(value, message, *, field: str, error: type[DomainError], max_length: int | None = None) -> str:
    """``value`` stripped; ``error.invalid(message)`` on ``field`` when it is empty, or when it is longer than
    ``max_length``."""
    value = (value or "").strip()
    if not value:
        raise error.invalid(message, field=field)
    if max_length and len(value) > max_length:
        raise error.invalid(
            ngettext("内容过长，最多 %(n)d 个字。", "内容过长，最多 %(n)d 个字。", max_length) % {"n": max_length},
            field=field,
        )
    return value


def row_at_version(
    queryset: QuerySet,
    *,
    pk: int,
    expected_version: int,
    conflict: Callable[[], DomainError],
    missing: Callable[[], DomainError] | None = None,
) -> Any:
    """The row as stored now. A stale ``expected_version`` raises ``conflict()`` before any other check; a
    row that is gone raises ``missing()`` (or ``DoesNotExist`` without it)."""
    try:
        current = queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        if missing is None:
            raise
        raise missing() from None
    if current.version != expected_version:
        raise conflict()
    return current


def update_at_version(
    model: type[Model] | QuerySet,
    *,
    pk: int,
    expected_version: int,
    conflict: Callable[[], DomainError],
    **fields,
) -> None:
    """``UPDATE … SET version = version + 1, <fields> WHERE pk = … AND version = expected_version``: the row
    changes only if nobody changed it since the page was loaded; otherwise ``conflict()`` is raised."""
    rows = model if isinstance(model, QuerySet) else model._default_manager.all()
    if rows.filter(pk=pk, version=expected_version).update(version=F("version") + 1, **fields) != 1:
        raise conflict()
