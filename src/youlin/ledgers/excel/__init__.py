"""A ledger as the .xlsx community offices keep: export (with photo thumbnails and links) and import (all rows
or none, with a per-row report).

    columns:    the sheet's columns (``TABLE``: headers, aliases, how each cell is read)
    importing:  plan_import (every row checked, reads only) → ledger_import (all rows or none)
    exporting:  ledger_export, template_bytes

Exporting a ledger and importing the file again changes nothing: the file round-trips.
"""

from youlin.domain.tabular import RowError
from youlin.ledgers.errors import LedgerImportError
from youlin.ledgers.excel.columns import (
    COLUMNS,
    EXPORT_ORDER,
    KEPT_WHEN_MISSING,
    MEASURE_WORDS,
    REQUIRED,
    STATUS_WORDS,
    TABLE,
    header,
    parse_date,
)
from youlin.ledgers.excel.exporting import ledger_export, template_bytes
from youlin.ledgers.excel.importing import (
    ENTRY_FIELDS,
    ImportResult,
    Plan,
    count_rows,
    ledger_import,
    plan_import,
    read_sheet,
)

__all__ = [
    "COLUMNS",
    "ENTRY_FIELDS",
    "EXPORT_ORDER",
    "KEPT_WHEN_MISSING",
    "MEASURE_WORDS",
    "REQUIRED",
    "STATUS_WORDS",
    "TABLE",
    "ImportResult",
    "LedgerImportError",
    "Plan",
    "RowError",
    "count_rows",
    "header",
    "ledger_export",
    "ledger_import",
    "parse_date",
    "plan_import",
    "read_sheet",
    "template_bytes",
]
