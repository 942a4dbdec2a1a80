"""Reads of the Open311 app: services (categories), requests (cases, public fields only) and keys.

A request is public in GeoReport v2, so only what the standard names leaves here: no reporter, no phone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from youlin.cases.models import OPEN_STATUSES, Case, CaseEvent, CasePhoto, Category, Status
from youlin.open311.models import ApiKey, Submission
from youlin.open311.services import key_hash

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
LAST_USED_PRECISION = timedelta(minutes=5)


def services() -> QuerySet[Category]:
    """Every active matter category is a service (components are the things matters are about)."""
    return Category.objects.filter(kind=Category.Kind.MATTER, is_active=True).order_by("code")


def service(code: str) -> Category | None:
    return services().filter(code=code).first()


def key_for(raw: str) -> ApiKey | None:
    """The active key presented, marked as used (at most every few minutes)."""
    if not raw:
        return None
    key = ApiKey.objects.filter(key_hash=key_hash(raw), revoked_at=None).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def _requests() -> QuerySet[Case]:
    latest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    return (
        Case.objects.select_related("category", "open311_submission")
        .annotate(latest_note=Subquery(latest.values("note")[:1]), latest_kind=Subquery(latest.values("kind")[:1]))
        .prefetch_related(
            "assignments__organisation",
            Prefetch(
                "photos",
                queryset=CasePhoto.objects.filter(kind=CasePhoto.Kind.BEFORE).select_related("photo").order_by("id"),
                to_attr="before_photos",
            ),
        )
    )


def status_filter(statuses: list[str]) -> list[str]:
    wanted: set[str] = set()
    if "open" in statuses:
        wanted |= set(OPEN_STATUSES)
    if "closed" in statuses:
        wanted |= set(Status.values) - set(OPEN_STATUSES)
    return sorted(wanted)


def requests_by_id(numbers: list[str]) -> list[Case]:
    return list(_requests().filter(number__in=numbers[:MAX_RESULTS]).order_by("-registered_at", "-id"))


def requests_search(
    *, start: datetime, end: datetime, service_codes: list[str] | None = None, statuses: list[str] | None = None
) -> list[Case]:
    """Cases registered in [start, end], newest first, at most 1,000 (four queries)."""
    qs = _requests().filter(registered_at__gte=start, registered_at__lte=end)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=status_filter(statuses))
    return list(qs.order_by("-registered_at", "-id")[:MAX_RESULTS])


def submission_by_token(token: str) -> Submission | None:
    return Submission.objects.select_related("case").filter(token=token).first()


def is_open(case: Case) -> bool:
    return case.status in OPEN_STATUSES
