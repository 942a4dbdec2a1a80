import signal
from datetime import UTC, datetime, timedelta

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
        periodic.Periodic("youlin.photos.tasks.sweep_orphan_files", 86400),
    ]


@pytest.fixture
def fake_task(monkeypatch):
    calls = []

    class FakeTask:
        @staticmethod
        def enqueue():
            calls.append("run")

    monkeypatch.setattr(periodic, "_load", lambda path: FakeTask)
    return calls


def test_enqueue_due_respects_intervals(db, fake_task):
    schedule = [periodic.Periodic("x.sweep", 60)]
    start = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert periodic.enqueue_due(schedule, start) == ["x.sweep"]
    assert periodic.enqueue_due(schedule, start + timedelta(seconds=30)) == []
    assert periodic.enqueue_due(schedule, start + timedelta(seconds=60)) == ["x.sweep"]
    assert fake_task == ["run", "run"]


def test_two_workers_enqueue_a_due_sweep_once(db, fake_task):
    """Two workers (on two nodes) look at the shared schedule in the same second: one enqueues, the other finds
    the interval taken, and records who did."""
    from youlin.scheduling.models import PeriodicClaim

    schedule = [periodic.Periodic("x.sweep", 300)]
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert periodic.enqueue_due(schedule, now, name="node-a:1") == ["x.sweep"]
    assert periodic.enqueue_due(schedule, now + timedelta(seconds=1), name="node-b:1") == []
    assert fake_task == ["run"]
    assert PeriodicClaim.objects.get(task_path="x.sweep").enqueued_by == "node-a:1"


@pytest.mark.django_db(transaction=True)
def test_a_sweep_still_queued_is_not_enqueued_again(settings):
    """A run that has not finished (a backlog, or a sweep slower than its interval) is never joined by a second
    one, whichever worker looks."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    schedule = [periodic.Periodic("youlin.cases.tasks.sweep_overdue", 300)]
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert periodic.enqueue_due(schedule, now, name="node-a:1") == ["youlin.cases.tasks.sweep_overdue"]
    later = now + timedelta(seconds=600)  # the interval has passed, but the first run still waits
    assert periodic.enqueue_due(schedule, later, name="node-b:1") == []
    assert DBTaskResult.objects.filter(task_path="youlin.cases.tasks.sweep_overdue").count() == 1


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
        "youlin.photos.tasks.sweep_orphan_files": ("SUCCESSFUL", 0),
    }
    assert {s: signal.getsignal(s) for s in WORKER_SIGNALS} != restore_signal_handlers  # the worker installed its own


def test_a_heartbeat_replaces_its_own_and_forgets_workers_gone_for_a_day(db, clock):
    from youlin.scheduling.models import WorkerHeartbeat
    from youlin.scheduling.selectors import newest_heartbeat_age

    assert newest_heartbeat_age() is None
    periodic.beat("node-a:1")
    periodic.beat("node-b:1")
    clock.advance(seconds=30)
    periodic.beat("node-b:1")
    assert WorkerHeartbeat.objects.count() == 2
    assert newest_heartbeat_age().total_seconds() == 0
    clock.advance(days=1, seconds=1)  # node A was killed: no clean stop removed its row
    periodic.beat("node-b:1")
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["node-b:1"]
