"""The job machinery with the 12345 import as its kind: small files at once, large ones in the worker, cancel,
retry from the stored file, and recovery of jobs whose worker died (a stale heartbeat)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from youlin.cases.imports.jobs import KIND, hotline_import_start
from youlin.cases.models import Case
from youlin.cases.tests.test_imports import as_csv, order
from youlin.jobs import kinds, services
from youlin.jobs.errors import JobError
from youlin.jobs.models import Job

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def start(user, rows, **kwargs) -> Job:
    return hotline_import_start(
        actor=user, community=None, filename="orders.csv", content=as_csv(rows).encode(), **kwargs
    )


def test_a_small_file_is_imported_at_once(users):
    job = start(users.spk_staff, [order(1), order(2)])
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 1
    assert (job.total_rows, job.processed_rows, job.created_count) == (2, 2, 2)
    assert job.result == {"dispatched": 2, "triage": 0}
    assert bytes(Job.objects.get(pk=job.pk).content) == b""  # done: the file (names, phones) is not kept


def spy_on_run(monkeypatch) -> list[tuple[bytes, bool]]:
    """What the job's row holds (its content, file_kept) when the kind's run starts, run by run."""
    kind = kinds.get(KIND)
    seen = []

    def spy(run):
        content, kept = Job.objects.values_list("content", "file_kept").get(pk=run.job.pk)
        seen.append((bytes(content), kept))
        return kind.run(run)

    monkeypatch.setitem(kinds._loaded, KIND, dataclasses.replace(kind, run=spy))
    return seen


def test_a_job_run_at_once_never_writes_its_file(users, monkeypatch):
    """The file is held in memory while a small file (or the command line's) is imported: no row carries the
    residents' names and phones, and a city-year of history is not written twice."""
    seen = spy_on_run(monkeypatch)
    job = start(users.spk_staff, [order(1), order(2)])
    assert job.status == Job.Status.SUCCEEDED and job.created_count == 2
    assert seen == [(b"", False)]
    assert not Job.objects.get(pk=job.pk).file_kept


def test_a_queued_job_stores_its_file_for_the_worker(users, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS = 1
    seen = spy_on_run(monkeypatch)
    rows = [order(1), order(2)]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(users.spk_staff, rows)
    assert seen == [(as_csv(rows).encode(), True)]
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and bytes(job.content) == b"" and not job.file_kept


def test_a_failed_or_cancelled_job_keeps_its_file_for_a_retry(users):
    job = start(users.spk_staff, [order(1), order(2, called_at="x")])
    assert job.status == Job.Status.FAILED
    assert bytes(Job.objects.get(pk=job.pk).content) == as_csv([order(1), order(2, called_at="x")]).encode()


def test_a_large_file_is_queued_and_run_by_the_worker(users, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        job = start(users.spk_staff, [order(n) for n in range(1, 6)])
        assert job.status == Job.Status.PENDING  # not run in the request
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.created_count == 5 and job.processed_rows == 5


def test_a_refused_file_keeps_its_report_and_a_retry_runs_the_stored_file_again(users):
    job = start(users.spk_staff, [order(1), order(2, called_at="x")])
    assert job.status == Job.Status.FAILED and [e["row"] for e in job.errors] == [3]
    assert not Case.objects.exists()
    again = services.job_retry(actor=users.spk_staff, job=job)
    assert again.status == Job.Status.FAILED and again.attempts == 1  # the same file, the same report
    with pytest.raises(JobError):
        services.job_cancel(actor=users.spk_staff, job=again)


def test_cancel_stops_a_waiting_job_and_retry_runs_it(users, settings, django_capture_on_commit_callbacks):
    settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):
        job = start(users.spk_staff, [order(1), order(2)])
    cancelled = services.job_cancel(actor=users.spk_staff, job=job)
    assert cancelled.status == Job.Status.CANCELLED
    assert services.job_run(job.pk) == Job.Status.CANCELLED  # the queued task finds it cancelled
    assert not Case.objects.exists()
    done = services.job_retry(actor=users.spk_staff, job=cancelled, background=False)
    assert done.status == Job.Status.SUCCEEDED and Case.objects.count() == 2
    assert bytes(Job.objects.get(pk=job.pk).content) == b""


def test_a_cancel_during_the_run_writes_nothing(users, monkeypatch):
    from youlin.cases.imports import plan as plan_module

    real = plan_module.plan_orders

    def cancelled_meanwhile(*args, **kwargs):
        plan = real(*args, **kwargs)
        Job.objects.filter(status=Job.Status.RUNNING).update(status=Job.Status.CANCELLED)
        return plan

    monkeypatch.setattr("youlin.cases.imports.write.plan_orders", cancelled_meanwhile)
    job = start(users.spk_staff, [order(1)])
    assert job.status == Job.Status.CANCELLED and not Case.objects.exists()
    # The run held the file; cancelled, it stored it, so the retry has it.
    assert Job.objects.get(pk=job.pk).file_kept
    monkeypatch.setattr("youlin.cases.imports.write.plan_orders", real)
    again = services.job_retry(actor=users.spk_staff, job=job, background=False)
    assert again.status == Job.Status.SUCCEEDED and Case.objects.count() == 1


def test_only_managers_of_the_community_may_cancel_or_retry(users):
    job = start(users.spk_staff, [order(1, called_at="x")])
    with pytest.raises(JobError) as caught:
        services.job_retry(actor=users.gy_secretary, job=job)
    assert caught.value.code == "permission_denied"


def test_the_sweep_requeues_a_job_whose_worker_died_then_fails_it(users, settings, django_capture_on_commit_callbacks):
    settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):
        job = start(users.spk_staff, [order(1), order(2)])
    # A worker claimed it and died: running, its heartbeat twenty minutes old.
    old = timezone.now() - timedelta(minutes=20)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=old, started_at=old)
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_recover_stale() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2 and Case.objects.count() == 2
    # Out of attempts (a worker's job, its file stored): failed, with a message that says what happened.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=3, heartbeat_at=old, content=b"orders", file_kept=True
    )
    assert services.jobs_recover_stale() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "3" in job.message
    # A job with a fresh heartbeat is left alone.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert services.jobs_recover_stale() == {"requeued": 0, "failed": 0}


