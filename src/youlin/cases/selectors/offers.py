"""What a user may do on a case, who follows it and hears of it, and supervision (督办) queues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from youlin.access import policy
from youlin.cases import workdays
from youlin.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseExtension,
    CaseFollower,
    CasePhoto,
    CaseSupport,
)
from youlin.cases.permissions import Standing, is_overdue, permits, reopen_window_open
from youlin.cases.routing_cache import routing_cache
from youlin.cases.steps import STEPS
from youlin.parties.models import Membership, Organisation, Responsibility

Duty = Responsibility.Duty


class StepOffer:
    """What the table of steps asks before the case page offers a step (``Step.offered``), each fact fetched only
    when a step asks for it."""

    def __init__(self, user, case: Case, standing: Standing, now: datetime):
        self.user = user
        self.case = case
        self.standing = standing
        self.now = now

    @property
    def overdue(self) -> bool:
        return is_overdue(self.case, self.now)

    @property
    def reopen_window_open(self) -> bool:
        return reopen_window_open(self.case, self.now)

    @cached_property
    def pending_extension(self) -> bool:
        return self.case.extensions.filter(status=CaseExtension.Status.PENDING).exists()

    @cached_property
    def supported(self) -> bool:
        return CaseSupport.objects.filter(case_id=self.case.pk, user_id=self.user.pk).exists()


def available_actions(user, case: Case, *, token: str | None = None) -> list[str]:
    """The actions (from ``steps.STEPS``, in that order) this user may take on this case now: the status allows
    the step, the user's role allows it (the same ``permits`` the services check), and the case meets the step's
    other conditions (``Step.offered``: something to dispatch to, overdue for ``supervise``, within 30 days for
    ``reopen``, a pending request for ``extension_decide`` and none for ``extension_request``, not yet supported
    for ``support``). ``token`` is a reporter's tracking token.

    At most four queries besides the user's jurisdiction (cached on the user): the assignments, the grid
    workers, the pending extension and the user's support, each only when an action needs it.
    """
    standing = Standing(user, case, token=token)
    offer = StepOffer(user, case, standing, timezone.now())
    actions = []
    for action, step in STEPS.items():
        if case.status not in step.from_statuses or permits(standing, action) is None:
            continue
        if step.offered is not None and not step.offered(offer):
            continue
        actions.append(action)
    return actions


def pending_extensions(case: Case) -> list[CaseExtension]:
    return list(case.extensions.filter(status=CaseExtension.Status.PENDING).order_by("pk"))


def pending_extension(case: Case, pk: int) -> CaseExtension | None:
    return CaseExtension.objects.filter(pk=pk, case_id=case.pk).first()


def reroute_choices(case: Case) -> list[Organisation]:
    """The organisations staff may route a case to: those of its community and of its sub-district."""
    community = case.community
    return list(
        Organisation.objects.filter(Q(community_id=community.pk) | Q(subdistrict_id=community.subdistrict_id)).order_by(
            "kind", "name"
        )
    )


class CasePhotos(NamedTuple):
    """A case's photos for its page: the problem (before) and the work done (after), each oldest first."""

    before: list[CasePhoto]
    after: list[CasePhoto]


def case_photo_pairs(case: Case) -> CasePhotos:
    """Before and after photos of a case, with their ``photo`` loaded (one query)."""
    before: list[CasePhoto] = []
    after: list[CasePhoto] = []
    for row in CasePhoto.objects.filter(case_id=case.pk).select_related("photo").order_by("created_at", "id"):
        (before if row.kind == CasePhoto.Kind.BEFORE else after).append(row)
    return CasePhotos(before, after)


