"""Tabular imports: a spreadsheet (.xlsx) or a CSV file, checked row by row against a table of column specs and
written all rows or none.

An import is a ``Table`` (its ``Column`` specs, its limits, the error that refuses a file) and a writer::

    sheet = TABLE.read(content)          # refuses an unreadable or oversized file, or one without a header
    reading = TABLE.reading(sheet)       # maps the header (aliases, any order); missing columns are errors
    for row in reading.rows():           # each data row with its cells parsed by the column specs
        ...                              # the import's own checks: lookups, rules across columns; row.bad(…)
    if errors:
        raise TABLE.refused(errors)      # nothing written; every problem as (row, column, reason)
    ...                                  # the writes, from the checked plan only

Rows are numbered as a spreadsheet shows them (the header is the row it is on); a report names a column by its
first header. Limits (rows, bytes) are read from settings when a file is read, never at import time.

An .xlsx is a zip archive, and a small one can expand without end (a "zip bomb": 1 MB that is a 20-million-row
sheet, or 300 KB of shared strings that take a gigabyte to load). Before openpyxl parses anything, ``read``
checks the archive's declared sizes (in total, ``YOULIN_IMPORT_MAX_UNZIPPED_BYTES``; and each part's expansion,
``YOULIN_IMPORT_MAX_ZIP_RATIO``) and the sheet's declared row count; while rows are read, a file with more rows
than the table could take (blank ones included) is refused there and then, and no row is wider than
``MAX_COLUMNS``. The same checks run wherever a file is read: in the request and in the worker.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from youlin.domain.errors import DomainError
from youlin.domain.exports import csv_unescape

HEADER_SEARCH_ROWS = 10
PROGRESS_EVERY = 200
XLSX_MAGIC = b"PK\x03\x04"
MAX_COLUMNS = 256  # more than any import has; cells further right are not read
RATIO_FLOOR = 1024 * 1024  # a part smaller than this expanded is never a bomb, however well it compresses
# What a broken archive or its XML raises while rows are read (truncated parts, bad CRCs, bad markup).
BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, SyntaxError, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it
    column: str  # the column's first header, as the person sees it ("" for the whole row or file)
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class FileRefused(DomainError):
    """A file refused whole: ``errors`` lists every problem (row, column, reason). Nothing was written. Each
    import's own refusal derives from this and from its app's error."""

    def __init__(self, code: str, message, errors: Iterable[RowError]):
        super().__init__(code, message)
        self.errors = list(errors)


class CellError(ValueError):
    """A column parser's refusal of one cell; ``reason`` is for the person."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ``2024-05-01``, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def header_key(text) -> str:
    """A header as compared: no spaces, underscores or hyphens, full-width brackets as ASCII, case folded; so
    ``Work order number``, ``work_order_number`` and ``问题位置（小区）`` match their spec."""
    text = str(text or "").lstrip("\ufeff").replace("（", "(").replace("）", ")")
    return "".join(text.split()).replace("_", "").replace("-", "").casefold()


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # accepted headers; the first names the column in reports and exports
    parse: Callable[[Any], Any] | None = None  # a filled cell (text stripped, or a typed cell) → value; CellError
    required: bool = False  # the file must have this column
    blank: Any = None  # the reason an empty cell is refused; None: an empty cell is allowed (value None)
    data: bool = True  # False for what an export writes but an import never reads (a photo link)

    @property
    def name(self) -> str:
        return self.headers[0]


@dataclass
class Sheet:
    header_row: int
    header: list[str]
    rows: Iterator[tuple[int, Sequence[Any]]]  # (row number, cells) under the header, read lazily
    texts: bool = False  # every cell is a str (CSV): its text is the cell stripped


