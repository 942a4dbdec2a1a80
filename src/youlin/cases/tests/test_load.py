"""``youlin hotline load DIR``: history at bulk speed. What it writes is what plain imports of the same files write;
on PostgreSQL the indexes and foreign keys it drops come back as they were, an interrupted load is finished by
``--finish``, and a load refuses to start while one is unfinished."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from youlin.cases.errors import CaseError
from youlin.cases.imports import load
from youlin.cases.imports.jobs import hotline_import_start
from youlin.cases.tests.test_import_equivalence import as_csv, every_kind, order, snapshot
from youlin.jobs.models import Job

# Transactional: the load commits per file, from other processes and connections than the test's.
pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk mode is PostgreSQL's")

SLUGS = ("shoupakou-nanjie", "fuwai-dong", "gangyuan")


def files() -> dict[str, list[dict]]:
    return {
        "shoupakou-nanjie": every_kind(),
        # Orders sent to other communities: placed there or not at all (triage), routed there.
        "fuwai-dong": [order(100 + n, 诉求地址=f"阜外东{n}号", 诉求内容=f"路灯不亮，第 {n} 单") for n in range(12)],
        "gangyuan": [order(200 + n) for n in range(5)],
    }


def numbers() -> list[str]:
    return [row["工单编号"] for rows in files().values() for row in rows]


def write_files(directory: Path) -> Path:
    for slug, rows in files().items():
        (directory / f"{slug}.csv").write_text(as_csv(rows), encoding="utf-8")
    return directory


class _Undo(Exception):
    pass


def plain_imports(directory: Path) -> dict:
    """What ``youlin hotline import`` writes for each file, one after another (then rolled back, counters too)."""
    found = {}
    try:
        with transaction.atomic():
            for path in sorted(directory.iterdir()):
                job = hotline_import_start(
                    actor=None, community=path.stem, filename=path.name, content=path.read_bytes(), background=False
                )
                assert job.status == Job.Status.SUCCEEDED, (path.stem, job.message, job.errors)
            found = snapshot(numbers())
            raise _Undo
    except _Undo:
        pass
    return found


def schema() -> dict:
    """Every index and constraint of the tables the import writes, as PostgreSQL would recreate them."""
    tables = [m._meta.db_table for m in load.WRITTEN]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated, c.condeferrable, "
            "c.condeferred FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s)",
            [tables],
        )
        constraints = sorted(cursor.fetchall())
    return {"indexes": indexes, "constraints": constraints}


def moments(found, first: datetime, last: datetime):
    """``found`` with every time from ``first`` to ``last`` replaced by one mark."""
    if isinstance(found, dict):
        return {key: moments(value, first, last) for key, value in found.items()}
    if isinstance(found, list | tuple):
        return type(found)(moments(value, first, last) for value in found)
    if isinstance(found, datetime) and first <= found <= last:
        return "the moment of the import"
    return found


@pytest.mark.parametrize("processes", [1, 2])
def test_the_load_writes_what_plain_imports_write(demo, clock, tmp_path, processes):
    directory = write_files(tmp_path)
    expected = plain_imports(directory)
    assert len(expected) == len(numbers())
    done = []
    started = datetime.now(UTC)
    result = load.load_files(directory, processes=processes, report=done.append)
    ended = datetime.now(UTC)
    assert sorted(f.community for f in done) == sorted(SLUGS)
    assert not result.failed
    assert result.orders == len(numbers())
    loaded = snapshot(numbers())
    if processes > 1 and load.bulk():
        # Spawned workers run on the real clock, not the test's: what the import stamps with "now" is compared as
        # taken during the load (and at the test's moment in the plain imports), everything else as it is.
        expected = moments(expected, clock(), clock())
        loaded = moments(loaded, started, ended)
    assert loaded.keys() == expected.keys()
    for number in expected:
        for part in ("case", "events", "assignments", "followers"):
            assert loaded[number][part] == expected[number][part], (number, part)
    kinds = {e["kind"] for case in loaded.values() for e in case["events"]}
    assert kinds == {"registered", "routed", "dispatched", "closed", "followed_up"}
    assert not load.unfinished()


@postgresql_only
def test_the_schema_is_as_before_and_was_lighter_during_the_load(demo, clock, tmp_path):
    before = schema()
    during = []
    load.load_files(write_files(tmp_path), processes=2, report=lambda done: during.append(schema()))
    assert schema() == before
    dropped = {name for _t, name, _d in before["indexes"]} - {name for _t, name, _d in during[0]["indexes"]}
    assert "case_event_timeline" in dropped and "case_keyset" in dropped
    assert "case_unique_hotline_number" not in dropped  # the import reads it; unique indexes stay
    # ...but for the keys unique by construction, the costliest to keep (random keys), added back as they were.
    unique = {c[2] for c in before["constraints"]} - {c[2] for c in during[0]["constraints"]}
    assert {"UNIQUE (number)", "UNIQUE (tracking_token)"} <= unique
    assert not [c for c in during[0]["constraints"] if c[2].startswith("FOREIGN KEY")]
    assert [c for c in before["constraints"] if c[2].startswith("FOREIGN KEY")]


@postgresql_only
def test_an_interrupted_load_is_finished_and_blocks_another(demo, clock, tmp_path, monkeypatch):
    before = schema()
    directory = write_files(tmp_path)

    def fail(*args, **kwargs):
        raise RuntimeError("the machine went down")

    err = io.StringIO()
    with monkeypatch.context() as patched:
        patched.setattr(load, "_load_all", fail)
        with pytest.raises(RuntimeError):
            call_command("hotline", "load", str(directory), stdout=io.StringIO(), stderr=err)
    assert "youlin hotline load --finish" in err.getvalue()
    assert load.unfinished()
    assert schema() != before
    with pytest.raises(CaseError):
        load.load_files(directory)
    with pytest.raises(CommandError, match="--finish"):
        call_command("hotline", "load", str(directory), stdout=io.StringIO())
    out = io.StringIO()
    call_command("hotline", "load", "--finish", stdout=out)
    assert not load.unfinished()
    assert schema() == before
    call_command("hotline", "load", str(directory), stdout=io.StringIO())  # and a load runs again
    assert len(snapshot(numbers())) == len(numbers())


@postgresql_only
def test_a_finish_stopped_while_checking_the_keys_is_carried_on(demo, clock, tmp_path, monkeypatch):
    """The keys are added back unchecked, then checked table by table: a stop in between leaves keys that
    ``--finish`` checks, and the schema ends as it was (validated, not just present)."""
    before = schema()

    def fail(*args, **kwargs):
        raise RuntimeError("the machine went down")

    with monkeypatch.context() as patched:
        patched.setattr(load, "_validate_keys", fail)
        with pytest.raises(RuntimeError):
            load.load_files(write_files(tmp_path), processes=1)
    assert load.unfinished()
    unchecked = [c for c in schema()["constraints"] if c[2].startswith("FOREIGN KEY") and not c[3]]
    assert unchecked  # present, NOT VALID
    call_command("hotline", "load", "--finish", stdout=io.StringIO())
    assert not load.unfinished()
    assert schema() == before


def test_the_command_reports_each_file_and_a_summary(demo, clock, tmp_path):
    out = io.StringIO()
    call_command("hotline", "load", str(write_files(tmp_path)), "--processes", "1", stdout=out)
    text = out.getvalue()
    for slug, rows in files().items():
        assert f"{slug}：新增 {len(rows)} 件" in text
    assert f"共 {len(SLUGS)} 个文件，新增 {len(numbers())} 件" in text


def test_a_file_named_for_no_community_is_refused_before_anything(demo, tmp_path):
    write_files(tmp_path)
    (tmp_path / "nowhere.csv").write_text(as_csv([order(900)]), encoding="utf-8")
    with pytest.raises(CommandError, match="nowhere"):
        call_command("hotline", "load", str(tmp_path), stdout=io.StringIO())
    assert not load.unfinished()
    assert snapshot(numbers()) == {}
