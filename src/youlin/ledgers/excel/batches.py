"""Writing a checked import in batches, all rows or none, without holding the database for the whole file.

A large import is checked first (``plan_import``: reads only, outside any transaction). The writes then go in
batches of ``YOULIN_LEDGER_IMPORT_BATCH_ROWS`` rows, each batch its own short transaction, so on SQLite (one
writer at a time) other requests get the write lock between batches instead of waiting out the whole file and
failing with "database is locked".

All or nothing is kept by undoing, not by one long transaction:

- each batch first checks that the entries it updates are as the plan read them (``updated_at``); an entry
  changed meanwhile by someone else fails the import (``LedgerImportConflict``) rather than overwrite them;
- entries without a 序号 are numbered inside each batch under the ledger's row lock, after every 序号 the file
  itself uses, so a person adding an entry meanwhile never takes a number the import needs;
- every batch records, in the same transaction, what it did (``remember``: the ids it created), so what was
  committed and the record of it never disagree;
- if anything fails (a batch, a cancel, the database), the batches already written are undone in one
  transaction: created entries deleted, updated entries given back the values the plan read; the job fails and
  says nothing was imported. The last batch commits together with ``finish`` (the job's success).
- a worker killed between batches cannot undo: the next run of the job (the recovery sweep queues it again)
  first deletes the entries the record lists (``undo_recorded``), then imports the file afresh; updates already
  written are the file's own values, so the new run finds them unchanged.

Readers may see a partly imported ledger for the seconds the batches take; that is the price of not locking the
database for the whole file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.excel.importing import ENTRY_FIELDS, ImportResult, Plan
from youlin.ledgers.models import LedgerEntry
from youlin.ledgers.services.checks import lock_ledger

logger = logging.getLogger(__name__)


def batch_rows() -> int:
    return max(1, int(settings.YOULIN_LEDGER_IMPORT_BATCH_ROWS))


def conflict() -> LedgerError:
    return LedgerError(
        LedgerErrorCode.ILLEGAL_TRANSITION,
        _("导入期间有人修改了台账中的条目，为避免覆盖，本次未导入任何数据。请刷新后重新导入。"),
    )


class _Undo:
    def __init__(self):
        self.created: list[int] = []
        self.updated: dict[int, dict[str, Any]] = {}

    def run(self) -> None:
        """Give the ledger back as it was before the first batch; retried, as the database may be busy."""
        if not self.created and not self.updated:
            return
        for attempt in range(5):
            try:
                with transaction.atomic():
                    LedgerEntry.objects.filter(pk__in=self.created).delete()
                    for pk, values in self.updated.items():
                        LedgerEntry.objects.filter(pk=pk).update(**values)
                return
            except Exception:
                logger.exception("undoing a ledger import (attempt %d)", attempt + 1)
                if attempt == 4:
                    raise
                time.sleep(1 + attempt)


def undo_recorded(created: list[int] | None) -> int:
    """Delete the entries a killed run created (its record, see ``remember``); the number deleted."""
    if not created:
        return 0
    deleted, _by_model = LedgerEntry.objects.filter(pk__in=created).delete()
    return deleted


def write_in_batches(
    plan: Plan,
    *,
    remember: Callable[[list[int]], None],
    between: Callable[[int], None] | None = None,
    finish: Callable[[ImportResult], None] | None = None,
    size: int | None = None,
) -> ImportResult:
    """Write ``plan`` in batches (see the module's docstring). ``remember(created_ids)`` runs inside each batch's
    transaction, ``between(rows_written)`` after each batch commits (progress, cancel), ``finish(result)`` inside
    the last batch's transaction. Raises what failed, after undoing every batch already written."""
    size = size or batch_rows()
    work: list[tuple[bool, LedgerEntry]] = [(False, e) for e in plan.updates] + [(True, e) for e in plan.creates]
    numbered_from = max((e.seq for e in plan.creates if e.seq), default=0)
    result = ImportResult(unchanged=plan.unchanged)
    undo = _Undo()
    try:
        if not work:
            with transaction.atomic():
                if finish is not None:
                    finish(result)
            return result
        for start in range(0, len(work), size):
            batch = work[start : start + size]
            last = start + size >= len(work)
            with transaction.atomic():
                _write_batch(plan, batch, numbered_from, result, undo)
                remember(undo.created)
                if last and finish is not None:
                    finish(result)
            if between is not None and not last:
                between(start + len(batch))
    except BaseException:
        undo.run()
        raise
    return result


def _write_batch(plan: Plan, batch, numbered_from: int, result: ImportResult, undo: _Undo) -> None:
    ledger = lock_ledger(plan.ledger)  # numbering and the checks below hold until this batch commits
    creates = [e for is_new, e in batch if is_new]
    updates = [e for is_new, e in batch if not is_new]
    if updates:
        stored = dict(LedgerEntry.objects.filter(pk__in=[e.pk for e in updates]).values_list("pk", "updated_at"))
        if any(stored.get(e.pk) != plan.before[e.pk]["updated_at"] for e in updates):
            raise conflict()
    unnumbered = [e for e in creates if not e.seq]
    if unnumbered:
        highest = LedgerEntry.objects.filter(ledger=ledger).aggregate(m=Max("seq"))["m"] or 0
        next_seq = max(highest, numbered_from) + 1
        for entry in unnumbered:
            entry.seq = next_seq
            next_seq += 1
    created = LedgerEntry.objects.bulk_create(creates)
    undo.created.extend(e.pk for e in created)
    if updates:
        LedgerEntry.objects.bulk_update(updates, [*ENTRY_FIELDS, "updated_at"])
        for entry in updates:
            undo.updated[entry.pk] = plan.before[entry.pk]
    result.created += len(created)
    result.updated += len(updates)
    result.entries.extend(created + updates)
