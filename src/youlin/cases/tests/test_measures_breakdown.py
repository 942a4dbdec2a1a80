"""``case_measures_breakdown`` (one query) answers what ``case_measures`` and the two grouped counts answered."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youlin.cases.models import Case, Status
from youlin.cases.selectors import case_measures, case_measures_breakdown

pytestmark = pytest.mark.django_db


def test_the_breakdown_matches_the_separate_queries(demo_cases, django_assert_num_queries):
    end = timezone.now() + timedelta(days=1)
    start = end - timedelta(days=365)
    cases = Case.objects.all()
    with django_assert_num_queries(1):
        found = case_measures_breakdown(start=start, end=end, cases=cases)
    assert found.measures == case_measures(start=start, end=end, cases=cases)
    assert found.measures.registered_count > 0
    counted = cases.filter(registered_at__gte=start, registered_at__lt=end).exclude(
        status__in=[Status.VOIDED, Status.MERGED]
    )
    assert found.registered_by_category == dict(counted.values_list("category").annotate(n=Count("id")).order_by())
    tz = timezone.get_current_timezone()
    by_month = {}
    for m, n in counted.annotate(m=TruncMonth("registered_at", tzinfo=tz)).values_list("m").annotate(n=Count("id")):
        key = (m.astimezone(tz) if timezone.is_aware(m) else m).strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + n
    assert found.registered_by_month == by_month


# ---------------------------------------------------------------- varied data, month edges in Beijing time


def _oracle(rows, start, end):
    """The measures and the two breakdowns by their definitions (``Measures``), in Python over the rows."""
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")
    counts = dict.fromkeys(
        [
            "registered_count",
            "closed_count",
            "closed_on_time_count",
            "due_open_count",
            "rework_closed_count",
            "visit_count",
            "unvisited_count",
            "responded_count",
            "resolved_count",
            "satisfied_count",
            "basically_satisfied_count",
        ],
        0,
    )
    by_category: dict[int, int] = {}
    by_month: dict[str, int] = {}

    def within(t):
        return t is not None and start <= t < end

    for r in rows:
        counted = r["status"] not in (Status.VOIDED, Status.MERGED)
        closed, visited = within(r["closed_at"]), within(r["evaluated_at"])
        if counted and within(r["registered_at"]):
            counts["registered_count"] += 1
            by_category[r["category_id"]] = by_category.get(r["category_id"], 0) + 1
            month = r["registered_at"].astimezone(beijing).strftime("%Y-%m")
            by_month[month] = by_month.get(month, 0) + 1
        if closed:
            counts["closed_count"] += 1
            counts["closed_on_time_count"] += r["closed_at"] <= r["deadline"]
            counts["rework_closed_count"] += r["rework_count"] > 0
            counts["unvisited_count"] += r["evaluated_at"] is None or r["evaluated_at"] < r["closed_at"]
        due = r["deadline"] is not None and start <= r["deadline"] < min(end, timezone.now())
        if counted and due and (r["closed_at"] is None or r["closed_at"] >= end):
            counts["due_open_count"] += 1
        if visited:
            counts["visit_count"] += 1
            counts["responded_count"] += r["responded"] is True
            counts["resolved_count"] += r["resolved"] is True
            counts["satisfied_count"] += r["satisfaction"] == "satisfied"
            counts["basically_satisfied_count"] += r["satisfaction"] == "basically_satisfied"
    return counts, by_category, by_month


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_breakdown_matches_its_definitions_at_month_edges(demo_cases, seed):
    """Cases rewritten with times on and either side of Beijing's month boundaries (16:00 UTC the day before) and
    of the period's ends, every status, closed, visited or not: the one query (GROUPING SETS on PostgreSQL), the
    grouped-and-summed computation it replaced, and the definitions in Python agree."""
    import random
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from youlin.cases.models import Category, Satisfaction
    from youlin.cases.selectors import measures

    rng = random.Random(seed)
    beijing = ZoneInfo("Asia/Shanghai")
    # Local month starts 2026-01 … 2026-06 (in UTC: 16:00 on the day before).
    edges = [datetime(2026, m, 1, tzinfo=beijing).astimezone(UTC) for m in range(1, 7)]
    # The period [local 2026-02-01, local 2026-05-01), or one whose ends are not month edges.
    if seed % 2:
        start, end = edges[1], edges[4]
    else:
        start, end = edges[1] + timedelta(days=9, hours=3), edges[4] - timedelta(hours=5)
    instants = [e + timedelta(seconds=d) for e in [*edges, start, end] for d in (-1, 0, 1)]

    def when(optional: bool = False):
        if optional and rng.random() < 0.3:
            return None
        if rng.random() < 0.7:
            return rng.choice(instants)
        return edges[0] + timedelta(seconds=rng.randrange(int((edges[-1] - edges[0]).total_seconds())))

    categories = list(Category.objects.filter(kind=Category.Kind.MATTER).values_list("pk", flat=True)[:5])
    # The demo's few cases, copied (in their communities) to 120, then rewritten.
    templates = list(Case.objects.all())
    copies = []
    for i in range(120 - len(templates)):
        copy = Case.objects.get(pk=templates[i % len(templates)].pk)
        copy.pk, copy.number, copy.tracking_token, copy.hotline_number = None, f"T{seed}-{i:04d}", f"t{seed}-{i}", ""
        copies.append(copy)
    Case.objects.bulk_create(copies)
    cases = list(Case.objects.all())
    for case in cases:
        case.status = rng.choice(Status.values)
        case.category_id = rng.choice(categories)
        case.registered_at = when()
        case.deadline = when()
        case.closed_at = when(optional=True)
        case.evaluated_at = when(optional=True)
        case.rework_count = rng.choice([0, 0, 1, 2])
        case.responded = rng.choice([True, False, None])
        case.resolved = rng.choice([True, False, None])
        case.satisfaction = rng.choice([*Satisfaction.values, ""])
    Case.objects.bulk_update(
        cases,
        [
            "status",
            "category",
            "registered_at",
            "deadline",
            "closed_at",
            "evaluated_at",
            "rework_count",
            "responded",
            "resolved",
            "satisfaction",
        ],
    )
    fields = [
        "community_id",
        "status",
        "category_id",
        "registered_at",
        "deadline",
        "closed_at",
        "evaluated_at",
        "rework_count",
        "responded",
        "resolved",
        "satisfaction",
    ]
    rows = list(Case.objects.values(*fields))
    options = {"weights": measures.DEFAULT_WEIGHTS, "basically_satisfied_weight": measures.BASICALLY_SATISFIED_WEIGHT}
    community = rows[0]["community_id"]
    # All cases, and a scoped queryset as the dashboard passes (one community's cases, by subquery).
    for cases, mine in (
        (Case.objects.all(), rows),
        (Case.objects.filter(community_id__in=[community]), [r for r in rows if r["community_id"] == community]),
    ):
        counts, by_category, by_month = _oracle(mine, start, end)
        if mine is rows:  # the data is varied enough to mean something
            assert counts["registered_count"] and counts["closed_count"] and counts["visit_count"]
            assert counts["due_open_count"] and len(by_month) >= 2 and len(by_category) >= 2
        with CaptureQueriesContext(connection) as queries:
            found = case_measures_breakdown(start=start, end=end, cases=cases)
        # PostgreSQL: the database groups both ways (not the fallback that sums the rows).
        assert ("GROUPING SETS" in queries[0]["sql"]) == (connection.vendor == "postgresql")
        summed = measures._breakdown(cases, start, end, options, grouping_sets=False)
        for result in (found, summed):
            assert {name: getattr(result.measures, name) for name in counts} == counts
            assert result.registered_by_category == by_category
            assert result.registered_by_month == by_month
        assert found.measures == case_measures(start=start, end=end, cases=cases)
