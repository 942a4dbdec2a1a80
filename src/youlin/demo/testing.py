"""The demo database of the test suite: loaded once per session, then each test runs in a transaction on top.

Loading the demo through the real services takes a second or more, and most tests want it. So the first test
that asks for ``demo`` commits it into the test database (``load_shared_demo``), and every later one rolls its
own changes back as usual. For that to be safe the tests are ordered (``order``): the database tests that do
not want the demo run first, on an empty database; then those that use the shared demo; then the transactional
tests, which load the demo themselves because the database is flushed after each of them (pytest-django runs
them after the others anyway); then the tests without a database. ``check_order`` stops a test that would see
the shared demo while expecting an empty database (only possible if another plugin reorders the tests).

Used by the repository's ``conftest.py``; see its ``demo`` and ``demo_fresh`` fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

# Tests hash the demo passwords with this, not Argon2 (see conftest's ``_fast_password_hashing``).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class SharedDemo:
    committed: bool = False  # the demo is in the test database, outside any test's transaction


state = SharedDemo()


def uses_shared_demo(item: pytest.Item) -> bool:
    return "demo" in getattr(item, "fixturenames", ())


def is_transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    by_marker = bool(marker) and bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    return by_marker or "transactional_db" in names or "live_server" in names


def uses_database(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("django_db")) or "db" in getattr(item, "fixturenames", ())


def in_a_rolled_back_transaction(item: pytest.Item) -> bool:
    return uses_database(item) and not is_transactional(item)


def order(items: list[pytest.Item]) -> None:
    """Database tests without the shared demo first, then those with it, then the transactional ones, then the
    tests without a database. A test marked ``early`` (a long one) goes first within its group, and one without a
    database first of all, so that parallel workers (pytest-xdist) overlap it with the many short tests instead of
    ending the run on it. Each worker runs its share of the tests in this order (xdist's ``load`` scheduling hands
    them out from the front of the list), so the order holds in every worker's own database."""

    def key(item: pytest.Item) -> tuple[int, int]:
        early = 0 if item.get_closest_marker("early") else 1
        if is_transactional(item):
            return (3, early)
        if uses_database(item):
            return (2 if uses_shared_demo(item) else 1, early)
        return (0 if early == 0 else 4, early)

    items.sort(key=key)


def check_order(item: pytest.Item) -> None:
    if state.committed and in_a_rolled_back_transaction(item) and not uses_shared_demo(item):
        pytest.fail(
            "This test expects an empty database but runs after the shared demo was committed to it; "
            "the test order was changed (youlin's conftest.py runs the tests without the demo first).",
            pytrace=False,
        )


def forget_after(item: pytest.Item) -> None:
    """A transactional test flushes the database when it ends: the shared demo is gone with it."""
    if is_transactional(item):
        state.committed = False


def load_shared_demo(django_db_blocker) -> None:
    """Commit the demo (without cases) to the test database, once."""
    if state.committed:
        return
    from django.test.utils import override_settings

    from youlin.demo.loader import load_demo

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_demo(with_cases=False)
    state.committed = True


# ---------------------------------------------------------------- the migrated schema, from a template

TEMPLATE_SKIP = {"tests", "__pycache__", "static", "locale", "templates"}  # folders that cannot change the schema


def _template_key() -> str:
    """What a migrated test database depends on: every migration of every app, the product code and data the data
    migrations call (all of ``src/youlin`` but tests, templates, static files and translations), Django's and
    SQLite's versions, and the YOULIN_* environment the settings read. Any change makes a new template."""
    import hashlib
    import os
    import sqlite3
    from pathlib import Path

    import django
    from django.apps import apps

    import youlin

    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    digest.update(repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("YOULIN_"))).encode())
    product = Path(youlin.__file__).resolve().parent
    files = [p for p in product.rglob("*") if p.is_file() and not TEMPLATE_SKIP & set(p.relative_to(product).parts)]
    for app in apps.get_app_configs():
        if not Path(app.path).resolve().is_relative_to(product):
            files += Path(app.path, "migrations").glob("*.py")
    for path in sorted(files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class MigratedFromTemplate:
    """Migrating an empty test database runs every migration (about ten seconds of CPU, in every pytest-xdist
    worker and before a single database test of a developer's quick run). The first run migrates for real and
    keeps a copy of the result under ``var/test-databases``; later runs with the same migrations, product code and
    versions (``_template_key``) copy it into their in-memory SQLite database instead. Only the in-memory SQLite
    test database: PostgreSQL (CI's second run) and file databases always migrate."""

    def __init__(self, folder):
        from pathlib import Path

        self.folder = Path(folder)
        self.pending: set[str] = set()
        self.original = None

    def __enter__(self):
        import django.core.management
        from django.db import connections

        self.pending = {
            alias
            for alias in connections
            if connections[alias].vendor == "sqlite"
            and not connections[alias].settings_dict.get("TEST", {}).get("MIRROR")
            and connections[alias].creation.is_in_memory_db(connections[alias].creation._get_test_db_name())
        }
        self.original = django.core.management.call_command
        if self.pending:
            django.core.management.call_command = self.call_command
        return self

    def __exit__(self, *exc):
        import django.core.management

        django.core.management.call_command = self.original

    def call_command(self, name, *args, **options):
        alias = options.get("database", "default")
        if name != "migrate" or alias not in self.pending:
            return self.original(name, *args, **options)
        self.pending.discard(alias)
        try:
            self.migrate(alias, lambda: self.original(name, *args, **options))
        finally:
            if not self.pending:
                self.__exit__()  # every later call goes straight to Django's (this wrapper, if kept, passes it on)

    def migrate(self, alias: str, run_migrations) -> None:
        import fcntl
        import os
        import sqlite3

        from django.db import connections

        connection = connections[alias]
        self.folder.mkdir(parents=True, exist_ok=True)
        template = self.folder / f"migrated-{_template_key()}-{alias}.sqlite3"
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers: one migrates, the others wait and copy
            connection.ensure_connection()
            if template.exists():
                source = sqlite3.connect(template)
                try:
                    source.backup(connection.connection)
                finally:
                    source.close()
                return
            run_migrations()
            connection.ensure_connection()
            scratch = template.with_suffix(f".{os.getpid()}.tmp")
            copy = sqlite3.connect(scratch)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
            for old in self.folder.glob(f"migrated-*-{alias}.sqlite3"):
                old.unlink()
            os.replace(scratch, template)
