"""The columns of a 12345 work-order file (派单), as the hotline system exports them, with the English field
names as aliases; the history columns (办理状态 …) are optional, for loading a past year. Unknown columns are kept
with each row (``Table.keep_unknown``) and stored on the case as its raw hotline data."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.cases import workdays
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, Satisfaction, Status
from youlin.domain.tabular import CellError, Column, FileRefused, RowError, Table, cell_text

LOCAL = ZoneInfo("Asia/Shanghai")

STATUSES = {
    "registered": Status.REGISTERED,
    "已受理": Status.REGISTERED,
    "in_progress": Status.DISPATCHED,
    "办理中": Status.DISPATCHED,
    "已派单": Status.DISPATCHED,
    "closed": Status.CLOSED,
    "已办结": Status.CLOSED,
    "办结": Status.CLOSED,
}
SATISFACTIONS = {
    "satisfied": Satisfaction.SATISFIED,
    "满意": Satisfaction.SATISFIED,
    "basically_satisfied": Satisfaction.BASICALLY_SATISFIED,
    "基本满意": Satisfaction.BASICALLY_SATISFIED,
    "dissatisfied": Satisfaction.DISSATISFIED,
    "不满意": Satisfaction.DISSATISFIED,
}
YES = {"是", "已联系", "已解决", "yes", "y", "true", "1"}
NO = {"否", "未联系", "未解决", "no", "n", "false", "0"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
WORKING_DAYS = re.compile(r"^(\d{1,3})\s*(个)?\s*(工作日|天|日|working\s*days?|days?)?$", re.IGNORECASE)
HOURS = re.compile(r"^(\d{1,3})\s*(个)?\s*(小时|h|hours?)$", re.IGNORECASE)


class HotlineImportError(FileRefused, CaseError):
    """The file was refused; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        count = len(errors)
        message = ngettext(
            "导入文件有 %(count)d 处问题，未导入任何工单。请按行改正后重新导入。",
            "导入文件有 %(count)d 处问题，未导入任何工单。请按行改正后重新导入。",
            count,
        ) % {"count": count}
        super().__init__(CaseErrorCode.INVALID_INPUT, message, errors)


def parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    else:
        value = value.strip() if type(value) is str else cell_text(value)  # ``cell_text`` of a str
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
            for fmt in TIME_FORMATS:
                try:
                    parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
                    break
                except ValueError:
                    continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # naive: ``timezone.is_aware`` without the call
        return parsed.replace(tzinfo=LOCAL)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=LOCAL)


def _time_parser(reason) -> Any:
    def parse(value) -> datetime:
        parsed = parse_time(value)
        if parsed is None:
            raise CellError(reason)
        return parsed

    return parse


@cache
def _max_length(name: str) -> int:
    return Case._meta.get_field(name).max_length


def _limited(field: str, reason) -> Any:
    def parse(value) -> str:
        if len(value) > _max_length(field):
            raise CellError(reason)
        return value

    return parse


def _time_limit(value) -> datetime | workdays.Limit:
    """办理时限: the deadline itself (a date-time), or a number of working days (``5``, ``5个工作日``) or clock
    hours (``24小时``) from the call."""
    if isinstance(value, datetime):
        return parse_time(value)
    if type(value) is str:
        return _time_limit_text(value.strip())  # ``cell_text`` of a str
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = cell_text(value)
    return _time_limit_text(cell_text(value))


@lru_cache(maxsize=1024)
def _time_limit_text(text: str) -> datetime | workdays.Limit:
    """A file repeats a few limits ("5个工作日") thousands of times: each distinct text is read once (the
    answers are immutable; a refusal is not kept, it raises again)."""
    if m := WORKING_DAYS.match(text):
        days = int(m.group(1))
        if days < 1:
            raise CellError(LIMIT_WORDS)
        return workdays.Limit(days, workdays.WORKING_DAYS)
    if m := HOURS.match(text):
        hours = int(m.group(1))
        if hours < 1:
            raise CellError(LIMIT_WORDS)
        return workdays.Limit(hours, workdays.HOURS)
    parsed = parse_time(text)
    if parsed is None:
        raise CellError(LIMIT_WORDS)
    return parsed


