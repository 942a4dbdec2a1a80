"""Every write of ledgers and community work. Each service is keyword-only and atomic, checks the actor against
the access policy, and raises ``LedgerError`` (stable code, a message that says what to do).

Ledger entry states::

    open ─start→ in_progress ─complete→ done ─reopen→ in_progress
      │  └──────────complete───────────↗
      └─cancel→ cancelled ─restore→ open        (in_progress ─cancel→ cancelled too)

Cases are opened only through ``youlin.cases.services.case_register``: a visit's finding (channel
door_to_door) and the frontage-duty escalation (channel patrol, by the inspector who recorded the third failure).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases.errors import CaseError
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import (
    Campaign,
    CampaignCase,
    EntryStatus,
    FrontageDuty,
    FrontageInspection,
    Ledger,
    LedgerEntry,
    LedgerEntryPhoto,
    MeasureClass,
    PhotoKind,
    Visit,
    VisitFinding,
    ZoneLog,
)
from youlin.ledgers.resolvers import PlaceResolver
from youlin.parties.models import Membership, Organisation, Person, Responsibility
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, photo_create, photo_prepare
from youlin.places.geo import GeometryError, shape_from_geojson
from youlin.places.models import Building, Community, Entrance, Zone
from youlin.places.selectors import locate

MAX_PHOTOS = 9
FRONTAGE_WINDOW = timedelta(days=60)
FRONTAGE_FAILURES = 3
FRONTAGE_CATEGORY = "09080"  # 门前三包不落实 (local extension)
_DENIED = {"permission_denied", "outside_jurisdiction"}

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


# ---------------------------------------------------------------- helpers


def invalid(message, *, field: str | None = None) -> LedgerError:
    return LedgerError(LedgerErrorCode.INVALID_INPUT, message, field=field)


def _community_id(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def manages(actor, community) -> bool:
    j = policy.jurisdiction_of(actor)
    return j.everything or _community_id(community) in j.manage_community_ids


def _require_manager(actor, community, what) -> None:
    if not manages(actor, community):
        raise LedgerError(
            LedgerErrorCode.PERMISSION_DENIED,
            _("只有本社区工作人员可以%(what)s。如需办理，请联系社区。") % {"what": what},
        )


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _person(actor) -> Person | None:
    j = policy.jurisdiction_of(actor)
    return Person.objects.filter(pk=j.person_id).first() if j.person_id else None


def _text(value, message, field: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(message, field=field)
    if max_length and len(value) > max_length:
        raise invalid(_("内容过长，最多 %(n)d 个字。") % {"n": max_length}, field=field)
    return value


def check_photos(uploads: Sequence[UploadedFile]) -> list[UploadedFile]:
    """All photos are checked before anything is written."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_PHOTOS:
        raise invalid(_("每次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    for upload in uploads:
        try:
            photo_prepare(upload)
        except PhotoError as exc:
            raise invalid(exc.message, field="photos") from None
    return uploads


def _store_photos(actor, uploads: Sequence[UploadedFile]) -> list[Photo]:
    return [photo_create(actor=actor, upload=u) for u in uploads]


# ---------------------------------------------------------------- ledgers and campaigns


@transaction.atomic
def ledger_ensure(*, community: Community, kind: str, name: str, description: str = "") -> Ledger:
    """A community's ledger by name, created if missing (for set-up and the demo; no actor)."""
    ledger, _created = Ledger.objects.get_or_create(
        community=community, name=name, defaults={"kind": kind, "description": description}
    )
    return ledger


@transaction.atomic
def ledger_create(
    *, actor, community: Community, name: str, kind: str = Ledger.Kind.CUSTOM, description: str = ""
) -> Ledger:
    """A ledger type the community defines itself (or one of the two standard ones)."""
    _require_manager(actor, community, _("新建台账"))
    name = _text(name, _("请填写台账名称。"), "name", max_length=80)
    if kind not in Ledger.Kind.values:
        raise invalid(_("台账类型不正确。"), field="kind")
    if Ledger.objects.filter(community=community, name=name).exists():
        raise invalid(_("本社区已有同名台账，请换一个名称。"), field="name")
    return Ledger.objects.create(community=community, kind=kind, name=name, description=description.strip())


@transaction.atomic
def campaign_create(
    *,
    actor,
    community: Community,
    title: str,
    starts_on: date,
    ends_on: date | None = None,
    target_count: int = 0,
    description: str = "",
) -> Campaign:
    _require_manager(actor, community, _("设立阶段性工作重点"))
    title = _text(title, _("请填写工作重点名称，如“清理堆物堆料”。"), "title", max_length=80)
    if starts_on is None:
        raise invalid(_("请填写开始日期。"), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise invalid(_("结束日期不能早于开始日期。"), field="ends_on")
    if target_count is None or target_count < 0:
        raise invalid(_("目标数不能为负数。"), field="target_count")
    if Campaign.objects.filter(community=community, title=title).exists():
        raise invalid(_("本社区已有同名工作重点。"), field="title")
    return Campaign.objects.create(
        community=community,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        target_count=target_count,
        description=description.strip(),
        created_by=_user(actor),
    )


@transaction.atomic
def campaign_case_link(*, actor, campaign: Campaign, case) -> CampaignCase:
    """Count a case towards a campaign (a case of the campaign's community only)."""
    _require_manager(actor, campaign.community_id, _("关联案件"))
    if case.community_id != campaign.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的案件。"), field="case")
    link, _created = CampaignCase.objects.get_or_create(campaign=campaign, case=case)
    return link


# ---------------------------------------------------------------- ledger entries


def _next_seq(ledger: Ledger) -> int:
    # The ledger row is locked by the caller, so two writers never take the same number.
    return (LedgerEntry.objects.filter(ledger=ledger).aggregate(m=Max("seq"))["m"] or 0) + 1


def _lock_ledger(ledger: Ledger) -> Ledger:
    return Ledger.objects.select_for_update().get(pk=ledger.pk)


def _check_links(ledger: Ledger, *, case=None, campaign=None, responsible_party=None) -> None:
    if case is not None and case.community_id != ledger.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的案件。"), field="case")
    if campaign is not None and campaign.community_id != ledger.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能关联本社区的工作重点。"), field="campaign")
    if responsible_party is not None and not isinstance(responsible_party, Organisation):
        raise invalid(_("责任单位不正确。"), field="responsible_party")


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
    _require_manager(actor, ledger.community_id, _("登记台账"))
    description = _text(description, _("请描述问题：什么问题、在哪里。"), "description")
    if measure_class and measure_class not in MeasureClass.values:
        raise invalid(_("措施类别不正确。"), field="measure_class")
    _check_links(ledger, case=case, campaign=campaign, responsible_party=responsible_party)
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
    ledger = _lock_ledger(ledger)
    entry = LedgerEntry.objects.create(
        ledger=ledger,
        community_id=ledger.community_id,
        seq=_next_seq(ledger),
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
        created_by=_user(actor),
        created_at=now,
        updated_at=now,
    )
    for photo in _store_photos(actor, uploads):
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
    _require_manager(actor, entry.community_id, ENTRY_ACTION_LABELS[action])
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
    for photo in _store_photos(actor, uploads):
        LedgerEntryPhoto.objects.create(entry=current, photo=photo, kind=kind)
    return current


@transaction.atomic
def ledger_entry_photo_add(*, actor, entry: LedgerEntry, kind: str, photos: Sequence[UploadedFile]) -> list[Photo]:
    _require_manager(actor, entry.community_id, _("上传台账照片"))
    if kind not in PhotoKind.values:
        raise invalid(_("照片类型不正确。"), field="kind")
    uploads = check_photos(photos)
    if not uploads:
        raise invalid(_("请选择照片。"), field="photos")
    stored = _store_photos(actor, uploads)
    LedgerEntryPhoto.objects.bulk_create([LedgerEntryPhoto(entry=entry, photo=p, kind=kind) for p in stored])
    return stored


# ---------------------------------------------------------------- door-to-door visits


def _may_record_visit(actor, community_id: int) -> bool:
    j = policy.jurisdiction_of(actor)
    return j.everything or community_id in j.view_community_ids  # staff, captains, grid workers, branch secretaries


@transaction.atomic
def visit_record(
    *,
    actor,
    building: Building,
    visited_on: date,
    households_reached: int,
    entrance: Entrance | None = None,
    note: str = "",
    findings: Sequence[str] = (),
) -> Visit:
    """A building captain's door-to-door visit, with the problems found (each one a ``VisitFinding``)."""
    community_id = Building.objects.values_list("compound__community_id", flat=True).get(pk=building.pk)
    if not _may_record_visit(actor, community_id):
        raise LedgerError(
            LedgerErrorCode.PERMISSION_DENIED, _("只有本社区的楼门长、网格员和社区工作人员可以登记下户走访。")
        )
    if entrance is not None and entrance.building_id != building.pk:
        raise invalid(_("所选单元不属于该楼栋。"), field="entrance")
    if visited_on is None or visited_on > timezone.localdate():
        raise invalid(_("走访日期不能晚于今天。"), field="visited_on")
    if households_reached is None or households_reached < 0:
        raise invalid(_("走访户数不能为负数。"), field="households_reached")
    if building.households and households_reached > building.households:
        raise invalid(
            _("走访户数超过了该楼的户数（%(n)d 户），请核对。") % {"n": building.households},
            field="households_reached",
        )
    visit = Visit.objects.create(
        community_id=community_id,
        building=building,
        entrance=entrance,
        visited_on=visited_on,
        households_reached=households_reached,
        note=note.strip(),
        recorded_by=_user(actor),
        person=_person(actor),
    )
    texts = [t.strip() for t in findings if t and t.strip()]
    VisitFinding.objects.bulk_create([VisitFinding(visit=visit, description=t) for t in texts])
    return visit


def _finding_for_update(finding: VisitFinding) -> VisitFinding:
    current = VisitFinding.objects.select_for_update().select_related("visit__building__compound").get(pk=finding.pk)
    if current.case_id or current.ledger_entry_id:
        raise LedgerError(LedgerErrorCode.ALREADY_DONE, _("该问题已转为案件或台账，请勿重复操作。"))
    return current


@transaction.atomic
def finding_to_case(*, actor, finding: VisitFinding, category, photos: Sequence[UploadedFile] = ()):
    """Open a case from a visit's finding in one step (channel 下户进门), at the visited building."""
    from youlin.cases import services as cases

    current = _finding_for_update(finding)
    visit = current.visit
    j = policy.jurisdiction_of(actor)
    is_recorder = visit.recorded_by_id is not None and visit.recorded_by_id == getattr(actor, "pk", None)
    if not (is_recorder or manages(actor, visit.community_id)) or not (
        j.everything or visit.community_id in j.view_community_ids
    ):
        raise LedgerError(LedgerErrorCode.PERMISSION_DENIED, _("只有走访人或社区工作人员可以把走访发现转为案件。"))
    building = visit.building
    if not building.geometry:
        raise invalid(_("该楼栋没有位置数据，请在案件上报页面选点上报。"))
    point = shape_from_geojson(building.geometry).representative_point()
    place = f"{building.compound.name}{building.name}" + (f"{visit.entrance.name}" if visit.entrance_id else "")
    try:
        case = cases.case_register(
            actor=actor,
            category=category,
            description=current.description,
            lon=point.x,
            lat=point.y,
            channel="door_to_door",
            address=place,
            photos=photos,
        )
    except CaseError as exc:
        code = LedgerErrorCode.PERMISSION_DENIED if exc.code in _DENIED else LedgerErrorCode.INVALID_INPUT
        raise LedgerError(code, exc.message, field=exc.field) from None
    current.case = case
    current.save(update_fields=["case"])
    return case


@transaction.atomic
def finding_to_entry(*, actor, finding: VisitFinding, ledger: Ledger, **fields) -> LedgerEntry:
    """Put a visit's finding on a ledger of the same community in one step."""
    current = _finding_for_update(finding)
    visit = current.visit
    if ledger.community_id != visit.community_id:
        raise LedgerError(LedgerErrorCode.OUTSIDE_COMMUNITY, _("只能转入本社区的台账。"), field="ledger")
    building = visit.building
    location = f"{building.compound.name}{building.name}" + (visit.entrance.name if visit.entrance_id else "")
    entry = ledger_entry_create(
        actor=actor, ledger=ledger, description=current.description, location_text=location, **fields
    )
    current.ledger_entry = entry
    current.save(update_fields=["ledger_entry"])
    return entry


# ---------------------------------------------------------------- frontage duties


@transaction.atomic
def frontage_duty_create(
    *,
    actor,
    name: str,
    address: str,
    lon: float,
    lat: float,
    responsible_person: str,
    responsible_phone: str = "",
    organisation: Organisation | None = None,
    sanitation: bool = True,
    order: bool = True,
    greening: bool = True,
    signed_on: date | None = None,
) -> FrontageDuty:
    """Sign a frontage agreement (门前三包责任书) with a shop or unit, located like a case."""
    try:
        where = locate(lon, lat)
    except GeometryError as exc:
        raise LedgerError(LedgerErrorCode.UNKNOWN_PLACE, exc.message, field="location") from None
    _require_manager(actor, where.community, _("签订门前三包责任书"))
    name = _text(name, _("请填写商户或单位名称。"), "name", max_length=100)
    address = _text(address, _("请填写门前位置。"), "address", max_length=200)
    responsible_person = _text(responsible_person, _("请填写责任人。"), "responsible_person", max_length=64)
    if not (sanitation or order or greening):
        raise invalid(_("卫生、秩序、绿化至少包一项。"))
    if FrontageDuty.objects.filter(community=where.community, name=name).exists():
        raise invalid(_("本社区已有该商户/单位的责任书。"), field="name")
    return FrontageDuty.objects.create(
        community=where.community,
        name=name,
        address=address,
        organisation=organisation,
        responsible_person=responsible_person,
        responsible_phone=responsible_phone.strip(),
        lon=where.lon,
        lat=where.lat,
        sanitation=sanitation,
        order=order,
        greening=greening,
        signed_on=signed_on or timezone.localdate(),
    )


@transaction.atomic
def frontage_inspect(
    *,
    actor,
    duty: FrontageDuty,
    sanitation_ok: bool = True,
    order_ok: bool = True,
    greening_ok: bool = True,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> FrontageInspection:
    """Record an inspection: passed when every duty the agreement covers is met. The third failure within 60
    days (counting only failures after the last escalation) opens a case automatically, once."""
    from youlin.cases import services as cases
    from youlin.cases.models import Category

    j = policy.jurisdiction_of(actor)
    if not (j.everything or duty.community_id in j.view_community_ids):
        raise LedgerError(LedgerErrorCode.PERMISSION_DENIED, _("只有本社区工作人员、网格员和楼门长可以检查门前三包。"))
    duty = FrontageDuty.objects.select_for_update().get(pk=duty.pk)  # one escalation, even under concurrent inspections
    if not duty.is_active:
        raise invalid(_("该责任书已失效，不能再检查。"))
    uploads = check_photos(photos)
    now = now or timezone.now()
    passed = (
        (sanitation_ok or not duty.sanitation) and (order_ok or not duty.order) and (greening_ok or not duty.greening)
    )
    if not passed and not note.strip():
        raise invalid(_("不合格时请写明问题，便于整改。"), field="note")
    inspection = FrontageInspection.objects.create(
        duty=duty,
        inspected_at=now,
        inspector=_user(actor),
        sanitation_ok=sanitation_ok,
        order_ok=order_ok,
        greening_ok=greening_ok,
        passed=passed,
        note=note.strip(),
    )
    stored = _store_photos(actor, uploads)
    if stored:
        inspection.photos.add(*stored)
    if passed:
        return inspection
    since = now - FRONTAGE_WINDOW
    last_escalation = (
        FrontageInspection.objects.filter(duty=duty, escalated_case__isnull=False)
        .order_by("-inspected_at")
        .values_list("inspected_at", flat=True)
        .first()
    )
    if last_escalation is not None and last_escalation > since:
        since = last_escalation
    failures = list(
        FrontageInspection.objects.filter(duty=duty, passed=False, inspected_at__gt=since, inspected_at__lte=now)
        .exclude(pk=inspection.pk)
        .order_by("inspected_at")
        .values_list("inspected_at", flat=True)
    ) + [now]
    if len(failures) < FRONTAGE_FAILURES:
        return inspection
    category = Category.objects.filter(code=FRONTAGE_CATEGORY, kind=Category.Kind.MATTER, is_active=True).first()
    if category is None:
        return inspection  # categories not loaded: nothing to open the case under
    days = "、".join(f"{timezone.localtime(t):%m-%d}" for t in failures)
    person = _person(actor)
    case = cases.case_register(
        actor=actor,
        category=category,
        description=str(
            _("门前三包：%(name)s（%(address)s）60 天内 %(n)d 次检查不合格（%(days)s）。最近一次：%(note)s")
            % {"name": duty.name, "address": duty.address, "n": len(failures), "days": days, "note": note.strip()}
        ),
        lon=duty.lon,
        lat=duty.lat,
        channel="patrol",
        address=duty.address,
        reporter_name="" if person else str(actor)[:64],
        reporter_phone="" if person else (duty.responsible_phone or "-"),
    )
    inspection.escalated_case = case
    inspection.save(update_fields=["escalated_case"])
    return inspection


# ---------------------------------------------------------------- zone responsibility


def zone_groups(zone: Zone) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            responsibilities__zone=zone, responsibilities__duty=Responsibility.Duty.GARDEN_GROUP
        ).distinct()
    )


@transaction.atomic
def zone_log_record(
    *,
    actor,
    zone: Zone,
    kind: str,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
    logged_at: datetime | None = None,
) -> ZoneLog:
    """A garden group member's patrol or maintenance of the group's zone; community staff may log any zone."""
    if kind not in ZoneLog.Kind.values:
        raise invalid(_("日志类型应为巡查或养护。"), field="kind")
    groups = zone_groups(zone)
    j = policy.jurisdiction_of(actor)
    member_of = [g for g in groups if g.pk in j.organisation_ids]
    holds_zone = j.person_id is not None and Membership.objects.filter(person_id=j.person_id, zone=zone).exists()
    if not (member_of or holds_zone or manages(actor, zone.community_id)):
        raise LedgerError(LedgerErrorCode.PERMISSION_DENIED, _("只有负责该片区的花园管理小组成员可以记录日志。"))
    now = timezone.now()
    logged_at = logged_at or now
    if logged_at > now:
        raise invalid(_("时间不能晚于现在。"), field="logged_at")
    uploads = check_photos(photos)
    organisation = member_of[0] if member_of else (groups[0] if groups else None)
    log = ZoneLog.objects.create(
        zone=zone,
        organisation=organisation,
        kind=kind,
        logged_at=logged_at,
        note=note.strip(),
        recorded_by=_user(actor),
        person=_person(actor),
    )
    stored = _store_photos(actor, uploads)
    if stored:
        log.photos.add(*stored)
    return log
