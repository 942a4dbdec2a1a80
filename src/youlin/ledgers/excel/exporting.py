"""A ledger exported as the .xlsx community offices keep: their layout (in Chinese whatever the page's language,
so the file always imports back), photo thumbnails in the 照片 column and a link to each entry's page."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from openpyxl.drawing.image import Image as XLImage
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU

from youlin.domain import exports
from youlin.ledgers.excel.columns import EXPORT_ORDER, header
from youlin.ledgers.models import Ledger, LedgerEntry, PhotoKind

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

    wb = exports.workbook()
    ws = wb.active
    ws.title = exports.sheet_title(ledger.name)
    keys = EXPORT_ORDER
    exports.put(ws, 1, 1, f"{ledger.community.name}{ledger.name}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.row_dimensions[1].height = 28
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, key in enumerate(keys, start=1):
        cell = exports.put(ws, 2, col, header(key))
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
            "category": f"{entry.category.code} {entry.category.label}" if entry.category_id else "",
            "root_cause": entry.root_cause,
            "measure_class": entry.get_measure_class_display() if entry.measure_class else "",
            "done_on": entry.done_on,
            "result": entry.result,
            "campaign": entry.campaign.title if entry.campaign_id else "",
            "case": entry.case.number if entry.case_id else "",
        }
        for col, key in enumerate(keys, start=1):
            cell = exports.put(ws, row, col, values[key])
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            if key in ("deadline", "done_on") and values[key]:
                cell.number_format = "yyyy-mm-dd"
        if photos:
            link = base_url + reverse("ledgers:entry", args=[entry.pk])
            cell = exports.put(
                ws, row, photo_col + 1, _("前 %(b)d 张 / 后 %(a)d 张") % {"b": len(before), "a": len(after)}
            )
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
    return exports.workbook_bytes(wb)


def template_bytes(ledger: Ledger) -> bytes:
    """An empty sheet in the layout, to fill in."""
    return ledger_export(ledger=ledger, entries=[], embed_photos=False)
