"""Every write to a job: start (a small file at once, a large one queued for the worker once the upload is
committed), run (progress and the heartbeat written in their own small transactions so the page sees them; a
cancel is honoured between batches), cancel, retry (from the stored file) and the recovery sweep for jobs whose
worker is gone. The file is stored only where a later run may need it (see ``Job``): ``_kept`` is that rule.

A run claims its job with a compare-and-swap on the status (``pending → running``, one more attempt); every
later write of that run names the attempt, so a worker that was presumed dead and comes back cannot overwrite
what a newer run or a cancel decided. The kind's writes and the job's success commit together
(``JobRun.succeed`` inside the kind's transaction): an import is done and recorded as done, or neither.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.domain.errors import DomainError
from youlin.domain.tabular import FileRefused
from youlin.domain.writes import actor_label, actor_user
from youlin.jobs import kinds
from youlin.jobs.errors import JobError, JobErrorCode
from youlin.jobs.kinds import Outcome
from youlin.jobs.models import Job

logger = logging.getLogger(__name__)
Status = Job.Status
PROGRESS_SECONDS = 0.5  # at most two progress writes a second


class JobCancelled(Exception):
    """The job was cancelled (or taken over by a newer run) while this run went on: stop, write nothing."""


def stale_seconds() -> int:
    return int(settings.YOULIN_JOB_STALE_SECONDS)


def max_attempts() -> int:
    return int(settings.YOULIN_JOB_MAX_ATTEMPTS)


def manages(actor, community_id: int) -> bool:
    """The command line (no actor) manages everything; a person, the communities they manage."""
    if actor is None:
        return True
    j = policy.jurisdiction_of(actor)
    return j.everything or community_id in j.manage_community_ids


def _require_manager(actor, job_or_community_id) -> None:
    community_id = getattr(job_or_community_id, "community_id", job_or_community_id)
    if not manages(actor, community_id):
        raise JobError(JobErrorCode.PERMISSION_DENIED, _("只有管理该社区的工作人员可以操作此任务。"))


def _kept(job: Job) -> dict:
    """The fields that store the job's file, if only this process holds it (a job run at once): for an update
    that ends the job without success or hands it to the worker, so a retry or the worker has the file."""
    return {} if job.file_kept else {"content": bytes(job.content), "file_kept": True}


def _keep_file(job: Job) -> None:
    """The job ended without success elsewhere while this process held its file (cancelled, or failed by the
    sweep as a run that had died): store the file all the same, so the retry has it."""
    if kept := _kept(job):
        mine = Job.objects.filter(pk=job.pk, file_kept=False)
        mine.filter(status=Status.CANCELLED).update(**kept)
        # The sweep's message said the file was not kept; it is now.
        mine.filter(status=Status.FAILED).update(**kept, message=gettext("导入被中断，未导入任何数据。请点“重试”。"))
        job.file_kept = True


# ---------------------------------------------------------------- one run


class JobRun:
    """What a kind's ``run`` gets: the job, and the calls that report progress and success."""

    def __init__(self, job: Job):
        self.job = job
        self.attempt = job.attempts
        self.finished = False
        self._last = 0.0

    def _mine(self):
        return Job.objects.filter(pk=self.job.pk, status=Status.RUNNING, attempts=self.attempt)

    def progress(self, processed: int, *, force: bool = False) -> None:
        """Rows done so far, and the heartbeat; raises ``JobCancelled`` once the job is no longer this run's.
        Throttled: a call within half a second of the last write does nothing (unless ``force``)."""
        clock = timezone.now().timestamp()
        if not force and clock - self._last < PROGRESS_SECONDS:
            return
        self._last = clock
        total = self.job.total_rows
        processed = min(processed, total) if total else 0
        if self._mine().update(processed_rows=processed, heartbeat_at=timezone.now()) != 1:
            raise JobCancelled
        self.job.processed_rows = processed

    def check(self) -> None:
        """Between batches: stop here if the job was cancelled (and beat the heart)."""
        if self._mine().update(heartbeat_at=timezone.now()) != 1:
            raise JobCancelled

    def remember(self, key: str, value) -> None:
        """Keep a kind's own note on the job (``params[key]``), in the caller's transaction: what a batched import
        has written so far, for the next run to undo if this one is killed. Raises ``JobCancelled`` once the
        job is no longer this run's (rolling the caller's transaction back)."""
        params = {**self.job.params, key: value}
        if self._mine().update(params=params, heartbeat_at=timezone.now()) != 1:
            raise JobCancelled
        self.job.params = params

    def succeed(self, outcome: Outcome) -> None:
        """Record success; call it inside the transaction of the kind's writes, so both commit or neither does.
        Raises ``JobCancelled`` (rolling those writes back) if the job was cancelled meanwhile."""
        changed = self._mine().update(
            status=Status.SUCCEEDED,
            content=b"",  # no longer needed: only a failed or cancelled job runs again (see the model)
            file_kept=False,
            processed_rows=self.job.total_rows,
            created_count=outcome.created,
            updated_count=outcome.updated,
            unchanged_count=outcome.unchanged,
            result=outcome.result,
            errors=[],
            message=str(outcome.message),
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
        )
        if changed != 1:
            raise JobCancelled
        self.finished = True

    def fail(self, *, message, errors=()) -> None:
        changed = self._mine().update(
            **_kept(self.job),
            status=Status.FAILED,
            errors=[e.as_dict() for e in errors],
            message=str(message),
            finished_at=timezone.now(),
        )
        if not changed:  # cancelled (or failed by the sweep) meanwhile: that decision stands, the file is kept
            _keep_file(self.job)
        self.finished = True


