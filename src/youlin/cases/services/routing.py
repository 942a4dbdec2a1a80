"""Categories and routing rules (the defaults every district starts from), and staff re-routing a case."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases import categories as category_data
from youlin.cases import errors
from youlin.cases.models import (
    Case,
    CaseAssignment,
    Category,
    EventKind,
    PlaceKind,
    RoutingRule,
)
from youlin.cases.permissions import require as _require
from youlin.cases.services.base import (
    _check_transition,
    _fresh,
    _required_text,
    _sync,
    _write,
)
from youlin.cases.services.followers import _refollow
from youlin.parties.models import Organisation, Responsibility

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
