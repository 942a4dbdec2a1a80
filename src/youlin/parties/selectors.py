"""Reads about parties: who is responsible for a place, an organisation's page, a person's roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q

from youlin.parties.models import Membership, Organisation, Person, Responsibility, Role
from youlin.places.models import Building, Compound, Grid, Zone


@dataclass
class Duty:
    organisation: Organisation
    duty: str
    duty_label: str
    place_label: str
    building_id: int | None = None


@dataclass
class ResponsibleParties:
    duties: list[Duty] = field(default_factory=list)
    grid_workers: list = field(default_factory=list)

    def of_duty(self, duty: str) -> list[Organisation]:
        seen: dict[int, Organisation] = {}
        for d in self.duties:
            if d.duty == duty:
                seen.setdefault(d.organisation.pk, d.organisation)
        return list(seen.values())

    @property
    def organisations(self) -> list[Organisation]:
        seen: dict[int, Organisation] = {}
        for d in self.duties:
            seen.setdefault(d.organisation.pk, d.organisation)
        return list(seen.values())

    @property
    def is_shared(self) -> bool:
        """Several owner units or property managers share the place (36号院): nobody alone is responsible."""
        return (
            len(self.of_duty(Responsibility.Duty.OWNER_UNIT)) > 1
            or len(self.of_duty(Responsibility.Duty.PROPERTY_MANAGER)) > 1
        )


def _place_label(r: Responsibility) -> str:
    if r.building_id:
        return r.building.full_name
    if r.compound_id:
        return r.compound.name
    if r.zone_id:
        return r.zone.name
    if r.community_id:
        return r.community.name
    return r.subdistrict.name if r.subdistrict_id else ""


# How ``responsible_for`` reads its rows, and in which order (``responsibilities_in`` reads the same way). The
# places' outlines are never read from a responsibility (names and ids are): not loaded.
_RELATED = ("organisation", "building__compound", "compound", "zone", "community", "subdistrict")
_OUTLINES = (
    "building__geometry",
    "building__compound__geometry",
    "compound__geometry",
    "zone__geometry",
    "community__geometry",
    "subdistrict__geometry",
)
_ORDER = ("duty", "building__name", "organisation__name", "pk")  # the id last: the same order every time


def _responsibilities(condition: Q):
    return Responsibility.objects.filter(condition).select_related(*_RELATED).defer(*_OUTLINES).order_by(*_ORDER)


def _in_community(community_id: int) -> Q:
    """Responsibilities for a place of one community (its compounds' buildings, its compounds, its zones): their
    ids first, each kind by its own indexed path, then the rows by id. One OR across the three joins made
    PostgreSQL read and hash every building and compound of the city instead (≈ 15–30 ms a community on the
    bench's full-size city; routing reads each community once per process)."""
    mine = Responsibility.objects.values_list("pk", flat=True)
    ids = mine.filter(building__compound__community_id=community_id).union(
        mine.filter(compound__community_id=community_id), mine.filter(zone__community_id=community_id)
    )
    return Q(pk__in=list(ids))


def _parties_of(rows) -> ResponsibleParties:
    return ResponsibleParties(
        duties=[
            Duty(
                organisation=r.organisation,
                duty=r.duty,
                duty_label=r.get_duty_display(),
                place_label=_place_label(r),
                building_id=r.building_id,
            )
            for r in rows
        ]
    )


def responsible_for(
    *,
    compound: Compound | None = None,
    building: Building | None = None,
    zone: Zone | None = None,
    grid: Grid | None = None,
) -> ResponsibleParties:
    """Who answers for a place. A building answers with its own parties and its compound's committees;
    a compound without a building named answers with every building's parties (so shared courtyards show)."""
    if building is not None and compound is None:
        compound = building.compound
    condition = Q(pk__in=[])
    if building is not None:
        condition |= Q(building=building)
    if compound is not None:
        condition |= Q(compound=compound)
        if building is None:
            condition |= Q(building__in=Building.objects.filter(compound=compound).values("pk"))
    if zone is not None:
        condition |= Q(zone=zone)
    rows = _responsibilities(condition)
    result = _parties_of(rows)
    if grid is not None:
        result.grid_workers = [
            m.person for m in Membership.objects.filter(grid=grid, role=Role.GRID_WORKER).select_related("person")
        ]
    return result


@dataclass
class CommunityResponsibilities:
    """Every responsibility for a place of one community (its compounds' buildings, its compounds, its zones),
    in ``responsible_for``'s order, and the ids of the community's compounds: what these rows cover."""

    community_id: int
    compound_ids: frozenset[int]
    rows: list[Responsibility]

    def covers(self, *, compound_id: int | None, building_compound_id: int | None, zone_community_id: int | None):
        return (
            (compound_id is None or compound_id in self.compound_ids)
            and (building_compound_id is None or building_compound_id in self.compound_ids)
            and (zone_community_id is None or zone_community_id == self.community_id)
        )

    def responsible_for(
        self, *, compound_id: int | None, building_id: int | None, zone_id: int | None
    ) -> ResponsibleParties:
        """``responsible_for`` (without grid workers) for a place these rows ``covers``: the same condition,
        applied to rows already in its order, so the same parties in the same order, without a query.
        ``compound_id`` is the compound ``responsible_for`` would use (the building's when none is given)."""

        def wanted(r: Responsibility) -> bool:
            if building_id is not None and r.building_id == building_id:
                return True
            if compound_id is not None:
                if r.compound_id == compound_id:
                    return True
                if building_id is None and r.building_id is not None and r.building.compound_id == compound_id:
                    return True
            return zone_id is not None and r.zone_id == zone_id

        return _parties_of([r for r in self.rows if wanted(r)])


def responsibilities_in(community_id: int) -> CommunityResponsibilities:
    """Three queries for a whole community (the ids, the rows, its compounds): routing keeps the result per process
    and answers every place of it."""
    rows = _responsibilities(_in_community(community_id))
    compounds = Compound.objects.filter(community_id=community_id).values_list("pk", flat=True)
    return CommunityResponsibilities(community_id, frozenset(compounds), list(rows))


def responsibility_map(community_id: int) -> dict[tuple[str, int], list[Responsibility]]:
    """Every responsibility in a community keyed by ("building"|"compound"|"zone", id): two queries (ids, rows)."""
    rows = (
        Responsibility.objects.filter(_in_community(community_id))
        .select_related("organisation")
        .order_by("duty", "organisation__name")
    )
    result: dict[tuple[str, int], list[Responsibility]] = {}
    for r in rows:
        if r.building_id:
            key = ("building", r.building_id)
        elif r.compound_id:
            key = ("compound", r.compound_id)
        else:
            key = ("zone", r.zone_id)
        result.setdefault(key, []).append(r)
    return result


def grid_workers_by_grid(community_id: int) -> dict[int, list]:
    result: dict[int, list] = {}
    for m in Membership.objects.filter(grid__community_id=community_id, role=Role.GRID_WORKER).select_related("person"):
        result.setdefault(m.grid_id, []).append(m.person)
    return result


def community_organisations(community_id: int, subdistrict_id: int):
    return (
        Organisation.objects.filter(
            Q(community_id=community_id)
            | Q(responsibilities__building__compound__community_id=community_id)
            | Q(responsibilities__compound__community_id=community_id)
            | Q(subdistrict_id=subdistrict_id, kind=Organisation.Kind.DEPARTMENT)
        )
        .distinct()
        .order_by("kind", "name")
    )


def organisation_detail(organisation_id: int) -> Organisation:
    return Organisation.objects.select_related("community", "subdistrict").get(pk=organisation_id)


def organisation_places(organisation: Organisation) -> list[Responsibility]:
    return list(
        organisation.responsibilities.select_related(
            "building__compound", "compound", "zone", "community", "subdistrict"
        ).order_by("duty")
    )


def organisation_members(organisation: Organisation):
    return organisation.memberships.select_related("person").order_by("role", "person__name")


# ---------------------------------------------------------------- who to tell


def users_of(*, people: Iterable[int] = (), organisations: Iterable[int] = ()) -> list:
    """Active login accounts of these people and of these organisations' members (one query)."""
    people, organisations = list(people), list(organisations)
    if not people and not organisations:
        return []
    condition = Q(person__id__in=people) | Q(person__memberships__organisation_id__in=organisations)
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


def subdistrict_officer_users(subdistrict_id: int) -> list:
    """Active login accounts of the sub-district's officers (one query)."""
    return list(
        get_user_model()
        .objects.filter(
            Q(person__memberships__subdistrict_id=subdistrict_id)
            | Q(person__memberships__organisation__subdistrict_id=subdistrict_id),
            person__memberships__role=Role.SUBDISTRICT_OFFICER,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def home_community_id(user) -> int | None:
    """The community a signed-in person lives or works in (their ``Person`` row), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).values_list("community_id", flat=True).first()
