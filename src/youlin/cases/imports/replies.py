"""The replies that go back to the hotline system (回复): one row per 12345 work order closed in a month, in the
layout the hotline system takes (工单编号, 办理结果, 回复内容, 办结时间; the header in row 1). Every cell is written
as text, so a reply that starts with = + - @ stays text and never becomes a formula."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl.styles import Font

from youlin.access import policy
from youlin.cases.imports.columns import LOCAL
from youlin.cases.models import CLOSED_STATUSES, Case, CaseEvent, Channel, EventKind
from youlin.domain import exports

HEADERS = ("工单编号", "办理结果", "回复内容", "办结时间")  # the hotline system's own column names: not translated
REPLY_KINDS = (EventKind.REPORTED_DONE, EventKind.CLOSED)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as Beijing time: from its first day 00:00 to the next month's."""
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return datetime.combine(first, time.min, tzinfo=LOCAL), datetime.combine(following, time.min, tzinfo=LOCAL)


def replied_cases(user, *, month: date, unit: str = "", community=None) -> list[Case]:
    """Hotline cases closed in ``month`` that ``user`` manages (``None``: the command line, everything), of one
    handling unit (承办单位) and one community when given; with the events their reply is taken from."""
    start, end = month_bounds(month)
    rows = Case.objects.filter(
        channel=Channel.HOTLINE, status__in=CLOSED_STATUSES, closed_at__gte=start, closed_at__lt=end
    ).exclude(hotline_number="")
    if user is not None:
        rows = policy.scope(user, rows, policy.CHANGE)
    if unit:
        rows = rows.filter(hotline_unit=unit)
    if community is not None:
        rows = rows.filter(community=community)
    replies = CaseEvent.objects.filter(kind__in=REPLY_KINDS).exclude(note="").order_by("at", "id")
    return list(
        rows.only("pk", "hotline_number", "closed_at", "resolved", "status")
        .prefetch_related(Prefetch("events", queryset=replies, to_attr="replies"))
        .order_by("closed_at", "pk")
    )


def result_text(case: Case) -> str:
    """The hotline system's own words (its import reads them), so never translated."""
    if case.resolved is True:
        return "已解决"
    if case.resolved is False:
        return "未解决"
    return "已办结"


def reply_text(case: Case) -> str:
    """The handler's report (处置反馈) and the closing note, as the caller will hear them."""
    return "\n".join(e.note for e in case.replies)


def replies_xlsx(cases: list[Case]) -> bytes:
    """Every cell is text (the project's one export writer: a reply starting with "=" stays text)."""
    wb = exports.workbook()
    ws = wb.active
    ws.title = "回复"
    exports.append(ws, HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for case in cases:
        closed = timezone.localtime(case.closed_at, LOCAL).strftime("%Y-%m-%d %H:%M:%S")
        exports.append(ws, (case.hotline_number, result_text(case), reply_text(case), closed))
        for cell in ws[ws.max_row]:
            cell.number_format = "@"
    for column, width in zip("ABCD", (22, 10, 60, 20), strict=True):
        ws.column_dimensions[column].width = width
    return exports.workbook_bytes(wb)


def hotline_replies_export(user, *, month: date, unit: str = "", community=None) -> bytes:
    return replies_xlsx(replied_cases(user, month=month, unit=unit, community=community))