def job_run(job_id: int, *, file: bytes | None = None) -> str:
    """Run one job if it is waiting (claiming it first); returns its status afterwards. Called by the worker's
    task, or at once for a small file with ``file``, the file this process holds (not stored unless the job
    fails or is cancelled)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        processed_rows=0,
        errors=[],
        message="",
    )
    job = Job.objects.select_related("community", "actor").get(pk=job_id)
    if file is not None:
        job.content = file
    if not claimed:  # already run, running elsewhere, or cancelled before it started
        if file is not None:
            _keep_file(job)
        return job.status
    run = JobRun(job)
    try:
        outcome = kinds.get(job.kind).run(run)
        if not run.finished:
            run.succeed(outcome)
    except JobCancelled:
        _keep_file(job)  # cancelled while it ran here: keep the file for a retry
    except FileRefused as exc:
        run.fail(message=exc.message, errors=exc.errors)
    except DomainError as exc:
        run.fail(message=exc.message)
    except Exception:
        logger.exception("job %s failed", job_id)
        run.fail(message=gettext("导入时发生意外错误，未导入任何数据。请点“重试”；如仍失败，请联系管理员。"))
        raise
    except BaseException:  # interrupted (Ctrl-C on the command line, a web worker's timeout): keep the file
        run.fail(message=gettext("导入被中断，未导入任何数据。请点“重试”。"))
        raise
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def _count_and_dispatch(job: Job, *, background: bool | None) -> Job:
    """Count the file's rows (refusing an unreadable file at once), then run now or queue for the worker."""
    kind = kinds.get(job.kind)
    try:
        total = kind.count_rows(bytes(job.content))
    except FileRefused as exc:
        Job.objects.filter(pk=job.pk).update(
            **_kept(job),
            status=Status.FAILED,
            errors=[e.as_dict() for e in exc.errors],
            message=str(exc.message),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    Job.objects.filter(pk=job.pk).update(total_rows=total)
    job.total_rows = total
    if background is None:
        background = total > kind.sync_rows()
    if background:
        from youlin.jobs.tasks import run_job

        if kept := _kept(job):  # the worker reads the file from the job
            Job.objects.filter(pk=job.pk).update(**kept)
            job.file_kept = True
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    else:
        job_run(job.pk, file=bytes(job.content))
        job.refresh_from_db()
    return job


def job_start(
    *,
    actor,
    kind: str,
    community,
    filename: str,
    content: bytes,
    params: dict | None = None,
    background: bool | None = None,
) -> Job:
    """Record an upload as a job of ``kind`` for ``community`` and run it: at once when the file is small (or
    ``background=False``, as the command line asks), else in the worker after commit. The file is stored only if
    the worker or a retry will need it (``_kept``)."""
    _require_manager(actor, community.pk)
    if not content:
        raise JobError.invalid(_("文件是空的，请重新选择。"), field="file")
    kinds.get(kind)  # an unknown kind is a bug: fail before writing
    job = Job.objects.create(
        kind=kind,
        actor=actor_user(actor),
        actor_label=actor_label(actor, gettext("命令行")),
        community=community,
        filename=(filename or "")[:200],
        content=b"",
        file_kept=False,
        params=params or {},
    )
    job.content = content  # held here until a step needs it stored
    return _count_and_dispatch(job, background=background)


def job_cancel(*, actor, job: Job) -> Job:
    """Stop a waiting or running job. A run notices at its next batch and writes nothing."""
    _require_manager(actor, job)
    changed = Job.objects.filter(pk=job.pk, status__in=[Status.PENDING, Status.RUNNING]).update(
        status=Status.CANCELLED,
        message=gettext("已取消，未导入任何数据。"),
        finished_at=timezone.now(),
    )
    if not changed:
        raise JobError(JobErrorCode.ILLEGAL_TRANSITION, _("该任务已经结束，不能取消。请刷新页面查看结果。"))
    job.refresh_from_db()
    return job


def job_retry(*, actor, job: Job, background: bool | None = None) -> Job:
    """Run a failed or cancelled job again from the file it stored."""
    _require_manager(actor, job)
    if not job.file_kept:
        raise JobError(JobErrorCode.ILLEGAL_TRANSITION, _("原文件没有保存（导入中断于命令行或页面），请重新上传文件。"))
    changed = Job.objects.filter(pk=job.pk, status__in=[Status.FAILED, Status.CANCELLED], file_kept=True).update(
        status=Status.PENDING,
        attempts=0,
        processed_rows=0,
        created_count=0,
        updated_count=0,
        unchanged_count=0,
        result={},
        errors=[],
        message="",
        heartbeat_at=None,
        started_at=None,
        finished_at=None,
    )
    if not changed:
        raise JobError(JobErrorCode.ILLEGAL_TRANSITION, _("只有未完成或已取消的任务可以重试。"))
    job.refresh_from_db()
    return _count_and_dispatch(job, background=background)


def jobs_recover_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Find jobs whose worker is gone: running with a heartbeat older than the lease, or waiting so long that
    their queued task was probably lost. Queue them again (up to ``YOULIN_JOB_MAX_ATTEMPTS`` runs), else fail
    them with a message that says so; a job run at once whose process died has no file to run again: failed.
    Safe to run often: a re-queued run claims the job only if it still waits."""
    from youlin.jobs.tasks import run_job

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_seconds())
    counts = {"requeued": 0, "failed": 0}
    stale = Job.objects.filter(
        Q(status=Status.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=Status.PENDING, created_at__lt=cutoff) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    ).values_list("pk", "status", "attempts", "heartbeat_at", "file_kept")
    for pk, status, attempts, heartbeat, file_kept in list(stale[:200]):
        same = Job.objects.filter(pk=pk, status=status, attempts=attempts, heartbeat_at=heartbeat)
        if not file_kept:  # run at once by a process that is gone, its file with it: nothing to run again
            message = gettext("导入中断（导入它的进程已停止），未导入任何数据。原文件没有保存，请重新上传文件。")
            if same.update(status=Status.FAILED, message=message, finished_at=now):
                counts["failed"] += 1
            continue
        if status == Status.RUNNING and attempts >= max_attempts():
            message = gettext(
                "后台处理中断（工作进程已停止），已运行 %(n)d 次仍未完成，未导入任何数据。请点“重试”，或联系管理员。"
            ) % {"n": attempts}
            if same.update(status=Status.FAILED, message=message, finished_at=now):
                counts["failed"] += 1
            continue
        message = gettext("后台处理中断，已重新排队。") if status == Status.RUNNING else ""
        if same.update(status=Status.PENDING, heartbeat_at=now, message=message):
            transaction.on_commit(lambda pk=pk: run_job.enqueue(pk))
            counts["requeued"] += 1
    return counts
