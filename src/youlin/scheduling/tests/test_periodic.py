import signal

import pytest

from youlin.scheduling import periodic

WORKER_SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])


def test_each_apps_periodic_tasks_are_found_in_its_tasks_module():
    assert periodic.discover() == [
        periodic.Periodic("youlin.alerts.tasks.send_area_alerts", 600),
        periodic.Periodic("youlin.cases.tasks.sweep_overdue", 300),
        periodic.Periodic("youlin.deliberation.tasks.remind_overdue_action_items", 3600),
        periodic.Periodic("youlin.jobs.tasks.recover_stale_jobs", 60),
        periodic.Periodic("youlin.notifications.tasks.send_daily_digests", 3600),
    ]


def test_enqueue_due_respects_intervals(monkeypatch):
    calls = []

    class FakeTask:
        @staticmethod
        def enqueue():
            calls.append("run")

    monkeypatch.setattr(periodic, "_load", lambda path: FakeTask)
    schedule = [periodic.Periodic("x.sweep", 60)]
    last = {}
    assert periodic.enqueue_due(schedule, last, 1000.0) == ["x.sweep"]
    assert periodic.enqueue_due(schedule, last, 1030.0) == []
    assert periodic.enqueue_due(schedule, last, 1060.0) == ["x.sweep"]
    assert calls == ["run", "run"]


@pytest.fixture
def restore_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; left in place, a later SIGTERM to pytest would run the
    worker's shutdown. Put back what was there, and check it was."""
    before = {s: signal.getsignal(s) for s in WORKER_SIGNALS}
    yield before
    for s, handler in before.items():
        signal.signal(s, handler)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it stops (PostgreSQL)
def test_worker_batch_enqueues_every_periodic_task_and_runs_it(restore_signal_handlers):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    call_command("worker", "--batch")
    results = {r.task_path: (r.status, r.return_value) for r in DBTaskResult.objects.all()}
    # Nothing is overdue in an empty database: each sweep ran, successfully, and touched nothing.
    assert results == {
        "youlin.alerts.tasks.send_area_alerts": ("SUCCESSFUL", 0),
        "youlin.cases.tasks.sweep_overdue": ("SUCCESSFUL", 0),
        "youlin.deliberation.tasks.remind_overdue_action_items": ("SUCCESSFUL", 0),
        "youlin.jobs.tasks.recover_stale_jobs": ("SUCCESSFUL", {"failed": 0, "requeued": 0}),
        "youlin.notifications.tasks.send_daily_digests": ("SUCCESSFUL", 0),
    }
    assert {s: signal.getsignal(s) for s in WORKER_SIGNALS} != restore_signal_handlers  # the worker installed its own
