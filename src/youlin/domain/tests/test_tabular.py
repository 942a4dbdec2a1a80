"""The shared tabular pipeline: .xlsx and CSV, headers by alias in any order, a per-row report, limits from
settings, blank lines, unknown columns, and each import's refusal carrying the report."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from youlin.cases.errors import CaseError
from youlin.cases.imports import HotlineImportError
from youlin.domain.errors import DomainError
from youlin.domain.tabular import CellError, Column, FileRefused, RowError, Table, cell_text, header_key
from youlin.ledgers.errors import LedgerError, LedgerImportError


class Refused(FileRefused):
    def __init__(self, errors):
        super().__init__("import_refused", f"{len(errors)} problem(s)", errors)


def _positive(value) -> int:
    try:
        number = int(cell_text(value))
    except ValueError:
        number = 0
    if number <= 0:
        raise CellError("a positive whole number")
    return number


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(cell_text(value))
    except ValueError:
        raise CellError("a date like 2024-05-01") from None


TABLE = Table(
    columns=(
        Column("number", ("number", "编号"), parse=_positive, required=True, blank="the number is missing"),
        Column("title", ("title", "标题"), required=True, blank="the title is missing"),
        Column("due", ("due_on", "期限"), parse=_day),
        Column("link", ("link", "链接"), data=False),
    ),
    refused=Refused,
    rows_setting="TEST_TABLE_MAX_ROWS",
    bytes_setting="TEST_TABLE_MAX_BYTES",
)
XLSX_ONLY = Table(
    columns=TABLE.columns,
    refused=Refused,
    rows_setting="TEST_TABLE_MAX_ROWS",
    bytes_setting="TEST_TABLE_MAX_BYTES",
    formats=("xlsx",),
    anchors=("number", "title"),
)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.TEST_TABLE_MAX_ROWS = 100
    settings.TEST_TABLE_MAX_BYTES = 100_000


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_all(table: Table, source):
    reading = table.reading(table.read(source))
    return reading, list(reading.rows())


def test_headers_match_by_alias_spelling_and_order():
    assert header_key("Due On") == header_key("due_on") == header_key(" due-on ")
    assert header_key("\ufeff编号（旧）") == header_key("编号(旧)")
    reading, rows = read_all(TABLE, "期限, Title ,NUMBER\n2024-05-01,Fix the gate,7\n")
    assert reading.positions == {"due": 0, "title": 1, "number": 2}
    assert (rows[0].number, rows[0]["number"], rows[0]["title"], rows[0]["due"]) == (
        2,
        7,
        "Fix the gate",
        date(2024, 5, 1),
    )


def test_every_problem_is_reported_by_row_and_column_name():
    text = "number,title,due_on\n1,ok,2024-05-01\n-2,,someday\n\n3,fine,\n"
    reading, rows = read_all(TABLE, text)
    problems = {(e.row, e.column, e.reason) for r in rows for e in r.errors}
    assert problems == {
        (3, "number", "a positive whole number"),
        (3, "title", "the title is missing"),
        (3, "due_on", "a date like 2024-05-01"),
    }
    assert [r.number for r in rows] == [2, 3, 5]  # the blank line 4 is skipped, numbering is kept
    assert rows[2]["due"] is None and rows[2].ok


def test_a_missing_required_column_is_reported_on_the_header_row_and_no_row_is_read():
    reading, rows = read_all(TABLE, "title,due_on\nx,2024-05-01\n")
    assert rows == []
    assert reading.errors == [RowError(1, "number", "缺少此列。")]


def test_an_xlsx_sheet_with_a_title_row_and_typed_cells():
    content = xlsx([["Tasks of May"], [], ["编号", "标题", "期限", "链接"], [1, "gate", datetime(2024, 5, 2), None]])  # noqa: DTZ001 - cells are naive
    reading, rows = read_all(XLSX_ONLY, content)
    assert reading.sheet.header_row == 3
    assert (rows[0].number, rows[0]["number"], rows[0]["due"]) == (4, 1, date(2024, 5, 2))


def test_a_row_with_only_export_columns_is_blank():
    content = xlsx([["编号", "标题", "链接"], [None, None, "2 photos"], [2, "kept", None]])
    _reading, rows = read_all(XLSX_ONLY, content)
    assert [r.number for r in rows] == [3]


def test_an_xlsx_only_table_refuses_other_files_and_one_without_its_header():
    with pytest.raises(Refused) as caught:
        XLSX_ONLY.read(b"number,title\n1,x\n")
    assert caught.value.errors[0].row == 1 and ".xlsx" in caught.value.errors[0].reason
    with pytest.raises(Refused) as caught:
        XLSX_ONLY.read(xlsx([["something else"]] * 12))
    assert "“number”“title”" in caught.value.errors[0].reason


def test_csv_in_gb18030_is_read_and_unknown_columns_can_be_kept():
    keeping = Table(
        columns=TABLE.columns,
        refused=Refused,
        rows_setting="TEST_TABLE_MAX_ROWS",
        bytes_setting="TEST_TABLE_MAX_BYTES",
        keep_unknown=True,
    )
    content = "编号,标题,来电人\n5,楼道堆物,张先生\n".encode("gb18030")
    _reading, rows = read_all(keeping, content)
    assert (rows[0]["title"], rows[0].extra) == ("楼道堆物", {"来电人": "张先生"})


def test_limits_come_from_settings(settings):
    settings.TEST_TABLE_MAX_ROWS = 2
    with translation.override("en"):
        reading, rows = read_all(TABLE, "number,title\n1,a\n2,b\n3,c\n4,d\n")
    assert len(rows) == 2
    assert [(e.row, e.column) for e in reading.errors] == [(4, "")]
    assert reading.errors[0].reason == "You can import at most 2 rows at a time. Please import in batches."
    settings.TEST_TABLE_MAX_BYTES = 10
    with pytest.raises(Refused) as caught, translation.override("en"):
        TABLE.read(b"number,title\n1,a\n")
    assert caught.value.errors[0].reason == "The file is larger than 1 MB. Please split it and import in batches."


def test_dict_rows_by_header_or_key_and_the_report_order():
    sheet = TABLE.sheet_from_dicts([{"number": 1, "title": "a"}, {"编号": "x", "due": "2024-13-01"}])
    reading = TABLE.reading(sheet)
    errors = [e for row in reading.rows() for e in row.errors]
    assert [(e.row, e.column) for e in TABLE.sort(reversed(errors))] == [(3, "number"), (3, "title"), (3, "due_on")]


def test_each_imports_refusal_is_its_apps_error_and_carries_the_report():
    errors = [RowError(2, "问题位置", "x")]
    ledger = LedgerImportError(errors)
    assert isinstance(ledger, LedgerError) and isinstance(ledger, FileRefused) and isinstance(ledger, DomainError)
    assert (ledger.code, ledger.errors) == ("import_refused", errors)
    hotline = HotlineImportError(errors * 2)
    assert isinstance(hotline, CaseError) and hotline.code == "invalid_input" and len(hotline.errors) == 2


def test_refusals_count_their_problems_in_english_with_plurals():
    with translation.override("en"):
        assert str(LedgerImportError([RowError(2, "a", "x")]).message).startswith("The file has 1 problem,")
        assert str(LedgerImportError([RowError(2, "a", "x")] * 3).message).startswith("The file has 3 problems,")
        assert str(HotlineImportError([RowError(2, "a", "x")]).message).startswith("The import file has 1 problem,")


def test_csv_cells_read_as_text_give_what_the_generic_cell_path_gives():
    """A CSV's cells are all text, so its rows skip ``cell_text`` (``strip`` is what it does to a str) and the
    apostrophe check of cells that cannot have one: the rows, their values, reports and unknown columns are those
    of the generic path, whatever the file holds."""
    from youlin.cases.imports import TABLE as HOTLINE

    header = (
        "\ufeff工单编号,来电时间,诉求人,联系电话,诉求地址,诉求内容,诉求类型,承办单位,办理时限,办理状态,办结时间,区县\n"
    )
    lines = [
        'A1,2026-11-01 09:30, 王** ,138****1234,"手帕口南街36号院, 甲楼","楼道堆物，""影响通行""\n第二行",城乡建设,广外街道,5个工作日,,,西城区',
        "A2,2026/11/01 09:30,,'13800138000,a\\b\tc,'=SUM(1),''quoted,街道, 24小时 ,办结,2026-11-02 10:00,",
        "A3,someday,,,,,,,,,,",  # bad date, blank content
        ",,,,,,,,,,,",  # a blank line of cells
        "A4,2026-11-01 09:30",  # a short row
        "A5,2026-11-01 09:30,,,,内容,,,2026-10-01 08:00,已受理,2026-11-03 10:00,,extra cell",
        "A1,2026-11-01T09:30:00+08:00,,,,内容,,,0个工作日,已办结,,",
        "  ,  ,  ,  ,  ,  ,  ,  ,  ,  ,  ,  ",
    ]
    content = (header + "\n".join(lines) + "\n").encode("utf-8")

    def rows(texts: bool):
        sheet = HOTLINE.read(content)
        assert sheet.texts  # a CSV
        sheet.texts = texts
        reading = HOTLINE.reading(sheet)
        found = [(r.number, r.text, r.values, r.errors, r.extra) for r in reading.rows()]
        return found, reading.count, reading.errors

    fast, generic = rows(True), rows(False)
    assert fast == generic
    by_number = {r[0]: r for r in fast[0]}
    assert by_number[2][1]["content"] == '楼道堆物，"影响通行"\n第二行'
    assert by_number[2][1]["caller_name"] == "王**" and by_number[2][4] == {"区县": "西城区"}
    assert by_number[3][1]["caller_phone"] == "'13800138000"  # not a formula: kept as written
    assert by_number[3][1]["content"] == "=SUM(1)" and by_number[3][1]["hotline_category"] == "'quoted"
    assert by_number[3][1]["address"] == "a\\b\tc" and by_number[3][1]["time_limit"] == "24小时"
    assert {e.column for e in by_number[4][3]} == {"来电时间", "诉求内容"}
    assert by_number[6][1]["content"] == "" and by_number[7][4] == {"区县": ""}
    assert len(fast[0]) == 6 and fast[1] == 6  # the blank lines are skipped