@dataclass(frozen=True)
class Table:
    """An import's columns and limits. ``refused`` makes the app's error from a list of ``RowError``;
    ``rows_setting`` and ``bytes_setting`` name the settings that cap a file (bytes: 0 means no cap)."""

    columns: tuple[Column, ...]
    refused: Callable[[list[RowError]], FileRefused]
    rows_setting: str
    bytes_setting: str
    formats: tuple[str, ...] = ("xlsx", "csv")
    anchors: tuple[str, ...] = ()  # keys whose headers mark the header row among the first rows; none: row 1
    header_hint: Any = None  # what to say when no header is found (a default names the anchors)
    keep_unknown: bool = False  # unknown columns come with each row as ``extra`` (header → text)
    unzipped_setting: str = "YOULIN_IMPORT_MAX_UNZIPPED_BYTES"  # an .xlsx's parts, expanded, in total

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def max_rows(self) -> int:
        return int(getattr(settings, self.rows_setting))

    def max_bytes(self) -> int:
        return int(getattr(settings, self.bytes_setting))

    def max_sheet_rows(self) -> int:
        """Rows a file may have at all, blank lines and the lines above the header included."""
        return 2 * self.max_rows() + HEADER_SEARCH_ROWS

    # ---------------------------------------------------------------- reading a file

    def refuse(self, reason, *, row: int = 1, column: str = "") -> FileRefused:
        return self.refused([RowError(row, column, str(reason))])

    def too_large(self) -> str:
        mb = max(1, self.max_bytes() // (1024 * 1024))
        return ngettext("文件超过 %(mb)d MB，请拆分后分批导入。", "文件超过 %(mb)d MB，请拆分后分批导入。", mb) % {
            "mb": mb
        }

    def _unreadable(self) -> str:
        if self.formats == ("xlsx",):
            return gettext("无法读取文件：请上传 Excel 的 .xlsx 文件（不是 .xls 或 .csv）。")
        return gettext("无法读取文件：请上传 Excel 的 .xlsx 文件，或 UTF-8、GB18030 编码的 .csv 文件。")

    def too_many_rows(self) -> str:
        limit = self.max_rows()
        return ngettext("一次最多导入 %(n)d 行，请分批导入。", "一次最多导入 %(n)d 行，请分批导入。", limit) % {
            "n": limit
        }

    def read(self, source: bytes | str | IO) -> Sheet:
        """The file's header and data rows: .xlsx (the first sheet) or CSV text, as ``formats`` allow."""
        limit = self.max_bytes()
        if hasattr(source, "read"):  # an upload: never more than one byte past the cap into memory
            source = source.read(limit + 1) if limit else source.read()
        if limit and len(source) > limit:  # characters for text: a cap all the same
            raise self.refuse(self.too_large())
        if isinstance(source, bytes) and source.startswith(XLSX_MAGIC) and "xlsx" in self.formats:
            rows = self._xlsx_rows(source)
        elif "csv" in self.formats:
            sheet = self._find_header(self._bounded(self._csv_rows(source)))
            sheet.texts = True
            return sheet
        else:
            raise self.refuse(self._unreadable())
        return self._find_header(self._bounded(rows))

    def _bounded(self, rows: Iterator[tuple[int, Sequence]]) -> Iterator[tuple[int, Sequence]]:
        """The rows, refused past the most a file may have (a sheet of blank rows is read as fast as any) and
        when the file turns out to be broken half-way."""
        limit = self.max_sheet_rows()
        number = 0
        try:
            for number, cells in rows:
                if number > limit:
                    raise self.refuse(self.too_many_rows(), row=number)
                yield number, cells
        except FileRefused:
            raise
        except BROKEN as exc:
            raise self.refuse(self._unreadable(), row=number + 1) from exc

    def check_archive(self, content: bytes) -> None:
        """Refuse an .xlsx whose parts would expand too far, from the sizes its zip directory declares (reading
        a part never yields more than its declared size, so these bound what openpyxl can be made to read)."""
        try:
            parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
            raise self.refuse(self._unreadable()) from exc
        total_limit = int(getattr(settings, self.unzipped_setting))
        ratio_limit = float(settings.YOULIN_IMPORT_MAX_ZIP_RATIO)
        total = 0
        for part in parts:
            total += part.file_size
            if part.file_size > RATIO_FLOOR and part.file_size > ratio_limit * max(part.compress_size, 1):
                raise self.refuse(self.bomb())
        if total_limit and total > total_limit:
            raise self.refuse(self.bomb())

    def bomb(self) -> str:
        return gettext(
            "文件解压后过大（可能是恶意构造的文件），未导入。请用 Excel 另存为 .xlsx 后重新上传，或拆分后分批导入。"
        )

    def _xlsx_rows(self, content: bytes) -> Iterator[tuple[int, tuple]]:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        self.check_archive(content)
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            declared = sheet.max_row  # from the sheet's <dimension>, when it has one
        except (InvalidFileException, IndexError, *BROKEN) as exc:
            raise self.refuse(self._unreadable()) from exc
        if declared and declared > self.max_sheet_rows():
            raise self.refuse(self.too_many_rows())
        sheet.reset_dimensions()  # read rows as they are, not padded to a declared (perhaps absurd) size
        return enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)

    def _csv_rows(self, content: bytes | str) -> Iterator[tuple[int, list[str]]]:
        if isinstance(content, bytes):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    content = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise self.refuse(self._unreadable())
        reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                # Only a cell that starts with an apostrophe can be escaped (most rows have none).
                if "'" in "".join(cells):
                    cells = [csv_unescape(cell) for cell in cells]
                yield number, cells
        except csv.Error as exc:
            raise self.refuse(self._unreadable(), row=number + 1) from exc

    def _find_header(self, rows: Iterator[tuple[int, Sequence]]) -> Sheet:
        if not self.anchors:
            number, cells = next(rows, (1, ()))
            return Sheet(number, ["" if v is None else str(v) for v in cells], rows)
        wanted = [{header_key(h) for h in self.column(key).headers} for key in self.anchors]
        for number, cells in rows:
            names = {header_key(v) for v in cells if v is not None}
            if all(names & aliases for aliases in wanted):
                return Sheet(number, ["" if v is None else str(v) for v in cells], rows)
            if number >= HEADER_SEARCH_ROWS:
                break
        names = "".join(f"“{self.column(key).name}”" for key in self.anchors)
        hint = self.header_hint or _("找不到表头：前 %(n)d 行中应有%(names)s等列名，请使用导出的模板。") % {
            "n": HEADER_SEARCH_ROWS,
            "names": names,
        }
        raise self.refuse(hint)

    def sheet_from_dicts(self, rows: Iterable[Mapping[str, Any]]) -> Sheet:
        """Rows given as dicts keyed by a column's first header or by its key, as if under a header in row 1."""
        columns = self.columns
        data = (
            (number, tuple(row.get(c.name, row.get(c.key)) for c in columns))
            for number, row in enumerate(rows, start=2)
        )
        return Sheet(1, [c.name for c in columns], data)

    def reading(self, sheet: Sheet) -> Reading:
        return Reading(self, sheet)

    def sort(self, errors: Iterable[RowError]) -> list[RowError]:
        """By row, then in the table's column order (whole-row problems first)."""
        order = {c.name: i for i, c in enumerate(self.columns)}
        return sorted(errors, key=lambda e: (e.row, order.get(e.column, -1)))


