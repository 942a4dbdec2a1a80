"""The case list: every filter of the community case list, keyset-paginated, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan
from django.utils import timezone

from youlin.access import policy
from youlin.cases.models import OPEN_STATUSES, Case, CaseAssignment

PAGE_SIZE = 30
# What a list (the page's rows, the API's ``case_summary``) never shows of a case's places: each row's places are
# their ids, names and codes. Their outlines and row times cost a parse each, per row; loaded on first access.
PLACE_FIELDS_NOT_LISTED = (
    *(
        f"{place}__{field}"
        for place in ("community", "compound", "building", "grid")
        for field in ("geometry", "created_at", "updated_at")
    ),
    "community__summary",
    "community__address",
)


def encode_cursor(case: Case) -> str:
    return f"{case.registered_at.isoformat()}~{case.pk}"


def decode_cursor(value: str | None) -> tuple[datetime, int] | None:
    """``encode_cursor``'s text back; None for anything else (an id out of range or a time that cannot be
    compared in UTC included), so no query ever sees it."""
    if not value or "~" not in value:
        return None
    at, _sep, pk = value.rpartition("~")
    try:
        parsed = datetime.fromisoformat(at)
        parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        parsed.astimezone(UTC)
        number = int(pk)
    except (ValueError, OverflowError):
        return None
    if not 0 < number < 2**63:
        return None
    return parsed, number


@dataclass
class CasePage:
    rows: list[Case]
    next_cursor: str | None


def case_search(
    user, filters: dict, *, cursor: str | None = None, limit: int = PAGE_SIZE, now: datetime | None = None
) -> CasePage:
    """Visible cases matching ``filters`` (the CaseFilterForm's cleaned data), newest first. One query."""
    now = now or timezone.now()
    qs = (
        policy.scope(user, Case.objects.all())
        .select_related("category", "community", "compound", "building", "grid")
        .defer(*PLACE_FIELDS_NOT_LISTED)
    )
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for field in ("category", "grid", "compound", "community"):
        if filters.get(field):
            qs = qs.filter(**{f"{field}_id": filters[field]})
    if filters.get("organisation"):
        qs = qs.filter(
            Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), organisation_id=filters["organisation"]))
        )
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    if filters.get("recurrence"):
        qs = qs.filter(recurrence_of__isnull=False)
    if filters.get("deliberation"):
        qs = qs.filter(needs_deliberation=True)
    if filters.get("triage"):
        qs = qs.exclude(triage="").filter(status__in=OPEN_STATUSES)
    if filters.get("q"):
        term = filters["q"].strip()
        qs = qs.filter(Q(number__iexact=term) | Q(description__icontains=term))
    after = decode_cursor(cursor)
    if after is not None:
        at, pk = after
        # (registered_at, id) < (at, pk): a row value on PostgreSQL, whose planner then walks the keyset index
        # from the cursor, as the floor's SQL does (the same condition written with OR, or with a redundant bound,
        # led it to bitmap scans and hash joins of whole place tables: about twice the time at page 28). Where
        # there are no row values (SQLite) Django writes an OR: a redundant bound lets SQLite range-scan the index.
        if not connection.features.supports_tuple_lookups:
            qs = qs.filter(registered_at__lte=at)
        qs = qs.filter(TupleLessThan(Tuple(F("registered_at"), F("id")), (at, pk)))
    rows = list(qs.order_by("-registered_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return CasePage(rows=rows[:limit], next_cursor=next_cursor)
