"""What routing reads, kept per process: the active routing rules, who answers for each place, each community's
urban-management office, the sub-districts' own time limits and the active categories.

Registering a case used to read all of these afresh (a dozen queries, most of them the same for every case of a
place), and who follows a new case (the organisations' active accounts). Each process now keeps them, valid for one ``RoutingRevision`` number, as the places index does with
``PlacesRevision``: one indexed single-row read per lookup tells whether the cache is still good. Every write to
what routing reads moves the number on (the signals below, connected from ``CasesConfig.ready``): rules,
responsibilities, organisations, memberships, people, login accounts (their ``is_active``), sub-district time
limits, categories and the places themselves. Writes that
bypass signals (``bulk_create``, ``QuerySet.update``) must call ``bump_revision()`` themselves, as the synthetic
city does.

The cached rows are shared by every request of the process: callers read them and never change them.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from youlin.places.index import revision_held

MAX_ENTRIES = 100_000  # places (or communities) remembered before a map starts again: bounded memory


@dataclass
class RoutingCache:
    revision: int
    rules: list = field(default_factory=list)  # active RoutingRule rows, category selected
    parties: dict = field(default_factory=dict)  # (compound id, building id, zone id) → ResponsibleParties
    communities: dict = field(default_factory=dict)  # community id → CommunityResponsibilities (all its places)
    offices: dict = field(default_factory=dict)  # community id → [Organisation]
    members: dict = field(default_factory=dict)  # organisation id → frozenset of active user ids (who follows)
    # (category id, its major code, community id, place kinds) → the rules that fit, in the order they are tried
    applicable: dict = field(default_factory=dict)
    # Open311 keys by hash, active ones only (``open311.selectors.key_for``; the open311 app moves the revision
    # on whenever a key is saved or deleted: created, renamed, revoked).
    api_keys: dict = field(default_factory=dict)
    _limits: dict | None = None  # (category id, subdistrict id) → (urgency, limit, unit), every row at once
    _categories: list | None = None  # active categories, loaded on first use

    @property
    def categories(self) -> list:
        """Every active category (a few hundred rows), ordered by kind and code."""
        if self._categories is None:
            from youlin.cases.models import Category

            self._categories = list(Category.objects.filter(is_active=True).order_by("kind", "code"))
        return self._categories

    def own_limit(self, category_id: int, subdistrict_id: int) -> tuple | None:
        """A sub-district's own time limit for a category, if it set one (the table is small: read whole)."""
        if self._limits is None:
            from youlin.cases.models import CategoryTimeLimit

            rows = CategoryTimeLimit.objects.values_list(
                "category_id", "subdistrict_id", "urgency", "time_limit", "time_limit_unit"
            )
            self._limits = {(c, s): rest for c, s, *rest in rows}
        return self._limits.get((category_id, subdistrict_id))

    def category(self, pk) -> object | None:
        if self._by_pk is None:
            self._by_pk = {c.pk: c for c in self.categories}
        return self._by_pk.get(pk)

    def matter(self, code: str) -> object | None:
        if self._matters is None:
            from youlin.cases.models import Category

            self._matters = {c.code: c for c in self.categories if c.kind == Category.Kind.MATTER}
        return self._matters.get(code)

    _by_pk: dict | None = None
    _matters: dict | None = None

    def remember(self, table: dict, key, value):
        if len(table) >= MAX_ENTRIES:
            table.clear()
        table[key] = value
        return value


_lock = threading.Lock()
_current: RoutingCache | None = None


def current_revision() -> int:
    """The revision number (0 before the first write): plain SQL, as it is read on every lookup."""
    from django.db import connection

    from youlin.cases.models import RoutingRevision

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {RoutingRevision._meta.db_table} WHERE id = 1")  # noqa: S608 - fixed name
        row = cursor.fetchone()
    return row[0] if row else 0


def _load(revision: int) -> RoutingCache:
    from youlin.cases.models import RoutingRule

    return RoutingCache(
        revision=revision, rules=list(RoutingRule.objects.filter(is_active=True).select_related("category"))
    )


def _revisions() -> tuple[int, int]:
    """This revision and the places index's (``places.index``), in one statement: a registration reads both."""
    from django.db import connection

    from youlin.cases.models import RoutingRevision
    from youlin.places.models import PlacesRevision

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT number FROM {RoutingRevision._meta.db_table} WHERE id = 1), "  # noqa: S608 - fixed names
            f"(SELECT number FROM {PlacesRevision._meta.db_table} WHERE id = 1)"
        )
        routing, places = cursor.fetchone()
    return routing or 0, places or 0


_held = threading.local()


@contextmanager
def held() -> Iterator[RoutingCache]:
    """Within the block this thread uses one revision's cache without asking again: a bulk import's plan (reads
    only, in one go) routes hundreds of places; a change made meanwhile counts from the next import on. The
    places index's revision is read in the same query and held alike (``places.index.revision_held``): a
    registration locates its point under it."""
    outer = getattr(_held, "cache", None)
    if outer is not None:
        yield outer  # already held by the caller: nothing to read again
        return
    routing, places = _revisions()
    _held.cache = _at(routing)
    try:
        with revision_held(places):
            yield _held.cache
    finally:
        _held.cache = None


def routing_cache() -> RoutingCache:
    """This process's cache, reloaded when the revision has moved on (one single-row query)."""
    held_cache = getattr(_held, "cache", None)
    if held_cache is not None:
        return held_cache
    return _at(current_revision())


def _at(revision: int) -> RoutingCache:
    global _current
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


def _bump_for_user(sender, **kwargs):
    """A login account counts for routing only through ``is_active`` (who follows a new case): a login's
    ``last_login`` update must not empty every process's cache."""
    fields = kwargs.get("update_fields")
    if fields is not None and "is_active" not in fields:
        return
    _bump(sender, **kwargs)


def connect() -> None:
    from youlin.cases.models import Category, CategoryTimeLimit, RoutingRule
    from youlin.parties.models import Membership, Organisation, Person, Responsibility
    from youlin.places.models import Building, Community, Compound, Subdistrict, Zone

    models = (RoutingRule, Category, CategoryTimeLimit, Responsibility, Organisation, Membership, Person)
    for model in (*models, Subdistrict, Community, Compound, Building, Zone):
        name = f"{model._meta.app_label}.{model.__name__}"
        post_save.connect(_bump, sender=model, dispatch_uid=f"routing-revision-save-{name}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"routing-revision-delete-{name}")
    user = get_user_model()
    post_save.connect(_bump_for_user, sender=user, dispatch_uid="routing-revision-save-user")
    post_delete.connect(_bump, sender=user, dispatch_uid="routing-revision-delete-user")
