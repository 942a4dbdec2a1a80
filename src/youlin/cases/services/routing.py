"""Categories and routing rules (the defaults every district starts from), staff re-routing a case, and staff
correcting its category or place (更正, from the triage queue)."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import categories as category_data
from youlin.cases import errors
from youlin.cases.models import (
    Case,
    CaseAssignment,
    Category,
    EventKind,
    PlaceKind,
    RoutingRule,
    Triage,
)
from youlin.cases.permissions import require as _require
from youlin.cases.selectors import category_time_limit, route
from youlin.cases.services.base import (
    _check_transition,
    _fresh,
    _required_text,
    _sync,
    _write,
)
from youlin.cases.services.followers import _refollow
from youlin.cases.signals import category_corrected
from youlin.parties.models import Organisation, Responsibility
from youlin.places.geo import WGS84, GeometryError
from youlin.places.selectors import Location, locate

Duty = Responsibility.Duty

# ---------------------------------------------------------------- categories and routing rules


@transaction.atomic
def category_load() -> int:
    """Load or refresh the GB/T 47678.5 categories and the local extensions; returns rows written."""
    return category_data.upsert_categories(Category)


def routing_rules_default() -> list[dict[str, Any]]:
    """District-wide default routing rules (community left empty). Each has a fixed ``key`` so seeding twice
    changes nothing. Categories are named by (kind, code) and resolved when seeding."""
    matter = Category.Kind.MATTER
    greenery = [("04080", "树坑破损"), ("06017", "绿地脏乱"), ("06018", "绿化弃料"), ("06021", "病虫害")]
    rules: list[dict[str, Any]] = [
        # Inside a compound: its property manager, else its owner unit.
        {"key": "building-pm", "place_kind": PlaceKind.BUILDING, "duty": Duty.PROPERTY_MANAGER, "priority": 10},
        {"key": "building-owner", "place_kind": PlaceKind.BUILDING, "duty": Duty.OWNER_UNIT, "priority": 20},
        {"key": "compound-pm", "place_kind": PlaceKind.COMPOUND, "duty": Duty.PROPERTY_MANAGER, "priority": 10},
        {"key": "compound-owner", "place_kind": PlaceKind.COMPOUND, "duty": Duty.OWNER_UNIT, "priority": 20},
        {
            "key": "compound-committee",
            "place_kind": PlaceKind.COMPOUND,
            "duty": Duty.MANAGEMENT_COMMITTEE,
            "priority": 30,
        },
        # Green space under zone responsibility: its garden group.
        {"key": "zone-garden", "place_kind": PlaceKind.ZONE, "duty": Duty.GARDEN_GROUP, "priority": 10},
        # Streets and public space: the urban-management office.
        {"key": "public-urban", "place_kind": PlaceKind.PUBLIC, "duty": Duty.URBAN_MANAGEMENT, "priority": 10},
        # Enforcement matters go to urban management wherever they are.
        {
            "key": "illegal-building",
            "category": (matter, "06001"),
            "place_kind": PlaceKind.ANY,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
        {
            "key": "frontage-duty",
            "category": (matter, "09080"),
            "place_kind": PlaceKind.ANY,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
        {
            "key": "street-order",
            "category_major": "09",
            "place_kind": PlaceKind.PUBLIC,
            "duty": Duty.URBAN_MANAGEMENT,
            "priority": 10,
        },
    ]
    for code, _name in greenery:
        rules.append(
            {
                "key": f"greenery-{code}",
                "category": (matter, code),
                "place_kind": PlaceKind.ZONE,
                "duty": Duty.GARDEN_GROUP,
                "priority": 10,
            }
        )
    return rules


def seed_routing_rules(rule_model, category_model) -> int:
    """Upsert the default rules into the given (real or historical) models; shared with the data migration."""
    specs = routing_rules_default()
    wanted = {spec["category"] for spec in specs if spec.get("category")}
    categories = {(c.kind, c.code): c for c in category_model.objects.all() if (c.kind, c.code) in wanted}
    existing = {r.key: r for r in rule_model.objects.filter(key__in=[s["key"] for s in specs])}
    written = 0
    for spec in specs:
        values = {
            "community": None,
            "category": categories.get(spec["category"]) if spec.get("category") else None,
            "category_major": spec.get("category_major", ""),
            "place_kind": spec["place_kind"],
            "duty": spec["duty"],
            "priority": spec["priority"],
        }
        if spec.get("category") and values["category"] is None:
            continue  # the category is not loaded (yet): skip rather than widen the rule to every category
        rule = existing.get(spec["key"])
        if rule is None:
            rule_model.objects.create(key=spec["key"], **values)
            written += 1
    return written


@transaction.atomic
def routing_rule_seed_defaults() -> int:
    """Create the district default routing rules that are missing (staff edits of existing ones are kept)."""
    return seed_routing_rules(RoutingRule, Category)


@transaction.atomic
def case_route_override(
    *,
    actor,
    case: Case,
    expected_version: int,
    organisations: Sequence[Organisation],
    reason: str,
    duty: str = "",
) -> Case:
    """Staff replace the responsible organisations. The timeline keeps who it was, who it is and why."""
    reason = _required_text(reason, _("请说明调整责任单位的理由。"), "reason")
    organisations = list(dict.fromkeys(organisations))
    if not organisations:
        raise errors.invalid(_("请至少选择一个责任单位。"), field="organisations")
    if duty and duty not in Duty.values:
        raise errors.invalid(_("职责不正确。"), field="duty")
    current = _fresh(case, expected_version)
    _check_transition(current, "reroute")
    _require(actor, current, "reroute")
    before = list(current.assignments.values_list("organisation_id", flat=True))
    duty = duty or (current.assignments.values_list("duty", flat=True).first() or Duty.URBAN_MANAGEMENT)
    current.assignments.all().delete()
    CaseAssignment.objects.bulk_create([CaseAssignment(case=current, organisation=o, duty=duty) for o in organisations])
    _refollow(current, before=before, after=[o.pk for o in organisations])
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.REROUTED,
        now=timezone.now(),
        fields={"needs_deliberation": len(organisations) > 1},
        note=reason,
        data={"from": before, "to": [o.pk for o in organisations], "duty": duty},
    )
    _sync(case, result)
    return result


def _location_of(case: Case) -> Location:
    return Location(
        lon=case.lon,
        lat=case.lat,
        community=case.community,
        compound=case.compound,
        building=case.building,
        grid=case.grid,
        zone=case.zone,
    )


@transaction.atomic
def case_correct(
    *,
    actor,
    case: Case,
    expected_version: int,
    reason: str,
    category: Category | None = None,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = WGS84,
) -> Case:
    """更正: staff correct what a registered case is (its category) and/or where it is (a point), typically from
    the triage queue (待分拣). The case is routed again from the corrected facts, its deadline runs from
    registration with the corrected category's limit, and it leaves the triage queue. A corrected category is
    announced (``signals.category_corrected``) so intake can learn from it."""
    reason = _required_text(reason, _("请说明更正的理由。"), "reason")
    if category is None and (lon is None or lat is None):
        raise errors.invalid(_("请更正问题类别，或在地图上重新选择位置。"), field="category")
    if category is not None and not category.is_active:
        raise errors.invalid(_("该类别已停用，请选择其他类别。"), field="category")
    current = _fresh(case, expected_version)
    _check_transition(current, "correct")
    _require(actor, current, "correct")
    location = _location_of(current)
    if lon is not None and lat is not None:
        try:
            location = locate(lon, lat, crs=crs)
        except GeometryError as exc:
            raise errors.invalid(exc.message, field="location") from None
        if location.community.pk != current.community_id and not policy.can(actor, policy.CHANGE, location.community):
            raise errors.invalid(
                _("该位置属于%(community)s，不在您管理的社区内。请联系该社区办理。")
                % {"community": location.community},
                field="location",
            )
    old_category = current.category
    new_category = category or old_category
    routing = route(category=new_category, location=location)
    limit = category_time_limit(new_category, location.community.subdistrict_id)
    before = list(current.assignments.values_list("organisation_id", flat=True))
    current.assignments.all().delete()
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=current, organisation=o, duty=routing.duty) for o in routing.organisations]
    )
    _refollow(current, before=before, after=[o.pk for o in routing.organisations])
    facts = {
        "category": [old_category.code, new_category.code],
        "place": [current.address, location.label],
        "organisations": [before, [o.pk for o in routing.organisations]],
    }
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.CORRECTED,
        now=timezone.now(),
        fields={
            "category": new_category,
            "lon": location.lon,
            "lat": location.lat,
            "community": location.community,
            "compound": location.compound,
            "building": location.building,
            "grid": location.grid,
            "zone": location.zone,
            "urgency": limit.urgency,
            "deadline": limit.deadline(current.registered_at),
            "needs_deliberation": routing.is_joint,
            "triage": Triage.NONE,
        },
        note=reason,
        data=facts,
    )
    if new_category.pk != old_category.pk:
        category_corrected.send(
            sender=Case, case=result, old_category=old_category, new_category=new_category, actor=actor
        )
    _sync(case, result)
    return result
