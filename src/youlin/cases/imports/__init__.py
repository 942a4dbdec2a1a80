"""Importing 12345 hotline work orders (派单) from CSV or .xlsx, and sending the replies back.

    columns   the file's columns (Chinese export headers or English field names; unknown ones kept as raw data)
    plan      every row checked and what each order becomes (reads only): new, update or unchanged; placed,
              classified (``cases.classify``), given its deadline and routed
    write     all orders or none, on bulk paths (``COPY`` on PostgreSQL)
    jobs      the import as a job (``youlin.jobs``): the page, the API and ``youlin hotline import`` start it
    replies   the .xlsx of handling replies (办理结果) in the layout the hotline system takes

Row numbers in a report are as a spreadsheet shows them (the header is the row it is on).
"""

from youlin.cases.imports.columns import COLUMNS, DISPATCH_COLUMNS, REQUIRED, TABLE, HotlineImportError
from youlin.cases.imports.plan import Plan, plan_orders
from youlin.cases.imports.write import ImportResult, hotline_import, target_community

__all__ = [
    "COLUMNS",
    "DISPATCH_COLUMNS",
    "REQUIRED",
    "TABLE",
    "HotlineImportError",
    "ImportResult",
    "Plan",
    "hotline_import",
    "plan_orders",
    "target_community",
]