def _status(value) -> str:
    status = STATUSES.get(cell_text(value).lower())
    if status is None:
        raise CellError(STATUS_WORDS)
    return status


def _satisfaction(value) -> str:
    satisfaction = SATISFACTIONS.get(cell_text(value).lower())
    if satisfaction is None:
        raise CellError(_("满意度应为：满意、基本满意或不满意。"))
    return satisfaction


def _yes_no(value) -> bool:
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("请填写“是”或“否”。"))


CALLED_AT = _("来电时间格式应为 2024-05-01 09:30。")
STATUS_WORDS = _("办理状态应为：已受理、办理中或已办结。")
LIMIT_WORDS = _("办理时限应为截止时间（如 2024-05-08 18:00）或工作日数（如 5 或 5个工作日）。")

TABLE = Table(
    columns=(
        Column(
            "work_order_number",
            ("工单编号", "work_order_number"),
            parse=_limited("hotline_number", _("工单编号过长。")),
            required=True,
            blank=_("工单编号不能为空。"),
        ),
        Column(
            "called_at",
            ("来电时间", "called_at", "受理时间", "received_at"),
            parse=_time_parser(CALLED_AT),
            required=True,
            blank=CALLED_AT,
        ),
        Column("caller_name", ("诉求人", "caller_name"), parse=_limited("reporter_name", _("诉求人姓名过长。"))),
        Column("caller_phone", ("联系电话", "caller_phone"), parse=_limited("reporter_phone", _("联系电话过长。"))),
        Column("address", ("诉求地址", "address", "地址")),
        Column("content", ("诉求内容", "content"), required=True, blank=_("诉求内容不能为空。")),
        Column(
            "hotline_category",
            ("诉求类型", "hotline_category"),
            parse=_limited("hotline_category", _("诉求类型过长。")),
        ),
        Column("handling_unit", ("承办单位", "handling_unit"), parse=_limited("hotline_unit", _("承办单位名称过长。"))),
        Column("time_limit", ("办理时限", "time_limit"), parse=_time_limit),
        # Optional: where the file has them.
        Column("lon", ("经度", "lon")),
        Column("lat", ("纬度", "lat")),
        Column("category_code", ("类别代码", "category_code")),
        # History (a past year loaded once): what happened to the order.
        Column("status", ("办理状态", "status"), parse=_status),
        Column("closed_at", ("办结时间", "closed_at"), parse=_time_parser(_("办结时间格式应为 2024-05-03 17:00。"))),
        Column("satisfaction", ("满意度", "satisfaction"), parse=_satisfaction),
        Column("responded", ("是否联系", "responded"), parse=_yes_no),
        Column("resolved", ("是否解决", "resolved"), parse=_yes_no),
    ),
    refused=HotlineImportError,
    rows_setting="YOULIN_HOTLINE_IMPORT_MAX_ROWS",
    bytes_setting="YOULIN_HOTLINE_IMPORT_MAX_BYTES",
    formats=("csv", "xlsx"),
    anchors=("work_order_number",),
    keep_unknown=True,
)
# Column → accepted headers (the hotline system's Chinese export headers, then the English field names).
COLUMNS: dict[str, tuple[str, ...]] = {c.key: c.headers for c in TABLE.columns}
REQUIRED = tuple(c.key for c in TABLE.columns if c.required)
# What the hotline system exports for a dispatch (the sample file's columns).
DISPATCH_COLUMNS = (
    "work_order_number",
    "called_at",
    "caller_name",
    "caller_phone",
    "address",
    "content",
    "hotline_category",
    "handling_unit",
    "time_limit",
)
