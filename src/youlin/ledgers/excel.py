"""A ledger as the .xlsx community offices keep: export (with photo thumbnails and links) and import (all rows
or none).

The layout: a title row, then the header 序号, 问题位置, 问题描述, 责任单位, 整改措施, 整改时限, 整改情况, 照片,
followed by the columns Excel ledgers lack but ours keep (问题类别, 调查源头, 分类施策, 完成日期, 整改结果,
阶段性工作重点, 关联案件). The header row is found wherever it is in the first rows, and any column order works.

An import checks every row first: the place (a compound or building of the ledger's community), the responsible
party (an organisation's exact name), dates, the status and its step from the stored status, the required cells.
Any bad row means nothing is written, and the answer lists (row, column, reason) with row numbers as the
spreadsheet shows them. A row with a 序号 the ledger already has updates that entry; other rows are added. So
exporting a ledger and importing the file again changes nothing: the file round-trips.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zipfile import BadZipFile

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.utils.units import pixels_to_EMU

from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import Campaign, EntryStatus, Ledger, LedgerEntry, MeasureClass, PhotoKind
from youlin.ledgers.resolvers import PartyResolver, PlaceResolver, normalise
from youlin.ledgers.services import _lock_ledger, _require_manager, status_change_allowed

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
HEADER_SEARCH_ROWS = 10

# key → (header as offices write it, other accepted spellings)
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "location": ("问题位置", "位置", "地点"),
    "description": ("问题描述", "问题", "存在问题"),
    "party": ("责任单位", "责任主体"),
    "measure": ("整改措施", "措施"),
    "deadline": ("整改时限", "时限", "完成时限"),
    "status": ("整改情况", "状态", "整改状态"),
    "photos": ("照片", "图片"),
    "category": ("问题类别", "类别"),
    "root_cause": ("调查源头", "问题源头"),
    "measure_class": ("分类施策", "措施类别"),
    "done_on": ("完成日期", "整改完成日期"),
    "result": ("整改结果", "备注"),
    "campaign": ("阶段性工作重点", "工作重点"),
    "case": ("关联案件", "案件编号"),
}
EXPORT_ORDER = list(COLUMNS)
REQUIRED = ("location", "description", "party", "deadline")
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


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it
    column: str  # the header, as the person sees it
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class LedgerImportError(LedgerError):
    """The file was refused; ``errors`` lists every problem. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            LedgerErrorCode.IMPORT_REFUSED,
            _("文件中有 %(count)d 处问题，未导入任何条目。请按清单逐行改正后重新上传。") % {"count": len(errors)},
        )
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: list[LedgerEntry] = field(default_factory=list)


@dataclass
class _Row:
    row: int
    values: dict[str, Any]


# ---------------------------------------------------------------- reading


