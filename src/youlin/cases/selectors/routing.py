"""Who gets a case: routing rules, responsible parties and the urban management offices."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from youlin.cases.models import (
    Category,
    PlaceKind,
    RoutingRule,
)
from youlin.cases.routing_cache import routing_cache
from youlin.parties.models import Organisation, Responsibility
from youlin.parties.selectors import ResponsibleParties, responsibilities_in, responsible_for
from youlin.places.selectors import Location

Duty = Responsibility.Duty


@dataclass
class Routing:
    """Who a new case goes to, and why."""

    organisations: list[Organisation] = field(default_factory=list)
    duty: str = ""
    rule: RoutingRule | None = None
    place_kind: str = PlaceKind.PUBLIC
    fallback: bool = False
    parties: ResponsibleParties | None = None

    @property
    def is_joint(self) -> bool:
        return len(self.organisations) > 1


def place_kinds(location: Location) -> list[str]:
    """The kinds of place a point is, most specific first (a point outside every compound is public)."""
    kinds = []
    if location.building is not None:
        kinds.append(PlaceKind.BUILDING)
    if location.zone is not None:
        kinds.append(PlaceKind.ZONE)
    if location.compound is not None:
        kinds.append(PlaceKind.COMPOUND)
    if location.compound is None and location.building is None:
        kinds.append(PlaceKind.PUBLIC)
    return kinds


_PLACE_RANK = {PlaceKind.BUILDING: 0, PlaceKind.ZONE: 1, PlaceKind.COMPOUND: 2, PlaceKind.PUBLIC: 3, PlaceKind.ANY: 4}


def _rule_fits(rule: RoutingRule, category: Category, community_id: int, kinds: set[str]) -> bool:
    return (
        (rule.community_id is None or rule.community_id == community_id)
        and (
            rule.category_id == category.pk
            or (rule.category_major != "" and rule.category_major == category.major_code)
            or (rule.category_id is None and rule.category_major == "")
        )
        and rule.place_kind in kinds
    )


def applicable_rules(category: Category, location: Location, *, cache=None) -> list[RoutingRule]:
    """Active rules that fit the category and place, in the order they are tried: the most specific category
    first (the code, then its major class, then any), then the most specific place, then the community's own
    rule over a district default, then priority. The rules are kept per process (``routing_cache``)."""
    cache = cache or routing_cache()
    found_kinds = tuple(place_kinds(location))
    # The rules that fit depend on nothing else: kept with the rules, for the revision they were read under.
    key = (category.pk, category.major_code, location.community.pk, found_kinds)
    found = cache.applicable.get(key)
    if found is None:
        kinds = {*found_kinds, PlaceKind.ANY}
        rules = [r for r in cache.rules if _rule_fits(r, category, location.community.pk, kinds)]
        found = cache.remember(cache.applicable, key, sorted(rules, key=_rank))
    return list(found)


def _rank(rule: RoutingRule):
    category_rank = 0 if rule.category_id else (1 if rule.category_major else 2)
    return (category_rank, _PLACE_RANK[rule.place_kind], rule.community_id is None, rule.priority, rule.pk)


def urban_management_offices(community) -> list[Organisation]:
    """The urban-management office answering for a community: its own, else its sub-district's."""
    rows = (
        Organisation.objects.filter(responsibilities__duty=Duty.URBAN_MANAGEMENT)
        .filter(Q(responsibilities__community=community) | Q(responsibilities__subdistrict_id=community.subdistrict_id))
        .annotate(own=Count("responsibilities", filter=Q(responsibilities__community=community)))
        .order_by("-own", "name")
    )
    rows = list(rows)
    own = [o for o in rows if o.own]
    return own[:1] or rows[:1]


def _parties(cache, location: Location) -> ResponsibleParties:
    """Who answers for the located place, kept per process (without grid workers: routing does not read them)."""
    compound_id = location.compound.pk if location.compound is not None else None
    if compound_id is None and location.building is not None:
        compound_id = location.building.compound_id
    key = (
        compound_id,
        location.building.pk if location.building else None,
        location.zone.pk if location.zone else None,
    )
    found = cache.parties.get(key)
    if found is None:
        # A place not seen yet: its community's responsibilities are read once (two queries) and answer every
        # place of it; a place they do not cover (a compound or zone on the wrong side of a boundary) is read alone.
        community_id = location.community.pk
        held = cache.communities.get(community_id)
        if held is None:
            held = cache.remember(cache.communities, community_id, responsibilities_in(community_id))
        if held.covers(
            compound_id=compound_id,
            building_compound_id=location.building.compound_id if location.building is not None else None,
            zone_community_id=location.zone.community_id if location.zone is not None else None,
        ):
            parties = held.responsible_for(compound_id=compound_id, building_id=key[1], zone_id=key[2])
        else:
            parties = responsible_for(compound=location.compound, building=location.building, zone=location.zone)
        found = cache.remember(cache.parties, key, parties)
    return found


def _offices(cache, community) -> list[Organisation]:
    found = cache.offices.get(community.pk)
    if found is None:
        found = cache.remember(cache.offices, community.pk, urban_management_offices(community))
    return found


def route(*, category: Category, location: Location) -> Routing:
    """Apply the routing rules to a located point. Several parties of the chosen duty (a shared courtyard)
    means a joint dispatch; nobody found means the urban-management office (fallback). On a warm cache this
    reads nothing but the routing revision."""
    cache = routing_cache()
    parties = _parties(cache, location)
    kinds = place_kinds(location)
    for rule in applicable_rules(category, location, cache=cache):
        if rule.duty == Duty.URBAN_MANAGEMENT:
            organisations = list(_offices(cache, location.community))
        else:
            organisations = parties.of_duty(rule.duty)
        if organisations:
            place_kind = rule.place_kind if rule.place_kind != PlaceKind.ANY else kinds[0]
            return Routing(
                organisations=organisations, duty=rule.duty, rule=rule, place_kind=place_kind, parties=parties
            )
    return Routing(
        organisations=list(_offices(cache, location.community)),
        duty=Duty.URBAN_MANAGEMENT,
        place_kind=kinds[0],
        fallback=True,
        parties=parties,
    )
