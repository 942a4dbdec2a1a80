"""Background work of ledgers: large imports (the page polls the ``LedgerImport`` row for progress)."""

from __future__ import annotations

from django_tasks import task

from youlin.ledgers.imports import run_import


@task()
def import_ledger(job_id: int) -> str:
    return run_import(job_id)
