"""The one permission layer. Every view, admin page and API endpoint asks here.

A user's jurisdiction follows from their memberships (``parties.Membership``):
- community staff and the community secretary view and change their community;
- grid workers, building captains and branch secretaries view their community;
- sub-district officers view and change every community of their sub-district;
- property staff, committee members, contractor staff and volunteers see what their organisation is
  responsible for or assigned to;
- residents see public information and their own records;
- superusers (the district) see and change everything.

Models say how they relate to a jurisdiction by registering lookups (``register``); the rules are here only.
Foreign records are answered with 404, not 403, so guessing URLs tells nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Model, Q, QuerySet
from django.http import Http404

VIEW = "view"
CHANGE = "change"


class Action(StrEnum):
    VIEW = VIEW
    CHANGE = CHANGE


@dataclass(frozen=True)
class Jurisdiction:
    everything: bool = False
    manage_community_ids: frozenset[int] = frozenset()
    view_community_ids: frozenset[int] = frozenset()
    subdistrict_ids: frozenset[int] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    person_id: int | None = None
    roles: frozenset[str] = frozenset()

    @property
    def is_staff_level(self) -> bool:
        return self.everything or bool(self.manage_community_ids)


NOBODY = Jurisdiction()

MANAGE_ROLES = {"community_staff", "community_secretary"}
VIEW_ROLES = {"grid_worker", "building_captain", "branch_secretary"}
ORGANISATION_ROLES = {"property_staff", "committee_member", "contractor_staff", "volunteer"}


def _membership_community_id(m) -> int | None:
    if m.community_id:
        return m.community_id
    if m.grid_id:
        return m.grid.community_id
    if m.zone_id:
        return m.zone.community_id
    if m.compound_id:
        return m.compound.community_id
    if m.building_id:
        return m.building.compound.community_id
    if m.entrance_id:
        return m.entrance.building.compound.community_id
    if m.organisation_id:
        return m.organisation.community_id
    return None


def jurisdiction_of(user) -> Jurisdiction:
    """Computed once per request and cached on the user object (two queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_youlin_jurisdiction", None)
    if cached is not None:
        return cached
    from youlin.parties.models import Membership, Person
    from youlin.places.models import Community

    if user.is_superuser:
        result = Jurisdiction(everything=True, roles=frozenset({"district"}))
        user._youlin_jurisdiction = result
        return result
    person = Person.objects.filter(user=user).only("id").first()
    manage: set[int] = set()
    view: set[int] = set()
    subdistricts: set[int] = set()
    organisations: set[int] = set()
    roles: set[str] = set()
    if person is not None:
        memberships = Membership.objects.filter(person=person).select_related(
            "organisation", "grid", "zone", "compound", "building__compound", "entrance__building__compound"
        )
        for m in memberships:
            roles.add(m.role)
            if m.role == "subdistrict_officer":
                sid = m.subdistrict_id or (m.organisation.subdistrict_id if m.organisation_id else None)
                if sid:
                    subdistricts.add(sid)
                continue
            if m.organisation_id:
                organisations.add(m.organisation_id)
            community_id = _membership_community_id(m)
            if community_id is None:
                continue
            if m.role in MANAGE_ROLES:
                manage.add(community_id)
            elif m.role in VIEW_ROLES:
                view.add(community_id)
    if subdistricts:
        manage |= set(Community.objects.filter(subdistrict_id__in=subdistricts).values_list("id", flat=True))
    result = Jurisdiction(
        manage_community_ids=frozenset(manage),
        view_community_ids=frozenset(manage | view),
        subdistrict_ids=frozenset(subdistricts),
        organisation_ids=frozenset(organisations),
        person_id=person.pk if person else None,
        roles=frozenset(roles),
    )
    user._youlin_jurisdiction = result
    return result


@dataclass(frozen=True)
class Rule:
    """How a model's rows relate to a jurisdiction (ORM lookups, ``None`` where it does not apply)."""

    community: str | tuple[str, ...] | None = None
    subdistrict: str | None = None
    organisation: str | None = None
    owner: str | None = None  # lookup to a parties.Person who may see their own record
    organisation_can_change: bool = False
    owner_can_change: bool = False


_rules: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> None:
    _rules[model] = rule


def rule_for(model: type[Model]) -> Rule:
    try:
        return _rules[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the access policy") from None


def _condition(j: Jurisdiction, rule: Rule, action: str) -> Q | None:
    """The filter for rows this jurisdiction may act on; None means no row."""
    communities = j.manage_community_ids if action == CHANGE else j.view_community_ids
    parts: list[Q] = []
    if rule.community and communities:
        paths = (rule.community,) if isinstance(rule.community, str) else rule.community
        parts.extend(Q(**{f"{path}__in": communities}) for path in paths)
    if rule.subdistrict and j.subdistrict_ids:
        parts.append(Q(**{f"{rule.subdistrict}__in": j.subdistrict_ids}))
    if rule.organisation and j.organisation_ids and (action == VIEW or rule.organisation_can_change):
        parts.append(Q(**{f"{rule.organisation}__in": j.organisation_ids}))
    if rule.owner and j.person_id and (action == VIEW or rule.owner_can_change):
        parts.append(Q(**{rule.owner: j.person_id}))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def scope(user, queryset: QuerySet, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` this user may view (or change)."""
    j = jurisdiction_of(user)
    if j.everything:
        return queryset
    condition = _condition(j, rule_for(queryset.model), action)
    if condition is None:
        return queryset.none()
    # A row can match several memberships (joins through to-many lookups): keep it once.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))


def can(user, action: str, obj: Model) -> bool:
    j = jurisdiction_of(user)
    if j.everything:
        return True
    condition = _condition(j, rule_for(type(obj)), action)
    if condition is None:
        return False
    return type(obj)._default_manager.filter(condition, pk=obj.pk).exists()


def get_for(user, queryset: QuerySet, action: str = VIEW, **lookup) -> Model:
    """Fetch one row the user may act on, or 404 (the same answer for 'missing' and 'not yours')."""
    try:
        return scope(user, queryset, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_communities(user):
    from youlin.places.models import Community

    return scope(user, Community.objects.all(), VIEW)
