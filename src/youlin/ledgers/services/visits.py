"""Door-to-door visits (下户进门): a building captain's visit with the problems found, each finding turned into a
case (channel door_to_door) or a ledger entry in one step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases.errors import CaseError
from youlin.domain.writes import actor_user
from youlin.ledgers.errors import LedgerError, LedgerErrorCode
from youlin.ledgers.models import Ledger, LedgerEntry, Visit, VisitFinding
from youlin.ledgers.services.checks import invalid, manages, person_of
from youlin.ledgers.services.entries import ledger_entry_create
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Entrance

_DENIED = {"permission_denied", "outside_jurisdiction"}


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
        recorded_by=actor_user(actor),
        person=person_of(actor),
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
