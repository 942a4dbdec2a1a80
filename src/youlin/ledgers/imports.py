"""Ledger uploads as jobs (``youlin.jobs``, kind ``ledger_import``): a small file is imported at once, a large one
by the worker while the page polls the job for progress and, in the end, the per-row report."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.jobs.kinds import JobKind, Outcome
from youlin.jobs.models import Job
from youlin.jobs.services import JobRun, job_start
from youlin.ledgers.errors import LedgerError, LedgerImportError
from youlin.ledgers.excel import TABLE, count_rows, ledger_import, plan_import, read_sheet
from youlin.ledgers.excel.batches import undo_recorded, write_in_batches
from youlin.ledgers.models import Ledger
from youlin.ledgers.services.checks import require_manager

KIND = "ledger_import"
WRITTEN = "written"  # the job's record of the entries a batched run created (see excel.batches)


def sync_row_limit() -> int:
    """Files with more data rows than this are imported in the background (with a progress bar)."""
    return int(getattr(settings, "YOULIN_LEDGER_IMPORT_SYNC_ROWS", 300))


def ledger_import_start(*, actor, ledger: Ledger, filename: str, content: bytes) -> Job:
    """Record an upload. A small file is imported before this returns; a large one is queued (after commit)."""
    require_manager(actor, ledger.community_id, gettext("导入台账"))
    if not content:
        raise LedgerError.invalid(_("文件是空的，请重新选择。"), field="file")
    if len(content) > TABLE.max_bytes():
        raise LedgerError.invalid(TABLE.too_large(), field="file")
    return job_start(
        actor=actor,
        kind=KIND,
        community=ledger.community,
        filename=filename,
        content=content,
        params={"ledger": ledger.pk},
    )


def _outcome(result) -> Outcome:
    return Outcome(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        message=gettext("已导入：新增 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条。")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
    )


def _run(run: JobRun) -> Outcome:
    """A small file: checked and imported in one transaction with the job's success. A large one (in the
    worker): checked with progress written to the job, then written in batches, all or none
    (``excel.batches``: other writers get the database between batches)."""
    job = run.job
    ledger = Ledger.objects.select_related("community").get(pk=job.params["ledger"])
    content = bytes(job.content)
    if job.total_rows <= sync_row_limit():
        with transaction.atomic():
            outcome = _outcome(ledger_import(actor=job.actor, ledger=ledger, file=content))
            run.succeed(outcome)
        return outcome
    require_manager(job.actor, ledger.community_id, gettext("导入台账"))
    with transaction.atomic():
        undo_recorded(job.params.get(WRITTEN))  # what a killed run of this job left behind
        run.remember(WRITTEN, [])
    plan = plan_import(ledger=ledger, sheet=read_sheet(content), progress=run.progress)
    if plan.errors:
        raise LedgerImportError(plan.errors)
    run.check()
    outcome = None

    def finish(result) -> None:
        nonlocal outcome
        outcome = _outcome(result)
        run.remember(WRITTEN, [])
        run.succeed(outcome)

    try:
        write_in_batches(
            plan,
            remember=lambda created: run.remember(WRITTEN, created),
            between=lambda _rows: run.check(),
            finish=finish,
        )
    except BaseException:
        with contextlib.suppress(Exception):  # undone already; a cancelled job's record is not ours to write
            run.remember(WRITTEN, [])
        raise
    return outcome


LEDGER_IMPORT = JobKind(
    name=KIND,
    label=_("导入台账"),
    run=_run,
    count_rows=count_rows,
    sync_rows=sync_row_limit,
    done_url=lambda job: reverse("ledgers:ledger", args=[job.params["ledger"]]),
    again_url=lambda job: reverse("ledgers:import", args=[job.params["ledger"]]),
)