def read_sheet(content: bytes) -> tuple[int, list[str], Iterable[tuple[int, tuple]]]:
    """(header row number, header cells, data rows as (row number, values)) of the first sheet."""
    if len(content) > MAX_BYTES:
        raise LedgerImportError([RowError(1, "", gettext("文件超过 20 MB，请拆分后分批导入。"))])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise LedgerImportError(
            [RowError(1, "", gettext("无法读取文件：请上传 Excel 的 .xlsx 文件（不是 .xls 或 .csv）。"))]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    buffered: list[tuple[int, tuple]] = []
    for number, values in enumerate(rows, start=1):
        buffered.append((number, values))
        names = {normalise(v) for v in values if v is not None}
        if normalise(header("location")) in names and normalise(header("description")) in names:
            return number, ["" if v is None else str(v) for v in values], rows_after(rows, number)
        if number >= HEADER_SEARCH_ROWS:
            break
    raise LedgerImportError(
        [RowError(1, "", gettext("找不到表头：前 10 行中应有“问题位置”“问题描述”等列名，请使用导出的模板。"))]
    )


def rows_after(rows, header_row: int):
    yield from enumerate(rows, start=header_row + 1)


def _positions(cells: list[str]) -> dict[str, int]:
    names = [normalise(c) for c in cells]
    positions: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        wanted = {normalise(a) for a in aliases}
        for i, name in enumerate(names):
            if name in wanted:
                positions[key] = i
                break
    return positions


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.match(_cell_text(value))
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


# ---------------------------------------------------------------- validation


@dataclass
class Plan:
    ledger: Ledger
    creates: list[LedgerEntry] = field(default_factory=list)
    updates: list[LedgerEntry] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


ENTRY_FIELDS = (
    "location_text",
    "compound_id",
    "building_id",
    "lon",
    "lat",
    "category_id",
    "description",
    "root_cause",
    "measure_class",
    "measure",
    "responsible_party_id",
    "deadline",
    "status",
    "result",
    "done_on",
    "case_id",
    "campaign_id",
)


def _categories() -> dict[str, Any]:
    from youlin.cases.models import Category

    lookup: dict[str, Any] = {}
    for c in Category.objects.filter(is_active=True).order_by("-kind", "code"):  # a matter wins over a component
        lookup[c.code] = c
        lookup[normalise(c.name)] = c
        lookup[normalise(f"{c.code}{c.name}")] = c
    return lookup


def plan_import(
    *,
    ledger: Ledger,
    header_cells: list[str],
    data: Iterable[tuple[int, tuple | list]],
    header_row: int = 1,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Plan:
    """Check every row against the ledger's community; reads only. ``progress`` hears the rows checked."""
    from youlin.cases.models import Case

    plan = Plan(ledger=ledger)
    positions = _positions(header_cells)
    missing = [k for k in REQUIRED if k not in positions]
    if missing:
        plan.errors = [RowError(header_row, header(k), gettext("缺少此列。")) for k in missing]
        return plan
    today = today or timezone.localdate()
    places = PlaceResolver(ledger.community_id)
    parties = PartyResolver(ledger.community)
    categories = _categories() if "category" in positions else {}
    campaigns = (
        {normalise(c.title): c for c in Campaign.objects.filter(community_id=ledger.community_id)}
        if "campaign" in positions
        else {}
    )
    existing = {e.seq: e for e in LedgerEntry.objects.filter(ledger=ledger)}
    rows: list[_Row] = []
    case_numbers: set[str] = set()
    seen_seq: dict[int, int] = {}
    for number, values in data:
        cells = {k: (values[i] if i < len(values) else None) for k, i in positions.items()}
        if all(_cell_text(v) == "" for k, v in cells.items() if k != "photos"):
            continue  # a blank line
        plan.rows += 1
        if plan.rows > MAX_ROWS:
            plan.errors.append(RowError(number, "", gettext("一次最多导入 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}))
            break
        rows.append(_Row(number, cells))
        if cells.get("case") not in (None, ""):
            case_numbers.add(_cell_text(cells["case"]))
        if progress and plan.rows % 200 == 0:
            progress(plan.rows)
    cases = (
        {c.number: c for c in Case.objects.filter(number__in=case_numbers, community_id=ledger.community_id)}
        if case_numbers
        else {}
    )
    now = timezone.now()
    for r in rows:
        problems: list[RowError] = []

        def bad(key: str, reason, r=r, problems=problems) -> None:
            problems.append(RowError(r.row, header(key), str(reason)))

        text = {k: _cell_text(v) for k, v in r.values.items()}
        seq = None
        if text.get("seq"):
            try:
                seq = int(text["seq"])
                if seq <= 0:
                    raise ValueError
            except ValueError:
                bad("seq", _("序号应为正整数，或留空由系统编号。"))
                seq = None
            else:
                if seq in seen_seq:
                    bad("seq", _("与第 %(row)d 行的序号重复。") % {"row": seen_seq[seq]})
                else:
                    seen_seq[seq] = r.row
        for key in REQUIRED:
            if not text.get(key):
                bad(key, _("此项必填。"))
        place = None
        if text.get("location"):
            if len(text["location"]) > 200:
                bad("location", _("问题位置过长，最多 200 个字。"))
            place = places.resolve(text["location"])
            if place is None:
                bad(
                    "location", _("找不到该位置：应以本社区的小区/院落名称开头（可加楼栋），如“月坛北小街1号院1号楼”。")
                )
        party = None
        if text.get("party"):
            party = parties.resolve(text["party"])
            if party is PartyResolver.AMBIGUOUS:
                bad("party", _("有多个单位叫这个名称，请在系统中核对后再导入。"))
            elif party is None:
                bad("party", _("找不到该责任单位：请使用系统中登记的单位全称。"))
        deadline = None
        if text.get("deadline"):
            deadline = parse_date(r.values["deadline"])
            if deadline is None:
                bad("deadline", _("日期格式应为 2024-05-01。"))
        current = existing.get(seq) if seq is not None else None
        # An empty 整改情况 keeps a stored entry's status; a new entry starts open.
        status = current.status if current is not None else EntryStatus.OPEN
        if text.get("status"):
            status = STATUS_WORDS.get(normalise(text["status"]))
            if status is None:
                bad("status", _("整改情况应为：待整改、整改中、已整改或已撤销。"))
        done_on = None
        if text.get("done_on"):
            done_on = parse_date(r.values["done_on"])
            if done_on is None:
                bad("done_on", _("日期格式应为 2024-05-01。"))
            elif done_on > today:
                bad("done_on", _("完成日期不能晚于今天。"))
            elif status and status != EntryStatus.DONE:
                bad("done_on", _("只有“已整改”的条目才有完成日期。"))
        category = None
        if text.get("category"):
            raw = normalise(text["category"])
            category = categories.get(raw) or categories.get(raw[:5])
            if category is None:
                bad("category", _("问题类别不存在：请填写 5 位类别代码或类别名称。"))
        measure_class = ""
        if text.get("measure_class"):
            measure_class = MEASURE_WORDS.get(normalise(text["measure_class"]), "")
            if not measure_class:
                labels = "、".join(str(label) for label in MeasureClass.labels)
                bad("measure_class", _("分类施策应为：%(labels)s。") % {"labels": labels})
        campaign = None
        if text.get("campaign"):
            campaign = campaigns.get(normalise(text["campaign"]))
            if campaign is None:
                bad("campaign", _("本社区没有这个阶段性工作重点，请先在系统中设立。"))
        case = None
        if text.get("case"):
            case = cases.get(text["case"])
            if case is None:
                bad("case", _("本社区没有这个案件编号。"))
        if current is not None and status and not status_change_allowed(current.status, status):
            bad(
                "status",
                _("该条目当前为“%(from)s”，不能直接改为“%(to)s”。")
                % {"from": current.get_status_display(), "to": EntryStatus(status).label},
            )
        if problems:
            plan.errors.extend(problems)
            continue
        values = {
            "location_text": text["location"],
            "compound_id": place.compound.pk,
            "building_id": place.building.pk if place.building else None,
            "lon": place.lon,
            "lat": place.lat,
            "category_id": category.pk if category else None,
            "description": text["description"],
            "root_cause": text.get("root_cause", ""),
            "measure_class": measure_class,
            "measure": text.get("measure", ""),
            "responsible_party_id": party.pk,
            "deadline": deadline,
            "status": status,
            "result": text.get("result", ""),
            "done_on": (done_on or (current.done_on if current and current.done_on else today))
            if status == EntryStatus.DONE
            else None,
            "case_id": case.pk if case else None,
            "campaign_id": campaign.pk if campaign else None,
        }
        if current is not None:
            # Columns the file leaves out keep their stored values.
            for key, stored in KEPT_WHEN_MISSING.items():
                if key not in positions and stored:
                    values[stored] = getattr(current, stored)
            if all(getattr(current, f) == v for f, v in values.items()):
                plan.unchanged += 1
                continue
            for f, v in values.items():
                setattr(current, f, v)
            current.updated_at = now
            plan.updates.append(current)
        else:
            plan.creates.append(
                LedgerEntry(
                    ledger=ledger,
                    community_id=ledger.community_id,
                    seq=seq or 0,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
    if progress:
        progress(plan.rows)
    plan.errors.sort(key=lambda e: (e.row, list(COLUMNS).index(_key_of(e.column)) if _key_of(e.column) else -1))
    return plan


def _key_of(column: str) -> str | None:
    return next((k for k, aliases in COLUMNS.items() if aliases[0] == column), None)


def _rows_from_dicts(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[tuple[int, tuple]]]:
    """Rows given as dicts keyed by header (Chinese) or by column key, numbered as if under a header in row 1."""
    headers = [header(k) for k in EXPORT_ORDER]
    out = []
    for number, row in enumerate(rows, start=2):
        out.append((number, tuple(row.get(header(k), row.get(k)) for k in EXPORT_ORDER)))
    return headers, out


@transaction.atomic
def ledger_import(
    *,
    actor,
    ledger: Ledger,
    file: bytes | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import an .xlsx (``file``) or dict rows into ``ledger``: all rows or none. Raises ``LedgerImportError``
    listing every problem, having written nothing."""
    _require_manager(actor, ledger.community_id, gettext("导入台账"))
    if file is not None:
        header_row, cells, data = read_sheet(file)
    else:
        header_row = 1
        cells, data = _rows_from_dicts(rows or [])
    ledger = _lock_ledger(ledger)  # entries and numbering stay as checked until the writes commit
    plan = plan_import(ledger=ledger, header_cells=cells, data=data, header_row=header_row, progress=progress)
    if plan.errors:
        raise LedgerImportError(plan.errors)
    taken = {e.seq for e in LedgerEntry.objects.filter(ledger=ledger).only("seq")} | {
        e.seq for e in plan.creates if e.seq
    }
    next_seq = max(taken, default=0) + 1
    for entry in plan.creates:
        if not entry.seq:
            entry.seq = next_seq
            next_seq += 1
    created = LedgerEntry.objects.bulk_create(plan.creates, batch_size=1000)
    if plan.updates:
        LedgerEntry.objects.bulk_update(plan.updates, [*ENTRY_FIELDS, "updated_at"], batch_size=1000)
    return ImportResult(
        created=len(created), updated=len(plan.updates), unchanged=plan.unchanged, entries=created + plan.updates
    )


def count_rows(content: bytes) -> int:
    """Data rows under the header (blank lines included); for choosing between now and the background."""
    header_row, _cells, data = read_sheet(content)
    return sum(1 for _ in data)


# ---------------------------------------------------------------- export

THUMB_HEIGHT = 60
THIN = Side(style="thin", color="999999")


def _thumbnail_bytes(photo) -> bytes | None:
    try:
        with photo.thumbnail.open("rb") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def ledger_export(
    *, ledger: Ledger, entries: Iterable[LedgerEntry], base_url: str = "", embed_photos: bool = True
) -> bytes:
    """The offices' layout is Chinese whatever the page's language, so a file always imports back."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _ledger_export(ledger=ledger, entries=entries, base_url=base_url, embed_photos=embed_photos)


def _ledger_export(
    *, ledger: Ledger, entries: Iterable[LedgerEntry], base_url: str = "", embed_photos: bool = True
) -> bytes:
    """The entries as the offices' .xlsx. ``entries`` come from ``selectors.entry_export_rows`` (photos,
    party, category, campaign and case prefetched). Photos: thumbnails in the 照片 column and a link to the
    entry's page, where the full pictures are."""
    from django.urls import reverse

    wb = Workbook()
    ws = wb.active
    ws.title = ledger.name[:31]
    keys = EXPORT_ORDER
    ws.cell(row=1, column=1, value=f"{ledger.community.name}{ledger.name}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.row_dimensions[1].height = 28
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, key in enumerate(keys, start=1):
        cell = ws.cell(row=2, column=col, value=header(key))
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    widths = {
        "seq": 6,
        "location": 24,
        "description": 36,
        "party": 22,
        "measure": 28,
        "deadline": 12,
        "status": 10,
        "photos": 22,
        "category": 16,
        "root_cause": 24,
        "measure_class": 10,
        "done_on": 12,
        "result": 24,
        "campaign": 16,
        "case": 18,
    }
    for col, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths[key]
    ws.freeze_panes = "B3"
    photo_col = keys.index("photos")
    row = 2
    for entry in entries:
        row += 1
        photos = list(entry.photos.all())
        before = [p for p in photos if p.kind == PhotoKind.BEFORE]
        after = [p for p in photos if p.kind == PhotoKind.AFTER]
        values = {
            "seq": entry.seq,
            "location": entry.location_text,
            "description": entry.description,
            "party": entry.responsible_party.name if entry.responsible_party_id else "",
            "measure": entry.measure,
            "deadline": entry.deadline,
            "status": entry.get_status_display(),
            "photos": "",
            "category": f"{entry.category.code} {entry.category.name}" if entry.category_id else "",
            "root_cause": entry.root_cause,
            "measure_class": entry.get_measure_class_display() if entry.measure_class else "",
            "done_on": entry.done_on,
            "result": entry.result,
            "campaign": entry.campaign.title if entry.campaign_id else "",
            "case": entry.case.number if entry.case_id else "",
        }
        for col, key in enumerate(keys, start=1):
            cell = ws.cell(row=row, column=col, value=values[key])
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            if key in ("deadline", "done_on") and values[key]:
                cell.number_format = "yyyy-mm-dd"
        if photos:
            link = base_url + reverse("ledgers:entry", args=[entry.pk])
            cell = ws.cell(row=row, column=photo_col + 1)
            cell.value = str(_("前 %(b)d 张 / 后 %(a)d 张") % {"b": len(before), "a": len(after)})
            cell.hyperlink = link
            cell.font = Font(color="0563C1", underline="single")
            cell.alignment = Alignment(vertical="bottom", wrap_text=True)
            if embed_photos:
                x = 2
                for p in [*before[:1], *after[:1]]:
                    data = _thumbnail_bytes(p.photo)
                    if not data:
                        continue
                    image = XLImage(io.BytesIO(data))
                    ratio = THUMB_HEIGHT / max(image.height, 1)
                    width = max(1, int(image.width * ratio))
                    marker = AnchorMarker(col=photo_col, colOff=pixels_to_EMU(x), row=row - 1, rowOff=pixels_to_EMU(2))
                    image.anchor = OneCellAnchor(
                        _from=marker, ext=XDRPositiveSize2D(pixels_to_EMU(width), pixels_to_EMU(THUMB_HEIGHT))
                    )
                    ws.add_image(image)
                    x += width + 4
                ws.row_dimensions[row].height = THUMB_HEIGHT * 0.75 + 18  # points; the link text sits below
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_bytes(ledger: Ledger) -> bytes:
    """An empty sheet in the layout, to fill in."""
    return ledger_export(ledger=ledger, entries=[], embed_photos=False)
