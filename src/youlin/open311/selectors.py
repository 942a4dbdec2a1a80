"""Reads of the Open311 app: services (categories), requests (cases, public fields only) and keys.

A request is public in GeoReport v2, so only what the standard names leaves here: no reporter, no phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from youlin.cases.models import OPEN_STATUSES, Case, CaseAssignment, CaseEvent, CasePhoto, Category, Status
from youlin.cases.routing_cache import routing_cache
from youlin.cases.selectors import active_matter
from youlin.open311.models import ApiKey, Submission
from youlin.open311.services import key_hash

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
LAST_USED_PRECISION = timedelta(minutes=5)


def services() -> QuerySet[Category]:
    """Every active matter category is a service (components are the things matters are about)."""
    return Category.objects.filter(kind=Category.Kind.MATTER, is_active=True).order_by("code")


def service(code: str) -> Category | None:
    """An active matter category by code, from the per-process cache (shared: read it, never change it)."""
    return active_matter(code)


def key_for(raw: str) -> ApiKey | None:
    """The active key presented, marked as used (at most every few minutes). Active keys are kept per process
    (``routing_cache``: a key saved, revoked or deleted anywhere moves its revision on), so a known key costs
    no query of its own; the row is shared: read it, never change it (but ``last_used_at``, here)."""
    if not raw:
        return None
    digest = key_hash(raw)
    cache = routing_cache()
    key = cache.api_keys.get(digest)
    if key is None:
        key = ApiKey.objects.filter(key_hash=digest, revoked_at=None).first()
        if key is None:
            return None  # unknown keys are not remembered: a stranger's guesses must not fill the memory
        cache.remember(cache.api_keys, digest, key)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# The fields of a case a request shows (public in GeoReport v2: no reporter, no phone).
REQUEST_FIELDS = (
    "id",
    "number",
    "status",
    "description",
    "registered_at",
    "updated_at",
    "deadline",
    "address",
    "lat",
    "lon",
)


def _latest_event() -> QuerySet[CaseEvent]:
    """A case's latest timeline event (its status notes)."""
    return CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")


def _requests() -> QuerySet:
    """Requests as ``.values()`` rows: no model instances, no outlines, only the public fields."""
    latest = _latest_event()
    return Case.objects.annotate(
        # Only the reply written for the public: a step's ``note`` is internal (names, phone numbers, advice).
        latest_note=Subquery(latest.values("public_note")[:1]),
        latest_kind=Subquery(latest.values("kind")[:1]),
    ).values(
        *REQUEST_FIELDS,
        "latest_note",
        "latest_kind",
        service_name=F("category__name"),
        service_code=F("category__code"),
        submission_media_url=F("open311_submission__media_url"),
    )


@dataclass
class Requests:
    """Requests (``.values()`` rows, newest first) with what each shows from other tables: the names of the
    organisations responsible (in assignment order) and the first "before" photo's stored name."""

    rows: list[dict]
    agencies: dict[int, list[str]] = field(default_factory=dict)
    photos: dict[int, str] = field(default_factory=dict)


def _with_parts(rows: list[dict]) -> Requests:
    """Two queries however many rows: the responsible organisations, and the photos of requests that did not
    come with a ``media_url``."""
    found = Requests(rows)
    if not rows:
        return found
    ids = [r["id"] for r in rows]
    assignments = (
        CaseAssignment.objects.filter(case_id__in=ids)
        .order_by("case_id", "id")
        .values_list("case_id", "organisation__name")
    )
    for case_id, name in assignments:
        found.agencies.setdefault(case_id, []).append(name)
    without_media = [r["id"] for r in rows if not r["submission_media_url"]]
    if without_media:
        photos = (
            CasePhoto.objects.filter(case_id__in=without_media, kind=CasePhoto.Kind.BEFORE)
            .order_by("id")
            .values_list("case_id", "photo__image")
        )
        for case_id, image in photos:
            found.photos.setdefault(case_id, image)
    return found


def status_filter(statuses: list[str]) -> list[str]:
    wanted: set[str] = set()
    if "open" in statuses:
        wanted |= set(OPEN_STATUSES)
    if "closed" in statuses:
        wanted |= set(Status.values) - set(OPEN_STATUSES)
    return sorted(wanted)


def requests_by_id(numbers: list[str]) -> Requests:
    return _with_parts(list(_requests().filter(number__in=numbers[:MAX_RESULTS]).order_by("-registered_at", "-id")))


def requests_search(
    *, start: datetime, end: datetime, service_codes: list[str] | None = None, statuses: list[str] | None = None
) -> Requests:
    """Cases registered in [start, end], newest first, at most 1,000 (three queries)."""
    qs = _requests().filter(registered_at__gte=start, registered_at__lte=end)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=status_filter(statuses))
    return _with_parts(list(qs.order_by("-registered_at", "-id")[:MAX_RESULTS]))


def submission_by_token(token: str) -> Submission | None:
    return Submission.objects.select_related("case").filter(token=token).first()


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
