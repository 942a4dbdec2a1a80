"""The shared demo database of the test suite: the order it relies on, and the guard when that order is broken."""

from __future__ import annotations

import pytest

from youlin.demo import testing as shared_demo


class FakeItem:
    def __init__(self, name, *fixtures, marker_kwargs=None, early=False):
        self.name = name
        self.fixturenames = list(fixtures)
        self.marker = None if marker_kwargs is None else pytest.mark.django_db(**marker_kwargs).mark
        self.early = pytest.mark.early.mark if early else None

    def get_closest_marker(self, name):
        return {"django_db": self.marker, "early": self.early}.get(name)


def test_empty_database_tests_run_first_then_the_shared_demo_then_the_rest():
    items = [
        FakeItem("browser", "live_server", "demo", "db"),
        FakeItem("no_db"),
        FakeItem("with_demo", "demo", "db"),
        FakeItem("transactional", "demo", marker_kwargs={"transaction": True}),
        FakeItem("empty", marker_kwargs={}),
        FakeItem("loader", "demo_fresh", "db"),
        FakeItem("with_cases", "demo_cases", "demo", "db"),
        FakeItem("long_no_db", early=True),
        FakeItem("long_with_demo", "demo", "db", early=True),
        FakeItem("long_browser", "live_server", "demo", "db", early=True),
    ]
    shared_demo.order(items)
    assert [i.name for i in items] == [
        "long_no_db",  # a long test without a database (a subprocess) starts first: parallel workers overlap it
        "empty",
        "loader",
        "long_with_demo",  # the long ones first within their group
        "with_demo",
        "with_cases",
        "long_browser",
        "browser",
        "transactional",
        "no_db",
    ]


def test_an_empty_database_test_after_the_shared_demo_stops_with_a_reason(monkeypatch):
    monkeypatch.setattr(shared_demo.state, "committed", True)
    shared_demo.check_order(FakeItem("with_demo", "demo", "db"))  # fine
    shared_demo.check_order(FakeItem("transactional", marker_kwargs={"transaction": True}))  # fine: flushes anyway
    with pytest.raises(pytest.fail.Exception, match="expects an empty database"):
        shared_demo.check_order(FakeItem("empty", marker_kwargs={}))


def test_a_transactional_test_takes_the_shared_demo_with_it(monkeypatch):
    monkeypatch.setattr(shared_demo.state, "committed", True)
    shared_demo.forget_after(FakeItem("with_demo", "demo", "db"))
    assert shared_demo.state.committed
    shared_demo.forget_after(FakeItem("transactional", marker_kwargs={"transaction": True}))
    assert not shared_demo.state.committed


def test_a_demo_test_runs_on_the_committed_demo(demo, django_user_model):
    assert shared_demo.state.committed
    assert django_user_model.objects.filter(username="spk_staff", is_demo=True).exists()


def test_the_test_database_has_every_migration_applied(db):
    """Whether migrated here or copied from the template of an earlier run (``MigratedFromTemplate``)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert executor.loader.applied_migrations.keys() >= set(executor.loader.graph.nodes)


def test_the_template_key_changes_with_the_environment_the_settings_read(monkeypatch):
    key = shared_demo._template_key()
    assert shared_demo._template_key() == key
    monkeypatch.setenv("YOULIN_SOMETHING_THE_SETTINGS_READ", "1")
    assert shared_demo._template_key() != key
