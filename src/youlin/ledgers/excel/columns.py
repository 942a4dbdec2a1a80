"""The ledger sheet's columns as the community offices write them, with the other spellings an import accepts, and
how each cell is read.

The layout: a title row, then the header 序号, 问题位置, 问题描述, 责任单位, 整改措施, 整改时限, 整改情况, 照片,
followed by the columns Excel ledgers lack but ours keep (问题类别, 调查源头, 分类施策, 完成日期, 整改结果,
阶段性工作重点, 关联案件). The header row is found wherever it is in the first rows, and any column order works.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from youlin.domain.tabular import CellError, Column, Table, cell_text
from youlin.ledgers.errors import LedgerImportError
from youlin.ledgers.models import EntryStatus, MeasureClass
from youlin.ledgers.resolvers import normalise

DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.match(cell_text(value))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


STATUS_WORDS = (
    {normalise(label): value for value, label in EntryStatus.choices}
    | {v: v for v in EntryStatus.values}
    | {
        "未整改": EntryStatus.OPEN,
        "已完成": EntryStatus.DONE,
        "已销号": EntryStatus.DONE,
        "持续推进": EntryStatus.IN_PROGRESS,
    }
)
MEASURE_WORDS = {normalise(label): value for value, label in MeasureClass.choices} | {v: v for v in MeasureClass.values}


def _seq(value) -> int:
    try:
        seq = int(cell_text(value))
    except ValueError:
        seq = 0
    if seq <= 0:
        raise CellError(_("序号应为正整数，或留空由系统编号。"))
    return seq


def _location(value) -> str:
    if len(value) > 200:
        raise CellError(_("问题位置过长，最多 200 个字。"))
    return value


def _date(value) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise CellError(_("日期格式应为 2024-05-01。"))
    return parsed


def _status(value) -> str:
    status = STATUS_WORDS.get(normalise(value))
    if status is None:
        raise CellError(_("整改情况应为：待整改、整改中、已整改或已撤销。"))
    return status


def _measure_class(value) -> str:
    measure_class = MEASURE_WORDS.get(normalise(value))
    if not measure_class:
        labels = "、".join(str(label) for label in MeasureClass.labels)
        raise CellError(_("分类施策应为：%(labels)s。") % {"labels": labels})
    return measure_class


REQUIRED_CELL = _("此项必填。")

TABLE = Table(
    columns=(
        Column("seq", ("序号", "编号"), parse=_seq),
        Column("location", ("问题位置", "位置", "地点"), parse=_location, required=True, blank=REQUIRED_CELL),
        Column("description", ("问题描述", "问题", "存在问题"), required=True, blank=REQUIRED_CELL),
        Column("party", ("责任单位", "责任主体"), required=True, blank=REQUIRED_CELL),
        Column("measure", ("整改措施", "措施")),
        Column("deadline", ("整改时限", "时限", "完成时限"), parse=_date, required=True, blank=REQUIRED_CELL),
        Column("status", ("整改情况", "状态", "整改状态"), parse=_status),
        Column("photos", ("照片", "图片"), data=False),
        Column("category", ("问题类别", "类别")),
        Column("root_cause", ("调查源头", "问题源头")),
        Column("measure_class", ("分类施策", "措施类别"), parse=_measure_class),
        Column("done_on", ("完成日期", "整改完成日期"), parse=_date),
        Column("result", ("整改结果", "备注")),
        Column("campaign", ("阶段性工作重点", "工作重点")),
        Column("case", ("关联案件", "案件编号")),
    ),
    refused=LedgerImportError,
    rows_setting="YOULIN_LEDGER_IMPORT_MAX_ROWS",
    bytes_setting="YOULIN_LEDGER_IMPORT_MAX_BYTES",
    formats=("xlsx",),
    anchors=("location", "description"),
    header_hint=_("找不到表头：前 10 行中应有“问题位置”“问题描述”等列名，请使用导出的模板。"),
)

# key → (header as offices write it, other accepted spellings)
COLUMNS: dict[str, tuple[str, ...]] = {c.key: c.headers for c in TABLE.columns}
EXPORT_ORDER = list(COLUMNS)
REQUIRED = tuple(c.key for c in TABLE.columns if c.required)
# An update from a file without one of our extra columns keeps what the entry has.
KEPT_WHEN_MISSING = {
    "category": "category_id",
    "root_cause": "root_cause",
    "measure_class": "measure_class",
    "result": "result",
    "campaign": "campaign_id",
    "case": "case_id",
    "measure": "measure",
}


def header(key: str) -> str:
    return COLUMNS[key][0]