@dataclass
class Row:
    number: int
    text: dict[str, str]  # key → the cell as text ("" when empty or the column is absent)
    values: dict[str, Any]  # key → the parsed value (None when empty, absent or refused)
    errors: list[RowError] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # unknown columns (header → text), if the table keeps them
    _names: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def bad(self, key: str, reason) -> None:
        """Report a problem with this row's ``key`` cell (``""``: the whole row)."""
        self.errors.append(RowError(self.number, self._names.get(key, key), str(reason)))

    @property
    def ok(self) -> bool:
        return not self.errors


class Reading:
    """A sheet read against a table: where each column is, the header's problems, then the rows."""

    def __init__(self, table: Table, sheet: Sheet):
        self.table = table
        self.sheet = sheet
        names = [header_key(h) for h in sheet.header]
        self.positions: dict[str, int] = {}
        for column in table.columns:
            aliases = {header_key(h) for h in column.headers}
            found = next((i for i, name in enumerate(names) if name in aliases), None)
            if found is not None:
                self.positions[column.key] = found
        self.present = [c for c in table.columns if c.key in self.positions]
        self.errors: list[RowError] = [
            RowError(sheet.header_row, c.name, gettext("缺少此列。"))
            for c in table.columns
            if c.required and c.key not in self.positions
        ]
        taken = set(self.positions.values())
        self.unknown = [(i, h.strip()) for i, h in enumerate(sheet.header) if i not in taken and h.strip()]
        self.count = 0  # data rows read (blank lines aside)

    def has(self, key: str) -> bool:
        return key in self.positions

    def bad_header(self, key: str, reason) -> None:
        """A header problem the table's specs cannot say (e.g. "an address or both coordinates")."""
        self.errors.append(RowError(self.sheet.header_row, self.table.column(key).name, str(reason)))

    def rows(self, progress: Callable[[int], None] | None = None) -> Iterator[Row]:
        """Every data row, its cells parsed; blank lines skipped. Nothing when the header has a problem. Past the
        row limit, a problem is recorded in ``errors`` and reading stops."""
        if self.errors:
            return
        limit = self.table.max_rows()
        names = {c.key: c.name for c in self.table.columns}
        present = [(c.key, self.positions[c.key]) for c in self.present]
        specs = [(c.key, self.positions[c.key], c.parse, c.blank) for c in self.present]
        data_columns = [c.key for c in self.present if c.data]
        keep = self.unknown if self.table.keep_unknown else ()
        texts = self.sheet.texts
        widest = max([i for _key, i in present] + [i for i, _h in keep], default=-1)
        for number, cells in self.sheet.rows:
            size = len(cells)
            if texts and size > widest:  # CSV cells are str: ``cell_text`` is ``strip``
                text = {key: cells[i].strip() for key, i in present}
            else:
                text = {key: cell_text(cells[i]) if i < size else "" for key, i in present}
            if not any(map(text.__getitem__, data_columns)):
                continue  # a blank line
            self.count += 1
            if self.count > limit:
                self.errors.append(RowError(number, "", self.table.too_many_rows()))
                return
            row = Row(number, text, {}, _names=names)
            values = row.values
            for key, i, parse, blank in specs:
                value = text[key]
                if not value:
                    if blank is not None:
                        row.bad(key, blank)
                    values[key] = None
                elif parse is None:
                    values[key] = value
                else:
                    raw = cells[i]  # a filled cell: its text is not empty
                    try:
                        values[key] = parse(value if texts or isinstance(raw, str) else raw)
                    except CellError as exc:
                        row.bad(key, exc.reason)
                        values[key] = None
            if keep:
                if texts and size > widest:
                    row.extra = {h: cells[i].strip() for i, h in keep}
                else:
                    row.extra = {h: cell_text(cells[i]) if i < size else "" for i, h in keep}
            if progress and self.count % PROGRESS_EVERY == 0:
                progress(self.count)
            yield row
        if progress:
            progress(self.count)
