"""Small reads the pages and forms need: categories, buildings, a case by number or token, task lists."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from youlin.access import policy
from youlin.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseExtension,
    Category,
    Status,
)
from youlin.cases.routing_cache import routing_cache
from youlin.parties.models import Organisation, Responsibility

Duty = Responsibility.Duty


def active_category(pk) -> Category | None:
    """An active category by id, from the per-process cache (``routing_cache``; shared: read, never change)."""
    try:
        return routing_cache().category(int(pk))
    except (TypeError, ValueError):
        return None


def active_matter(code: str) -> Category | None:
    """An active matter category by code (an Open311 service), from the per-process cache."""
    return routing_cache().matter(code)


def category_groups() -> dict[str, list[Category]]:
    """The intake forms' category list: local community codes first (the everyday ones), then the standard by
    major class."""
    from django.utils.translation import gettext as _

    groups: dict[str, list[Category]] = {}
    for c in Category.objects.filter(is_active=True).order_by("-is_local", "kind", "code"):
        groups.setdefault(_("社区常用") if c.is_local else f"{c.major_code} {c.major_label}", []).append(c)
    return groups


def category_by_code(code: str, kind: str = "matter") -> Category | None:
    return Category.objects.filter(code=code, kind=kind, is_active=True).first()


def building_choices(community_id: int) -> list[tuple[int, str]]:
    from youlin.places.models import Building

    rows = Building.objects.filter(compound__community_id=community_id).select_related("compound")
    return [(b.pk, f"{b.compound.name}{b.name}") for b in rows.order_by("compound__name", "name")]


def building_point(pk: int, *, community_id: int | None = None) -> tuple[float, float] | None:
    """A point inside the building (for a case placed by choosing its building), or None."""
    from youlin.places.geo import shape_from_geojson
    from youlin.places.models import Building

    buildings = Building.objects.filter(pk=pk)
    if community_id is not None:
        buildings = buildings.filter(compound__community_id=community_id)
    building = buildings.first()
    if building is None or not building.geometry:
        return None
    centre = shape_from_geojson(building.geometry).representative_point()
    return centre.x, centre.y


def case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number).first()


def case_by_token(token: str, *, number: str | None = None) -> Case | None:
    """The case a tracking token opens (the reporter's key), with what its page shows."""
    cases = Case.objects.select_related("category", "community__subdistrict", "compound", "building").filter(
        tracking_token=token
    )
    if number is not None:
        cases = cases.filter(number=number)
    return cases.first()


def case_assignments(case: Case) -> list:
    return list(case.assignments.select_related("organisation"))


def case_list_choices(user) -> dict:
    """The case list's filter choices within what the user sees: communities, their categories in use, grids (for
    fewer than 20 communities) and the organisations cases were routed to."""
    communities = list(policy.visible_communities(user).order_by("code"))
    community_ids = [c.pk for c in communities]
    return {
        "communities": communities,
        "categories": Category.objects.filter(cases__community_id__in=community_ids).distinct().order_by("code"),
        "grids": [g for c in communities for g in c.grids.all()] if len(communities) < 20 else [],
        "organisations": Organisation.objects.filter(case_assignments__case__community_id__in=community_ids)
        .distinct()
        .order_by("name"),
    }


def task_sections(user, *, limit: int = 50) -> list[tuple[str, list[Case]]]:
    """My tasks: what waits for this user, by role (dispatch, accept, verify, close, my reports), earliest
    deadline first."""
    from django.utils.translation import gettext as _

    j = policy.jurisdiction_of(user)
    visible = policy.scope(user, Case.objects.all()).select_related("category", "community", "compound", "building")
    buckets = []
    if j.everything or j.manage_community_ids:
        manage = visible if j.everything else visible.filter(community_id__in=j.manage_community_ids)
        buckets.append((_("待派遣"), manage.filter(status__in=[Status.REGISTERED, Status.RETURNED])))
        buckets.append((_("待结案"), manage.filter(status=Status.VERIFIED)))
        buckets.append((_("已超期"), manage.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())))
        buckets.append((_("待审批延期"), manage.filter(extensions__status=CaseExtension.Status.PENDING).distinct()))
    if j.organisation_ids:
        mine = visible.filter(assignments__organisation_id__in=j.organisation_ids).distinct()
        buckets.append((_("待接单"), mine.filter(status=Status.DISPATCHED)))
        buckets.append((_("处置中"), mine.filter(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])))
    if "grid_worker" in j.roles:
        buckets.append(
            (_("待核查"), visible.filter(community_id__in=j.view_community_ids, status=Status.REPORTED_DONE))
        )
    if j.person_id:
        mine = visible.filter(Q(reporter_id=j.person_id) | Q(registered_by=user)).filter(status__in=OPEN_STATUSES)
        buckets.append((_("我上报的"), mine))
    return [(title, list(qs.order_by("deadline")[:limit])) for title, qs in buckets]


def open_overdue_count(now: datetime | None = None) -> int:
    """Open cases past their deadline, across the deployment (the metrics' overdue gauge). One query."""
    return Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now or timezone.now()).count()
