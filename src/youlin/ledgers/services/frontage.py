"""Frontage duties (门前三包): agreements signed with shops and units, and inspections; the third failure within
60 days opens a case (channel patrol) once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.access import policy
from youlin.domain.writes import actor_user
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import FrontageDuty, FrontageInspection
from youlin.ledgers.services.checks import check_photos, invalid, person_of, require_manager, store_photos, text
from youlin.parties.models import Organisation
from youlin.places.geo import GeometryError
from youlin.places.selectors import locate

FRONTAGE_WINDOW = timedelta(days=60)
FRONTAGE_FAILURES = 3
FRONTAGE_CATEGORY = "09080"  # 门前三包不落实 (local extension)


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
    require_manager(actor, where.community, _("签订门前三包责任书"))
    name = text(name, _("请填写商户或单位名称。"), "name", max_length=100)
    address = text(address, _("请填写门前位置。"), "address", max_length=200)
    responsible_person = text(responsible_person, _("请填写责任人。"), "responsible_person", max_length=64)
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
        inspector=actor_user(actor),
        sanitation_ok=sanitation_ok,
        order_ok=order_ok,
        greening_ok=greening_ok,
        passed=passed,
        note=note.strip(),
    )
    stored = store_photos(actor, uploads)
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
    person = person_of(actor)
    case = cases.case_register(
        actor=actor,
        category=category,
        description=ngettext(
            "门前三包：%(name)s（%(address)s）60 天内 %(n)d 次检查不合格（%(days)s）。最近一次：%(note)s",
            "门前三包：%(name)s（%(address)s）60 天内 %(n)d 次检查不合格（%(days)s）。最近一次：%(note)s",
            len(failures),
        )
        % {"name": duty.name, "address": duty.address, "n": len(failures), "days": days, "note": note.strip()},
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
