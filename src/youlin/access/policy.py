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

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from youlin.accounts.backends import demo_account_allowed

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

    @property
    def sees_communities(self) -> bool:
        """Sees at least one community as a whole (its staff, grid workers, captains, the sub-district): may report
        from patrol and open the community's ledgers."""
        return self.everything or bool(self.view_community_ids)


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
    if user is None or not user.is_authenticated or not user.is_active or not demo_account_allowed(user):
        return NOBODY  # whatever let a demo account in outside demo mode, it holds no jurisdiction
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
    # A row of several communities (``community`` a to-many lookup) is changed only by someone who manages every
    # one of them (a bulletin of two communities is published by their sub-district, not by one community).
    change_needs_every_community: bool = False


_rules: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> None:
    _rules[model] = rule


def rule_for(model: type[Model]) -> Rule:
    try:
        return _rules[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the access policy") from None


def _condition(j: Jurisdiction, model: type[Model], action: str) -> Q | None:
    """The filter for rows this jurisdiction may act on; None means no row."""
    rule = rule_for(model)
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
    if action == CHANGE and rule.change_needs_every_community:
        from youlin.places.models import Community

        # None of its communities is outside the managed ones (a subquery of its own, not the join above).
        others = Community.objects.exclude(pk__in=j.manage_community_ids)
        condition &= ~Q(pk__in=model._default_manager.filter(**{f"{rule.community}__in": others}).values("pk"))
    return condition


def scope(user, queryset: QuerySet, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` this user may view (or change)."""
    j = jurisdiction_of(user)
    if j.everything:
        return queryset
    condition = _condition(j, queryset.model, action)
    if condition is None:
        return queryset.none()
    # A row can match several memberships (joins through to-many lookups): keep it once.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))


def can(user, action: str, obj: Model) -> bool:
    j = jurisdiction_of(user)
    if j.everything:
        return True
    condition = _condition(j, type(obj), action)
    if condition is None:
        return False
    return type(obj)._default_manager.filter(condition, pk=obj.pk).exists()


# Models whose own page opens to more people than VIEW covers (a resident reads an approved project of their
# community): (user, row) → whether that page opens for the user, registered by the app that owns the page.
_page_openers: dict[type[Model], Callable[[Any, Model], bool]] = {}


def register_page(model: type[Model], opens: Callable[[Any, Model], bool]) -> None:
    _page_openers[model] = opens


def can_open(user, obj: Model) -> bool:
    """Whether ``obj``'s own page opens for ``user`` (what a link to it may promise): the page's registered rule,
    else VIEW. Remembered for the request (``openable``)."""
    return obj in openable(user)


class Openable:
    """Which rows' own pages open for one user, asked as ``row in openable(user)`` and remembered; ``preload``
    answers many rows of a model in one query (a page that links a row per line asks for them all first)."""

    def __init__(self, user):
        self.user = user
        self._known: dict[tuple[type[Model], object], bool] = {}

    def preload(self, rows) -> Openable:
        wanted: dict[type[Model], set] = {}
        for row in rows:
            if row is not None and (type(row), row.pk) not in self._known and type(row) not in _page_openers:
                wanted.setdefault(type(row), set()).add(row.pk)
        for model, ids in wanted.items():
            found = set(scope(self.user, model._default_manager.filter(pk__in=ids), VIEW).values_list("pk", flat=True))
            self._known.update({(model, pk): pk in found for pk in ids})
        return self

    def __contains__(self, row: Model) -> bool:
        key = (type(row), row.pk)
        if key not in self._known:
            opens = _page_openers.get(type(row))
            self._known[key] = opens(self.user, row) if opens is not None else can(self.user, VIEW, row)
        return self._known[key]


def openable(user) -> Openable:
    """The user's ``Openable``, one per user object (a request's user: one per request)."""
    found = getattr(user, "_youlin_openable", None) if user is not None else None
    if found is None:
        found = Openable(user)
        if user is not None:
            user._youlin_openable = found
    return found


def get_for(user, queryset: QuerySet, action: str = VIEW, **lookup) -> Model:
    """Fetch one row the user may act on, or 404 (the same answer for 'missing' and 'not yours')."""
    try:
        return scope(user, queryset, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Reference data every form may offer as it is (the same for everyone, no jurisdiction).
PUBLIC_CHOICES = frozenset({"cases.Category", "places.District"})
PERSON_MODEL = "parties.Person"


def choices(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` a user may pick in a form (a foreign key, a many-to-many): their jurisdiction's.
    Accounts are offered through the people one sees; other models without a rule only to the district."""
    from django.conf import settings

    j = jurisdiction_of(user)
    label = queryset.model._meta.label
    if j.everything or label in PUBLIC_CHOICES:
        return queryset
    if label == settings.AUTH_USER_MODEL:
        from youlin.parties.models import Person

        people = scope(user, Person.objects.exclude(user=None), VIEW)
        return queryset.filter(pk__in=people.values("user_id"))
    if queryset.model not in _rules:
        return queryset.none()
    return scope(user, queryset, VIEW)


def is_person_model(model) -> bool:
    return model._meta.label == PERSON_MODEL


def person_label(user):
    """How a person is named to this user in a choice: in full if they manage the person (as on the organisation
    page), else masked. The managed set is read once, when the first label is asked for."""
    from youlin.core.privacy import mask_name

    managed: set[int] | None = None

    def label(person) -> str:
        nonlocal managed
        if managed is None:
            managed = set(scope(user, type(person)._default_manager.all(), CHANGE).values_list("pk", flat=True))
        return str(person) if person.pk in managed else mask_name(str(person))

    return label


def visible_communities(user):
    from youlin.places.models import Community

    return scope(user, Community.objects.all(), VIEW)
