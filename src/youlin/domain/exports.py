"""Tabular exports: the one place an .xlsx or a CSV file is written, so no cell becomes a live formula.

A text that begins with ``= + - @`` (or a tab or carriage return) is a formula to a spreadsheet that opens it
("formula injection": a ledger description ``=HYPERLINK(…)`` would run when the office opens the file). Every
export writes such text as text:

- .xlsx: the cell is a string cell with Excel's "quote prefix" (shown as typed, kept as text when edited); the
  stored text is unchanged, so an import reads back exactly what was exported;
- CSV: the text gets a leading apostrophe, which ``csv_unescape`` (applied by ``domain.tabular`` to every CSV
  cell it reads) takes off again.

Use it like this::

    wb = exports.workbook()
    ws = wb.active
    exports.append(ws, ["序号", "问题描述"])        # a row; text cleaned and marked as text
    exports.put(ws, 3, 2, entry.description)       # one cell, for a styled layout; returns the cell
    return exports.download(exports.workbook_bytes(wb), "台账.xlsx")

``workbook_bytes`` is the only way a workbook is saved (a test reads the source to keep it so): it also turns
any cell that openpyxl took for a formula back into text, so a cell assigned directly is covered too.
Characters XML cannot carry (control characters other than tab and line feed) are dropped; a carriage return is
written as a line feed (XML reads it as one anyway).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# A spreadsheet reads a cell starting with one of these as a formula (tab and CR: some read past them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_ESCAPE = "'"
PLAIN = (int, float, Decimal, date, datetime, time)  # written as they are (numbers and dates are never formulas)


def _illegal():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


# ---------------------------------------------------------------- .xlsx


def workbook():
    """A new openpyxl workbook; fill it with ``append`` and ``put``, save it with ``workbook_bytes``."""
    from openpyxl import Workbook

    return Workbook()


def sheet_title(text: str) -> str:
    """A worksheet title Excel accepts (at most 31 characters, none of ``[]:*?/\\``), from any text."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in clean_text(str(text))).strip("'")[:31]
    return title or "Sheet"


def clean_text(value: str) -> str:
    """Text an .xlsx cell can hold: XML has no place for most control characters, and reads a carriage return
    as a line feed (so it is written as one, and the file reads back as written)."""
    return _illegal().sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _mark(cell) -> None:
    """A cell's text kept as text: a string cell, quote-prefixed when it looks like a formula."""
    if cell.data_type == "f":  # openpyxl takes every "=…" string for a formula; exports never write one
        if not isinstance(cell.value, str):  # an array formula or the like: its text
            cell.value = clean_text(str(getattr(cell.value, "text", cell.value)))
        cell.data_type = "s"
    if cell.data_type == "s" and isinstance(cell.value, str) and looks_like_formula(cell.value):
        cell.quotePrefix = True


def put(ws, row: int, column: int, value: Any):
    """Write one value into ``ws`` at (row, column) as an export must; returns the cell (for styling)."""
    if isinstance(value, str):
        value = clean_text(value)
    elif value is not None and not isinstance(value, PLAIN):
        value = clean_text(str(value))  # lazy translations and the like: their text
    cell = ws.cell(row=row, column=column)
    cell.value = value
    _mark(cell)
    return cell


def append(ws, values: Sequence[Any]) -> int:
    """Write a row under the last one in ``ws``; returns its number."""
    row = ws.max_row + 1 if ws._cells else 1
    for column, value in enumerate(values, start=1):
        put(ws, row, column, value)
    return row


def workbook_bytes(wb) -> bytes:
    """The workbook as .xlsx bytes, after every cell is checked once more (a cell set directly included)."""
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            if cell.data_type in ("f", "s"):
                _mark(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- CSV


def csv_escape(value: Any) -> str:
    """A value as CSV text: formula-looking text (and text already starting with the escape) gets an apostrophe."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, str) and (looks_like_formula(text) or text.startswith(CSV_ESCAPE)):
        return CSV_ESCAPE + text
    return text


def csv_unescape(text: str) -> str:
    """What ``csv_escape`` wrote, back: one apostrophe off when it escapes formula-looking text or an apostrophe.
    Other text (``'13800138000``, as some systems write a number to keep it text) is left as it is."""
    if text.startswith(CSV_ESCAPE) and (looks_like_formula(text[1:]) or text[1:].startswith(CSV_ESCAPE)):
        return text[1:]
    return text


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """Rows as UTF-8 CSV (with a byte-order mark by default, so Excel on Windows reads Chinese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_escape(value) for value in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- the download


def download(content: bytes, filename: str) -> HttpResponse:
    """An export as a download named ``filename`` (.xlsx or .csv, from its extension)."""
    content_type = CSV_TYPE if filename.lower().endswith(".csv") else XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
