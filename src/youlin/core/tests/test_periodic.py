import pytest

from youlin.core import periodic

calls = []


def test_enqueue_due_respects_intervals(monkeypatch):
    class FakeTask:
        @staticmethod
        def enqueue():
            calls.append("run")

    monkeypatch.setattr(periodic, "_registry", {})
    monkeypatch.setattr(periodic, "_load", lambda path: FakeTask)
    periodic.register("x.sweep", every_seconds=60)
    last = {}
    assert periodic.enqueue_due(last, 1000.0) == ["x.sweep"]
    assert periodic.enqueue_due(last, 1030.0) == []
    assert periodic.enqueue_due(last, 1060.0) == ["x.sweep"]
    assert calls == ["run", "run"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it stops (PostgreSQL)
def test_worker_batch_runs_with_nothing_queued(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(periodic, "_registry", {})
    call_command("worker", "--batch")
