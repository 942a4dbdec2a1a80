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