def is_following(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return CaseFollower.objects.filter(case_id=case.pk, user_id=user.pk).exists()


def member_user_ids(organisation_ids: Iterable[int]) -> dict[int, set[int]]:
    """The active login accounts of each organisation's people (one query)."""
    organisation_ids = list(organisation_ids)
    result: dict[int, set[int]] = {}
    if not organisation_ids:
        return result
    rows = Membership.objects.filter(
        organisation_id__in=organisation_ids, person__user__isnull=False, person__user__is_active=True
    ).values_list("organisation_id", "person__user_id")
    for organisation_id, user_id in rows:
        result.setdefault(organisation_id, set()).add(user_id)
    return result


def followers_of(organisation_ids: Iterable[int]) -> set[int]:
    """The active login accounts of these organisations' people, who follow a new case routed to them; kept per
    process (``routing_cache``): one query for the organisations not seen yet, none on a warm cache."""
    cache = routing_cache()
    result: set[int] = set()
    missing = []
    for pk in organisation_ids:
        hit = cache.members.get(pk)
        if hit is None:
            missing.append(pk)
        else:
            result |= hit
    if missing:
        found = member_user_ids(missing)
        for pk in missing:
            users = cache.remember(cache.members, pk, frozenset(found.get(pk, ())))
            result |= users
    return result


def case_audience(case: Case, *, managers: bool = False) -> list:
    """Who is told about a step: the case's active followers, and with ``managers`` the staff and secretary of
    its community (one query, however many they are)."""
    condition = Q(followed_cases__case_id=case.pk)
    if managers:
        staff = Q(person__memberships__role__in=policy.MANAGE_ROLES)
        condition |= staff & (
            Q(person__memberships__community_id=case.community_id)
            | Q(
                person__memberships__community__isnull=True,
                person__memberships__organisation__community_id=case.community_id,
            )
        )
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


def cases_due_for_supervision(now: datetime, *, limit: int = 500) -> list[Case]:
    """Open cases past their deadline that may be due a higher level of 督办 (one query), most overdue first.
    Working time never runs faster than the clock, so a case can be due level L only once its deadline is at
    least L's threshold of calendar days behind; the service checks the working days exactly."""
    due = Q()
    for level, threshold in enumerate(settings.YOULIN_SUPERVISION_DAYS, start=1):
        due |= Q(supervision_level=level - 1, deadline__lte=now - timedelta(days=threshold))
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now)
        .filter(due)
        .select_related("category", "community")
        .order_by("deadline", "id")[:limit]
    )


def supervision_audience(case: Case, level: int) -> list:
    """Who a level of 督办 tells (one query): the case's followers and the handling unit's people; from the
    community level its staff and secretary, from the sub-district level its officers, at the district level the
    district's administrators."""
    from youlin.cases.models import SupervisionLevel

    condition = Q(followed_cases__case_id=case.pk) | Q(
        person__memberships__organisation__case_assignments__case_id=case.pk
    )
    if level >= SupervisionLevel.COMMUNITY:
        staff = Q(person__memberships__role__in=policy.MANAGE_ROLES)
        condition |= staff & (
            Q(person__memberships__community_id=case.community_id)
            | Q(
                person__memberships__community__isnull=True,
                person__memberships__organisation__community_id=case.community_id,
            )
        )
    if level >= SupervisionLevel.SUBDISTRICT:
        subdistrict = case.community.subdistrict_id
        condition |= Q(person__memberships__role="subdistrict_officer") & (
            Q(person__memberships__subdistrict_id=subdistrict)
            | Q(person__memberships__organisation__subdistrict_id=subdistrict)
        )
    if level >= SupervisionLevel.DISTRICT:
        condition |= Q(is_superuser=True)
    return list(get_user_model().objects.filter(condition, is_active=True).distinct().order_by("pk"))


@dataclass(frozen=True)
class SupervisedCase:
    case: Case
    days_overdue: int


def supervised_cases(user, level: int, *, now: datetime | None = None, limit: int = 200) -> list[SupervisedCase]:
    """The 督办 list of one level: open cases the user sees that are at that level, oldest deadline first, with
    the working days each is overdue."""
    now = now or timezone.now()
    rows = (
        policy.scope(user, Case.objects.all())
        .filter(status__in=OPEN_STATUSES, supervision_level=level)
        .select_related("category", "community", "compound", "building")
        .order_by("deadline", "id")[:limit]
    )
    return [SupervisedCase(c, workdays.working_days_overdue(c.deadline, now)) for c in rows]


def supervision_counts(user) -> dict[int, int]:
    """How many open cases the user sees at each level of 督办 (one query)."""
    rows = (
        policy.scope(user, Case.objects.all())
        .filter(status__in=OPEN_STATUSES, supervision_level__gt=0)
        .values("supervision_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["supervision_level"]: r["n"] for r in rows}


def case_photos_for(case_ids: Iterable[int]) -> dict[int, CasePhotos]:
    """Before and after photos of several cases at once (one query), e.g. for a project's page."""
    result: dict[int, CasePhotos] = {}
    case_ids = list(case_ids)
    for pk in case_ids:
        result[pk] = CasePhotos([], [])
    rows = CasePhoto.objects.filter(case_id__in=case_ids).select_related("photo").order_by("created_at", "id")
    for row in rows:
        pair = result[row.case_id]
        (pair.before if row.kind == CasePhoto.Kind.BEFORE else pair.after).append(row)
    return result
