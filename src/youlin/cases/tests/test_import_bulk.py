"""The import's bulk rows (``cases.imports.bulk``) read back as written: date-times (in ``COPY``'s binary form on
PostgreSQL) with any offset, microseconds, the same object in many rows; text with the characters ``COPY``'s
text format would escape; JSON (jsonb's binary form); NULLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from youlin.cases.imports import bulk

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
COLUMNS = {"case_id": "id", "at": "time", "note": "text", "data": "json"}


def _read(at):
    if isinstance(at, str):  # SQLite keeps the text Django's adapter wrote (UTC, no offset)
        at = datetime.fromisoformat(at)
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return at


def test_staged_rows_read_back_as_written():
    now = datetime.now(UTC)
    times = [
        now,
        now,  # the same object again
        datetime(2026, 10, 1, 9, 30, tzinfo=LOCAL),
        datetime(2026, 10, 1, 9, 30, 0, 123456, tzinfo=LOCAL),
        datetime(1900, 1, 1, 12, 0, tzinfo=LOCAL),  # local mean time: an offset of +08:05:43
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
        None,
    ]
    notes = ["a\tb", "line\nnext", "back\\slash", "\\N", "cr\rlf\r\n", "", "楼道堆物，影响通行", "'=1+1"]
    data = ['{"a": "x\\ty", "b": [1, 2.5, null], "c": "\\\\"}', "{}", '{"n": "第\\n行"}'] + ["{}"] * 5
    rows = [(i + 1, at, note, json) for i, (at, note, json) in enumerate(zip(times, notes, data, strict=True))]
    with transaction.atomic(), bulk.staging("youlin_bulk_test", COLUMNS, rows) as table, connection.cursor() as c:
        c.execute(f"SELECT case_id, at, note, data FROM {table} ORDER BY case_id")  # noqa: S608 - fixed name
        found = c.fetchall()
        if connection.vendor == "postgresql":  # JSON objects, not strings holding JSON
            c.execute(f"SELECT DISTINCT jsonb_typeof(data) FROM {table}")  # noqa: S608 - fixed name
            assert c.fetchall() == [("object",)]
    assert [r[0] for r in found] == [r[0] for r in rows]
    assert [_read(r[1]) for r in found] == times
    assert [r[2] for r in found] == notes
    assert [json.loads(r[3]) if isinstance(r[3], str) else r[3] for r in found] == [json.loads(d) for d in data]


def test_reserved_ids_are_new_ascending_and_the_table_goes_on_after_them(users):
    """The ids an import writes its cases with: distinct, ascending, above every id given so far; on PostgreSQL
    they come from the table's sequence, so a case registered afterwards (the table's default) gets a larger one
    (SQLite's counter moves on when the rows are written, under the write lock the import holds)."""
    from youlin.cases.models import Case
    from youlin.cases.tests.factories import register

    before = register(users.spk_grid).pk
    with transaction.atomic():
        ids = bulk.reserve_ids(Case, 1000)
        assert len(set(ids)) == 1000 and ids == sorted(ids) and ids[0] > before
        assert bulk.reserve_ids(Case, 0) == []
    if connection.vendor == "postgresql":
        assert register(users.spk_grid).pk > ids[-1]
