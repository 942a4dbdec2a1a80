"""Which cases a user sees, the case list, the timeline and the overdue and new cases."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from youlin.access import policy
from youlin.cases.models import (
    OPEN_STATUSES,
    Case,
    Status,
)
from youlin.parties.models import Responsibility

Duty = Responsibility.Duty


def cases_visible(user, *, action: str = policy.VIEW) -> QuerySet[Case]:
    """The cases a user may see (or change): the permission layer's answer, nothing else."""
    return policy.scope(user, Case.objects.all(), action)


def case_list(
    user,
    *,
    community=None,
    status: str | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[Case]:
    """A page of visible cases, newest first, keyset-paginated on (registered_at, id): pass the last row's
    (registered_at, id) as ``after`` for the next page. One query."""
    qs = cases_visible(user).select_related("category", "community", "compound", "building")
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    if after is not None:
        at, pk = after
        # The redundant bound lets the database range-scan the (registered_at, id) index from the cursor.
        qs = qs.filter(registered_at__lte=at).filter(Q(registered_at__lt=at) | Q(id__lt=pk))
    return list(qs.order_by("-registered_at", "-id")[:limit])


def case_timeline(case: Case):
    return case.events.select_related("actor").order_by("at", "id")


def overdue_cases(community, *, now: datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return Case.objects.filter(community=community, status__in=OPEN_STATUSES, deadline__lt=now).order_by("deadline")


def new_cases_in(
    community_ids, *, since: datetime | None = None, until: datetime | None = None, limit: int = 100
) -> list[Case]:
    """Cases registered in these communities in (since, until], newest first, for public feeds and area alerts:
    with their category, compound, building and grid (a caller shows no personal data: no reporter, no
    description, no address typed by a person). Voided and merged cases are left out. One query."""
    qs = Case.objects.filter(community_id__in=list(community_ids)).exclude(status__in=[Status.VOIDED, Status.MERGED])
    if since is not None:
        qs = qs.filter(registered_at__gt=since)
    if until is not None:
        qs = qs.filter(registered_at__lte=until)
    return list(
        qs.select_related("category", "community", "compound", "building", "grid").order_by("-registered_at", "-id")[
            :limit
        ]
    )