def test_the_sweep_fails_a_job_whose_process_died_with_its_file(users, client):
    """A job run at once (the command line, a small file) whose process was killed: its file was never stored,
    so the sweep says so instead of queueing a run that has nothing to read, and no retry is offered."""
    job = start(users.spk_staff, [order(1), order(2)])
    old = timezone.now() - timedelta(minutes=20)
    # As the killed process left it: claimed, running, the file only in its memory.
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=old, started_at=old, content=b"", file_kept=False
    )
    assert services.jobs_recover_stale() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "重新上传" in job.message and not job.can_retry
    with pytest.raises(JobError) as caught:
        services.job_retry(actor=users.spk_staff, job=job)
    assert caught.value.code == "illegal_transition" and "重新上传" in str(caught.value.message)
    client.force_login(users.spk_staff)
    page = client.get(reverse("jobs:status", args=[job.pk]))
    assert page.status_code == 200 and b'data-testid="job-retry"' not in page.content
    # A failed job that kept its file offers the retry.
    kept = start(users.spk_staff, [order(3, called_at="x")])
    page = client.get(reverse("jobs:status", args=[kept.pk]))
    assert kept.can_retry and b'data-testid="job-retry"' in page.content


def test_the_sweep_is_registered_as_a_periodic_task():
    from youlin.scheduling import periodic

    assert periodic.Periodic("youlin.jobs.tasks.recover_stale_jobs", 60) in periodic.discover()


def _held(status=Job.Status.PENDING) -> Job:
    """A job as ``job_start`` leaves it for a run at once: recorded, its file only in this process's memory."""
    from youlin.places.models import Community

    community = Community.objects.get(name="手帕口南街社区")
    return Job.objects.create(
        kind=KIND, community=community, filename="orders.csv", content=b"", file_kept=False, status=status
    )


def test_a_job_cancelled_before_its_run_starts_keeps_the_file_held(users):
    file = as_csv([order(1)]).encode()
    job = _held(Job.Status.CANCELLED)
    assert services.job_run(job.pk, file=file) == Job.Status.CANCELLED
    job.refresh_from_db()
    assert job.file_kept and bytes(job.content) == file and job.can_retry


def test_a_refusal_after_a_cancel_meanwhile_keeps_the_file(users, monkeypatch):
    """The kind refuses the file just as someone cancels the job: the cancel stands, the file is kept."""
    from youlin.domain.errors import DomainError

    def cancelled_then_refused(run):
        Job.objects.filter(pk=run.job.pk).update(status=Job.Status.CANCELLED)
        raise DomainError("invalid_input", "refused")

    monkeypatch.setitem(kinds._loaded, KIND, dataclasses.replace(kinds.get(KIND), run=cancelled_then_refused))
    job = start(users.spk_staff, [order(1)])
    assert job.status == Job.Status.CANCELLED and job.file_kept and job.can_retry
    assert bytes(job.content) == as_csv([order(1)]).encode()


def test_an_interrupted_run_at_once_fails_with_its_file_kept(users, monkeypatch):
    """Ctrl-C on the command line, or a web worker's timeout (SystemExit): the job says so and keeps the file."""

    def interrupted(run):
        raise KeyboardInterrupt

    monkeypatch.setitem(kinds._loaded, KIND, dataclasses.replace(kinds.get(KIND), run=interrupted))
    with pytest.raises(KeyboardInterrupt):
        start(users.spk_staff, [order(1)])
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.file_kept and job.can_retry and "重试" in job.message
    assert bytes(job.content) == as_csv([order(1)]).encode()


def test_a_run_the_sweep_gave_up_on_keeps_its_file_and_says_retry(users, monkeypatch):
    """A run at once longer than the lease: the sweep fails it as dead (no file to run again); the run then finds
    its job no longer its own, writes nothing, and stores the file, with a message that offers the retry."""

    def outlived(run):
        old = timezone.now() - timedelta(minutes=20)
        Job.objects.filter(pk=run.job.pk).update(heartbeat_at=old)
        assert services.jobs_recover_stale() == {"requeued": 0, "failed": 1}
        run.check()  # raises JobCancelled: the job is no longer this run's

    monkeypatch.setitem(kinds._loaded, KIND, dataclasses.replace(kinds.get(KIND), run=outlived))
    job = start(users.spk_staff, [order(1)])
    assert job.status == Job.Status.FAILED and job.file_kept and job.can_retry
    assert "重新上传" not in job.message and "重试" in job.message
    assert not Case.objects.exists()
