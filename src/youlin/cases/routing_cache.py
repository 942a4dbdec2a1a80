"""What routing reads, kept per process: the active routing rules, who answers for each place, each community's
urban-management office and the sub-districts' own time limits.

Registering a case used to read all of these afresh (a dozen queries, most of them the same for every case of a
place). Each process now keeps them, valid for one ``RoutingRevision`` number, as the places index does with
``PlacesRevision``: one indexed single-row read per lookup tells whether the cache is still good. Every write to
what routing reads moves the number on (the signals below, connected from ``CasesConfig.ready``): rules,
responsibilities, organisations, sub-district time limits, categories and the places themselves. Writes that
bypass signals (``bulk_create``, ``QuerySet.update``) must call ``bump_revision()`` themselves, as the synthetic
city does.

The cached rows are shared by every request of the process: callers read them and never change them.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

MAX_ENTRIES = 100_000  # places (or communities) remembered before a map starts again: bounded memory


@dataclass
class RoutingCache:
    revision: int
    rules: list = field(default_factory=list)  # active RoutingRule rows, category selected
    parties: dict = field(default_factory=dict)  # (compound id, building id, zone id) → ResponsibleParties
    offices: dict = field(default_factory=dict)  # community id → [Organisation]
    limits: dict = field(default_factory=dict)  # (category id, subdistrict id) → (urgency, limit, unit) | None

    def remember(self, table: dict, key, value):
        if len(table) >= MAX_ENTRIES:
            table.clear()
        table[key] = value
        return value


_lock = threading.Lock()
_current: RoutingCache | None = None


def current_revision() -> int:
    from youlin.cases.models import RoutingRevision

    return RoutingRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def _load(revision: int) -> RoutingCache:
    from youlin.cases.models import RoutingRule

    return RoutingCache(
        revision=revision, rules=list(RoutingRule.objects.filter(is_active=True).select_related("category"))
    )


def routing_cache() -> RoutingCache:
    """This process's cache, reloaded when the revision has moved on (one single-row query)."""
    global _current
    revision = current_revision()
    cache = _current
    if cache is not None and cache.revision == revision:
        return cache
    with _lock:
        if _current is None or _current.revision != revision:
            _current = _load(revision)
        return _current


def bump_revision() -> None:
    """Tell every process that what routing reads has changed (inside the writer's transaction)."""
    from youlin.cases.models import RoutingRevision

    number = secrets.randbits(62) or 1
    if not RoutingRevision.objects.filter(pk=1).update(number=number):
        RoutingRevision.objects.update_or_create(pk=1, defaults={"number": number})


def forget() -> None:
    global _current
    _current = None


def _bump(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures load before the table may exist; loading one is followed by a process start
    bump_revision()


def connect() -> None:
    from youlin.cases.models import Category, CategoryTimeLimit, RoutingRule
    from youlin.parties.models import Organisation, Responsibility
    from youlin.places.models import Building, Community, Compound, Subdistrict, Zone

    models = (RoutingRule, Category, CategoryTimeLimit, Responsibility, Organisation)
    for model in (*models, Subdistrict, Community, Compound, Building, Zone):
        name = f"{model._meta.app_label}.{model.__name__}"
        post_save.connect(_bump, sender=model, dispatch_uid=f"routing-revision-save-{name}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"routing-revision-delete-{name}")
