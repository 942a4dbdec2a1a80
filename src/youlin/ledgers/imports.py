"""Ledger uploads as jobs: a small file is imported at once, a large one by a background worker while the page
polls the job's status row (``LedgerImport``) for progress and, in the end, the per-row report."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youlin.ledgers.errors import LedgerError, LedgerImportError
from youlin.ledgers.excel import TABLE, count_rows, ledger_import, plan_import, read_sheet
from youlin.ledgers.models import Ledger, LedgerImport
from youlin.ledgers.services.checks import require_manager

Status = LedgerImport.Status


def sync_row_limit() -> int:
    """Files with more data rows than this are imported in the background (with a progress bar)."""
    return int(getattr(settings, "YOULIN_LEDGER_IMPORT_SYNC_ROWS", 300))


@transaction.atomic
def ledger_import_start(*, actor, ledger: Ledger, filename: str, content: bytes) -> LedgerImport:
    """Record an upload. A small file is imported before this returns; a large one is queued (after commit)."""
    require_manager(actor, ledger.community_id, gettext("导入台账"))
    if not content:
        raise LedgerError.invalid(_("文件是空的，请重新选择。"), field="file")
    if len(content) > TABLE.max_bytes():
        raise LedgerError.invalid(TABLE.too_large(), field="file")
    job = LedgerImport.objects.create(ledger=ledger, actor=actor, filename=filename[:200], content=content)
    try:
        total = count_rows(content)
    except LedgerImportError as exc:
        _finish(job, errors=exc.errors, message=str(exc.message))
        return job
    job.total_rows = total
    job.save(update_fields=["total_rows"])
    if total <= sync_row_limit():
        run_import(job.pk)
        job.refresh_from_db()
    else:
        from youlin.ledgers.tasks import import_ledger

        transaction.on_commit(lambda: import_ledger.enqueue(job.pk))
    return job


def _finish(
    job: LedgerImport, *, errors=(), message: str = "", created: int = 0, updated: int = 0, failed: bool | None = None
) -> None:
    failed = bool(errors) if failed is None else failed
    job.status = Status.FAILED if failed else Status.SUCCEEDED
    job.errors = [e.as_dict() for e in errors]
    job.message = message
    job.created_count = created
    job.updated_count = updated
    job.finished_at = timezone.now()
    fields = ["status", "errors", "message", "created_count", "updated_count", "finished_at"]
    if not failed:
        job.processed_rows = job.total_rows
        fields.append("processed_rows")
    job.save(update_fields=fields)


def run_import(job_id: int) -> str:
    """Run one import job. Outside a request the rows are first checked with progress written to the job row
    (each update commits, so the page sees it); then the import itself runs, all rows or none."""
    job = LedgerImport.objects.select_related("ledger__community", "actor").get(pk=job_id)
    if job.is_finished:
        return job.status
    content = bytes(job.content)
    LedgerImport.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    background = job.total_rows > sync_row_limit()
    if background and not transaction.get_connection().in_atomic_block:

        def progress(n: int) -> None:
            LedgerImport.objects.filter(pk=job.pk).update(processed_rows=min(n, job.total_rows))

        try:
            plan = plan_import(ledger=job.ledger, sheet=read_sheet(content), progress=progress)
        except LedgerImportError as exc:
            _finish(job, errors=exc.errors, message=str(exc.message))
            return Status.FAILED
        if plan.errors:
            _finish(job, errors=plan.errors, message=str(LedgerImportError(plan.errors).message))
            return Status.FAILED
    try:
        result = ledger_import(actor=job.actor, ledger=job.ledger, file=content)
    except LedgerImportError as exc:
        _finish(job, errors=exc.errors, message=str(exc.message))
        return Status.FAILED
    except LedgerError as exc:
        _finish(job, message=str(exc.message), failed=True)
        return Status.FAILED
    _finish(
        job,
        message=gettext("已导入：新增 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条。")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
        created=result.created,
        updated=result.updated,
    )
    return Status.SUCCEEDED
