"""Ledger entries: added (located on the map or by a place name in the ledger's community), moved through their
states with the after photos, and given more photos.

Ledger entry states::

    open ─start→ in_progress ─complete→ done ─reopen→ in_progress
      │  └──────────complete───────────↗
      └─cancel→ cancelled ─restore→ open        (in_progress ─cancel→ cancelled too)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.domain.writes import actor_user
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import Campaign, EntryStatus, Ledger, LedgerEntry, LedgerEntryPhoto, MeasureClass, PhotoKind
from youlin.ledgers.resolvers import PlaceResolver
from youlin.ledgers.services.checks import (
    check_links,
    check_photos,
    invalid,
    lock_ledger,
    next_seq,
    require_manager,
    store_photos,
    text,
)
from youlin.parties.models import Organisation
from youlin.photos.models import Photo
from youlin.places.geo import GeometryError
from youlin.places.selectors import locate

# action → (statuses it may start from, status it leads to)
ENTRY_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({EntryStatus.OPEN}), EntryStatus.IN_PROGRESS),
    "complete": (frozenset({EntryStatus.OPEN, EntryStatus.IN_PROGRESS}), EntryStatus.DONE),
    "reopen": (frozenset({EntryStatus.DONE}), EntryStatus.IN_PROGRESS),
    "cancel": (frozenset({EntryStatus.OPEN, EntryStatus.IN_PROGRESS}), EntryStatus.CANCELLED),
    "restore": (frozenset({EntryStatus.CANCELLED}), EntryStatus.OPEN),
}


ENTRY_ACTION_LABELS = {
    "start": _("开始整改"),
    "complete": _("整改完成"),
    "reopen": _("重新整改"),
    "cancel": _("撤销"),
    "restore": _("恢复"),
}


def status_change_allowed(from_status: str, to_status: str) -> bool:
    """Whether a ledger entry may go from one status to another in one step (the import uses this too)."""
    if from_status == to_status:
        return True
    return any(from_status in sources and to_status == target for sources, target in ENTRY_TRANSITIONS.values())


@transaction.atomic
def ledger_entry_create(
    *,
    actor,
    ledger: Ledger,
    description: str,
    location_text: str = "",
    lon: float | None = None,
    lat: float | None = None,
    category=None,
    root_cause: str = "",
    measure_class: str = "",
    measure: str = "",
    responsible_party: Organisation | None = None,
    deadline: date | None = None,
    case=None,
    campaign: Campaign | None = None,
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> LedgerEntry:
    """Add an entry to a ledger. The place is located like a case (a point on the map) or named
    (``月坛北小街1号院1号楼``); either way it must lie in the ledger's community. ``photos`` show the problem."""
    require_manager(actor, ledger.community_id, _("登记台账"))
    description = text(description, _("请描述问题：什么问题、在哪里。"), "description")
    if measure_class and measure_class not in MeasureClass.values:
        raise invalid(_("措施类别不正确。"), field="measure_class")
    check_links(ledger, case=case, campaign=campaign, responsible_party=responsible_party)
    compound = building = None
    if lon is not None and lat is not None:
        try:
            where = locate(lon, lat)
        except GeometryError as exc:
            raise LedgerError(LedgerErrorCode.UNKNOWN_PLACE, exc.message, field="location") from None
        if where.community.pk != ledger.community_id:
            raise LedgerError(
                LedgerErrorCode.OUTSIDE_COMMUNITY, _("该位置不在本台账所属社区内，请重新选择。"), field="location"
            )
        compound, building, lon, lat = where.compound, where.building, where.lon, where.lat
        location_text = (location_text or "").strip() or where.label
    else:
        place = PlaceResolver(ledger.community_id).resolve(location_text)
        if place is None:
            raise LedgerError(
                LedgerErrorCode.UNKNOWN_PLACE,
                _("找不到该位置：请填写本社区的小区/院落名称（可加楼栋），或在地图上选点。"),
                field="location_text",
            )
        compound, building, lon, lat = place.compound, place.building, place.lon, place.lat
        location_text = location_text.strip()
    if len(location_text) > 200:
        raise invalid(_("问题位置过长，最多 200 个字。"), field="location_text")
    uploads = check_photos(photos)
    now = now or timezone.now()
    ledger = lock_ledger(ledger)
    entry = LedgerEntry.objects.create(
        ledger=ledger,
        community_id=ledger.community_id,
        seq=next_seq(ledger),
        location_text=location_text,
        compound=compound,
        building=building,
        lon=lon,
        lat=lat,
        category=category,
        description=description,
        root_cause=root_cause.strip(),
        measure_class=measure_class,
        measure=measure.strip(),
        responsible_party=responsible_party,
        deadline=deadline,
        case=case,
        campaign=campaign,
        created_by=actor_user(actor),
        created_at=now,
        updated_at=now,
    )
    for photo in store_photos(actor, uploads):
        LedgerEntryPhoto.objects.create(entry=entry, photo=photo, kind=PhotoKind.BEFORE)
    return entry


@transaction.atomic
def ledger_entry_transition(
    *,
    actor,
    entry: LedgerEntry,
    action: str,
    result: str = "",
    done_on: date | None = None,
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> LedgerEntry:
    """One step of an entry (``ENTRY_TRANSITIONS``). Completing records the date and the after photos."""
    if action not in ENTRY_TRANSITIONS:
        raise invalid(_("不支持的操作。"), field="action")
    require_manager(actor, entry.community_id, ENTRY_ACTION_LABELS[action])
    current = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    sources, target = ENTRY_TRANSITIONS[action]
    if current.status not in sources:
        raise LedgerError(
            LedgerErrorCode.ILLEGAL_TRANSITION,
            _("该条目当前为“%(status)s”，不能%(action)s。请刷新页面查看最新情况。")
            % {"status": current.get_status_display(), "action": ENTRY_ACTION_LABELS[action]},
        )
    uploads = check_photos(photos)
    now = now or timezone.now()
    current.status = target
    current.updated_at = now
    if target == EntryStatus.DONE:
        current.done_on = done_on or timezone.localdate(now)
        if current.done_on > timezone.localdate(now):
            raise invalid(_("完成日期不能晚于今天。"), field="done_on")
    elif target != EntryStatus.DONE:
        current.done_on = None
    if result.strip():
        current.result = result.strip()
    current.save(update_fields=["status", "done_on", "result", "updated_at"])
    kind = PhotoKind.AFTER if target == EntryStatus.DONE else PhotoKind.BEFORE
    for photo in store_photos(actor, uploads):
        LedgerEntryPhoto.objects.create(entry=current, photo=photo, kind=kind)
    return current


@transaction.atomic
def ledger_entry_photo_add(*, actor, entry: LedgerEntry, kind: str, photos: Sequence[UploadedFile]) -> list[Photo]:
    require_manager(actor, entry.community_id, _("上传台账照片"))
    if kind not in PhotoKind.values:
        raise invalid(_("照片类型不正确。"), field="kind")
    uploads = check_photos(photos)
    if not uploads:
        raise invalid(_("请选择照片。"), field="photos")
    stored = store_photos(actor, uploads)
    LedgerEntryPhoto.objects.bulk_create([LedgerEntryPhoto(entry=entry, photo=p, kind=kind) for p in stored])
    return stored
