"""#13.12: .xlsx zip bombs are refused from the archive's declared sizes and the sheet's declared or real row count,
quickly and without loading them: in the pipeline itself, so in the request and in the worker alike."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from youlin.domain.tabular import Column, FileRefused, Table

TABLE = Table(
    columns=(Column("name", ("名称",), required=True), Column("note", ("备注",))),
    refused=lambda errors: FileRefused("import_refused", "refused", errors),
    rows_setting="YOULIN_LEDGER_IMPORT_MAX_ROWS",
    bytes_setting="YOULIN_LEDGER_IMPORT_MAX_BYTES",
)
SHEET = "xl/worksheets/sheet1.xml"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _base() -> bytes:
    wb = Workbook()
    wb.active.append(["名称", "备注"])
    wb.active.append(["甲", "一"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_with(parts: dict[str, bytes | str]) -> bytes:
    """A real .xlsx with some parts replaced (or added), compressed as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(_base()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            if name not in parts:
                target.writestr(name, source.read(name))
        for name, data in parts.items():
            target.writestr(name, data.encode() if isinstance(data, str) else data)
    return out.getvalue()


def rows_xml(n: int, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * n
    return f"{HEAD}{dim}<sheetData>".encode() + body + b"</sheetData></worksheet>"


def refused_quickly(content: bytes) -> FileRefused:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileRefused) as caught:
            sheet = TABLE.read(content)
            for _ in TABLE.reading(sheet).rows():
                pass
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5, f"took {elapsed:.1f} s"
    assert peak < 40 * 1024 * 1024 + 3 * len(content), f"peak {peak / 1e6:.0f} MB"
    return caught.value


def test_a_sheet_that_expands_a_thousandfold_is_refused_before_parsing():
    content = xlsx_with({SHEET: rows_xml(400_000)})  # ~20 MB of rows in a few tens of KB
    assert len(content) < 200_000
    assert zipfile.ZipFile(io.BytesIO(content)).getinfo(SHEET).file_size > 15_000_000
    error = refused_quickly(content)
    assert "解压后过大" in error.errors[0].reason


def test_a_shared_strings_bomb_is_refused_before_it_is_loaded():
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>a</t></si>" * 3_000_000 + b"</sst>"  # 51 MB that openpyxl would hold in memory whole
    content = xlsx_with({"xl/sharedStrings.xml": strings})
    assert len(content) < 400_000
    error = refused_quickly(content)
    assert "解压后过大" in error.errors[0].reason


def test_the_expanded_total_has_a_cap_of_its_own(settings):
    settings.YOULIN_IMPORT_MAX_UNZIPPED_BYTES = 50_000
    settings.YOULIN_IMPORT_MAX_ZIP_RATIO = 1_000_000
    import random

    noise = "".join(random.Random(1).choice("甲乙丙丁戊己庚辛") for _ in range(40_000))  # compresses poorly
    content = xlsx_with(
        {SHEET: f"{HEAD}<sheetData><row><c t='inlineStr'><is><t>{noise}</t></is></c></row></sheetData></worksheet>"}
    )
    assert "解压后过大" in refused_quickly(content).errors[0].reason


def test_a_declared_twenty_million_rows_is_refused_before_reading_a_row():
    sheet = (
        f'{HEAD}<dimension ref="A1:B20000000"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'
        '<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    error = refused_quickly(xlsx_with({SHEET: sheet}))
    assert "最多导入 50000 行" in error.errors[0].reason


def test_twenty_million_rows_without_a_dimension_stop_at_the_row_cap(settings):
    """One cell at row 20,000,000 in a few hundred bytes: openpyxl would yield every empty row before it."""
    settings.YOULIN_LEDGER_IMPORT_MAX_ROWS = 5000  # the cap is then 10,010 rows: reached in well under a second
    sheet = (
        f"{HEAD}<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'
        '<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    error = refused_quickly(xlsx_with({SHEET: sheet}))
    assert "最多导入 5000 行" in error.errors[0].reason
    assert error.errors[0].row == TABLE.max_sheet_rows() + 1 == 10_011


def test_a_row_declared_as_wide_as_excel_is_read_at_the_column_cap():
    sheet = (
        f'{HEAD}<dimension ref="A1:XFD3"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="XFD1" t="inlineStr"><is><t>z</t></is></c>'
        '</row><row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c></row></sheetData></worksheet>'
    )
    sheet_read = TABLE.read(xlsx_with({SHEET: sheet}))
    assert len(sheet_read.header) == 256
    assert [r.text["name"] for r in TABLE.reading(sheet_read).rows()] == ["甲"]


def test_a_broken_part_is_refused_with_the_usual_message_not_an_error_page():
    content = xlsx_with({SHEET: f"{HEAD}<sheetData><row><c t='inlineStr'><is><t>名称</t></is></c></row><row><c"})
    with pytest.raises(FileRefused) as caught:
        for _ in TABLE.reading(TABLE.read(content)).rows():
            pass
    assert ".xlsx" in caught.value.errors[0].reason


def test_an_ordinary_file_still_reads():
    assert [r.text["name"] for r in TABLE.reading(TABLE.read(_base())).rows()] == ["甲"]


def test_an_oversized_upload_is_not_read_into_memory_whole(settings):
    settings.YOULIN_LEDGER_IMPORT_MAX_BYTES = 1000

    class Huge(io.RawIOBase):
        asked: list = []

        def read(self, size=-1):
            self.asked.append(size)
            return b"x" * (10**9 if size < 0 else size)

    upload = Huge()
    with pytest.raises(FileRefused) as caught:
        TABLE.read(upload)
    assert upload.asked == [1001]
    assert "MB" in caught.value.errors[0].reason
