"""The field's measures: 按期结案率 and the 12345 三率, with breakdowns and series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Aggregate, Count, DateTimeField, F, IntegerField, Q, QuerySet, When
from django.db.models import Case as Case_
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youlin.cases.models import (
    Case,
    Satisfaction,
    Status,
)
from youlin.parties.models import Responsibility

Duty = Responsibility.Duty


DEFAULT_WEIGHTS = (10, 50, 40)  # response, resolution, satisfaction
BASICALLY_SATISFIED_WEIGHT = 0.9

GROUPS = {
    "subdistrict": "community__subdistrict",
    "community": "community",
    "grid": "grid",
    "organisation": "assignments__organisation",
    "category": "category",
    "category_major": "category__major_code",
}


@dataclass
class Measures:
    """The measures of the digital urban-management loop and of Beijing's 12345 for one period [start, end).

    Digital urban management:
    - ``registered_count`` 立案数: cases registered in the period (voided and merged ones are not cases).
    - ``closed_count`` 结案数: cases closed in the period (a reopened case is not closed until closed again).
    - ``due_count`` 应结案数 = 结案数 + cases whose deadline fell in the period and that were not closed by its
      end (应结未结). A deadline still to come (a period that runs on past now) is not due yet.
    - ``closure_rate`` 结案率 = closed_count / due_count.
    - ``on_time_rate`` 按期结案率 = cases closed in the period by their deadline / due_count.
    - ``rework_rate`` 返工率 = cases closed in the period that failed verification at least once / closed_count.

    Beijing 12345, over the valid follow-up visits (回访 that reached the caller; each case counts once, in the
    period of its latest valid visit; see ``services.visits``):
    - ``response_rate`` 响应率 = visits answering "responded" / visits;
    - ``resolution_rate`` 解决率 = visits answering "resolved" / visits;
    - ``satisfaction_rate`` 满意率 = (satisfied + w × basically satisfied) / visits, w = 0.9 by default;
    - ``score`` 综合得分 = 10 × 响应率 + 50 × 解决率 + 40 × 满意率 (weights configurable), out of 100.
    - ``unvisited_count`` 未回访: cases closed in the period with no valid visit since that closing.

    A rate with an empty denominator is ``None`` (nothing to measure), never 0.
    """

    registered_count: int = 0
    closed_count: int = 0
    closed_on_time_count: int = 0
    due_open_count: int = 0
    rework_closed_count: int = 0
    visit_count: int = 0
    unvisited_count: int = 0
    responded_count: int = 0
    resolved_count: int = 0
    satisfied_count: int = 0
    basically_satisfied_count: int = 0
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS

    @property
    def due_count(self) -> int:
        return self.closed_count + self.due_open_count

    @staticmethod
    def _rate(numerator: float, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    @property
    def closure_rate(self) -> float | None:
        return self._rate(self.closed_count, self.due_count)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.closed_on_time_count, self.due_count)

    @property
    def rework_rate(self) -> float | None:
        return self._rate(self.rework_closed_count, self.closed_count)

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded_count, self.visit_count)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved_count, self.visit_count)

    @property
    def satisfaction_rate(self) -> float | None:
        weighted = self.satisfied_count + self.basically_satisfied_weight * self.basically_satisfied_count
        return self._rate(weighted, self.visit_count)

    @property
    def score(self) -> float | None:
        if not self.visit_count:
            return None
        w_response, w_resolution, w_satisfaction = self.weights
        return (
            w_response * self.response_rate
            + w_resolution * self.resolution_rate
            + w_satisfaction * self.satisfaction_rate
        )


def _measure_aggregates(start: datetime, end: datetime, *, distinct: bool) -> dict:
    """COUNT(DISTINCT) only where a to-many join can repeat a case (grouping by responsible party): a plain
    COUNT spares PostgreSQL a sort per measure."""
    counted = ~Q(status__in=[Status.VOIDED, Status.MERGED])
    due_by = min(end, timezone.now())  # a case due later today is not 应结未结 in today's figures
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    visited = Q(evaluated_at__gte=start, evaluated_at__lt=end)
    return {
        "registered_count": Count(
            "id", filter=counted & Q(registered_at__gte=start, registered_at__lt=end), distinct=distinct
        ),
        "closed_count": Count("id", filter=closed, distinct=distinct),
        "closed_on_time_count": Count("id", filter=closed & Q(closed_at__lte=F("deadline")), distinct=distinct),
        "due_open_count": Count(
            "id",
            filter=counted
            & Q(deadline__gte=start, deadline__lt=due_by)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
            distinct=distinct,
        ),
        "rework_closed_count": Count("id", filter=closed & Q(rework_count__gt=0), distinct=distinct),
        "visit_count": Count("id", filter=visited, distinct=distinct),
        "unvisited_count": Count(
            "id",
            filter=closed & (Q(evaluated_at__isnull=True) | Q(evaluated_at__lt=F("closed_at"))),
            distinct=distinct,
        ),
        "responded_count": Count("id", filter=visited & Q(responded=True), distinct=distinct),
        "resolved_count": Count("id", filter=visited & Q(resolved=True), distinct=distinct),
        "satisfied_count": Count("id", filter=visited & Q(satisfaction=Satisfaction.SATISFIED), distinct=distinct),
        "basically_satisfied_count": Count(
            "id", filter=visited & Q(satisfaction=Satisfaction.BASICALLY_SATISFIED), distinct=distinct
        ),
    }


def case_measures(
    *,
    start: datetime,
    end: datetime,
    cases: QuerySet[Case] | None = None,
    group_by: str | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> Measures | dict[int | str | None, Measures]:
    """The measures of ``cases`` (default: all; pass a scoped queryset for a user) for [start, end).

    ``group_by`` is one of community, grid, organisation (the responsible party), category or category_major;
    then the answer maps each group's key (an id, or the major code) to its measures. One aggregate query
    either way. See ``Measures`` for the definitions.
    """
    qs = Case.objects.all() if cases is None else cases
    touched = (
        Q(registered_at__gte=start, registered_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
        | Q(deadline__gte=start, deadline__lt=end)
        | Q(evaluated_at__gte=start, evaluated_at__lt=end)
    )
    qs = qs.filter(touched).order_by()
    # No COUNT(DISTINCT) even when grouping by responsible party: (case, organisation) is unique, and a
    # permission-scoped queryset filters by subquery, never by a to-many join that would repeat a case.
    aggregates = _measure_aggregates(start, end, distinct=False)
    options = {"weights": weights, "basically_satisfied_weight": basically_satisfied_weight}
    if group_by is None:
        return Measures(**qs.aggregate(**aggregates), **options)
    try:
        path = GROUPS[group_by]
    except KeyError:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}") from None
    rows = qs.values(path).annotate(**aggregates).order_by(path)
    return {row.pop(path): Measures(**row, **options) for row in rows}


@dataclass
class MeasuresBreakdown:
    """The measures of a period with the cases registered in it by category and by local month (what a
    dashboard's headline, category chart and monthly bars show), from ONE aggregate query."""

    measures: Measures
    registered_by_category: dict[int, int]  # category id → cases registered in the period (not voided/merged)
    registered_by_month: dict[str, int]  # "YYYY-MM" (local) → the same, by month of registration


class _Grouping(Aggregate):
    """PostgreSQL's ``GROUPING(expression)``: 0 on a row of a grouping set that groups by the expression, 1 on a
    row of one that does not. An aggregate to the ORM, so that it is never added to the GROUP BY."""

    function = "GROUPING"
    name = "Grouping"
    output_field = IntegerField()
    allow_distinct = False
    empty_result_set_value = None


_GROUP_BY_CATEGORY_AND_MONTH = " GROUP BY 1, 2"


def case_measures_breakdown(
    *,
    start: datetime,
    end: datetime,
    cases: QuerySet[Case] | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> MeasuresBreakdown:
    """``case_measures`` for [start, end) and the registrations by category and by month, in one query. Same
    definitions as ``case_measures``.

    The measures' aggregates are written once (``_measure_aggregates``) and grouped by category and by local
    month of registration. On PostgreSQL the database does both groupings in the one scan (``GROUPING SETS``):
    a row per category (whose sum is the period's measures) and a row per month. SQLite has no grouping sets:
    there the query groups by (category, month) and the rows are summed three ways here."""
    options = {"weights": weights, "basically_satisfied_weight": basically_satisfied_weight}
    qs = Case.objects.all() if cases is None else cases
    return _breakdown(qs, start, end, options, grouping_sets=connection.vendor == "postgresql")


def _breakdown(
    qs: QuerySet[Case], start: datetime, end: datetime, options: dict, *, grouping_sets: bool
) -> MeasuresBreakdown:
    tz = timezone.get_current_timezone()
    touched = (
        Q(registered_at__gte=start, registered_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
        | Q(deadline__gte=start, deadline__lt=end)
        | Q(evaluated_at__gte=start, evaluated_at__lt=end)
    )
    aggregates = _measure_aggregates(start, end, distinct=False)
    # The month only of cases registered in the period (the others, closed or visited in it, share one group
    # per category): a few hundred groups, not one per month a case was ever registered in.
    month = Case_(
        When(registered_at__gte=start, registered_at__lt=end, then=TruncMonth("registered_at", tzinfo=tz)),
        default=None,
        output_field=DateTimeField(),
    )
    grouped = qs.filter(touched).annotate(month=month).values("category_id", "month")
    if grouping_sets:
        found = _breakdown_grouping_sets(grouped, aggregates, options)
        if found is not None:
            return found
    return _breakdown_summed(grouped, aggregates, options)


def _fetch(rows: QuerySet) -> tuple[dict[str, int], list[tuple]]:
    """A grouped query's rows straight from the cursor (a few hundred groups need no per-row conversion by the
    ORM), with each column's position."""
    sql, params = rows.query.sql_with_params()
    return _execute(sql, params)


def _execute(sql: str, params) -> tuple[dict[str, int], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return {name: i for i, name in enumerate(names)}, cursor.fetchall()


def _month_key(month) -> str:
    """A local month as "YYYY-MM": naive from PostgreSQL (AT TIME ZONE), text from SQLite."""
    return month[:7] if isinstance(month, str) else month.strftime("%Y-%m")


def _breakdown_grouping_sets(grouped: QuerySet, aggregates: dict, options: dict) -> MeasuresBreakdown | None:
    """PostgreSQL: ``GROUP BY GROUPING SETS ((category), (month))`` in place of ``GROUP BY category, month``.
    None if the ORM wrote a GROUP BY other than the two selected columns (a scoped queryset of another shape):
    the caller then sums the rows itself."""
    rows = grouped.annotate(**aggregates, by_month=_Grouping("category_id")).order_by()
    sql, params = rows.query.sql_with_params()
    if not sql.endswith(_GROUP_BY_CATEGORY_AND_MONTH):
        return None
    sql = sql.removesuffix(_GROUP_BY_CATEGORY_AND_MONTH) + " GROUP BY GROUPING SETS ((1), (2))"
    at, found = _execute(sql, params)
    columns = [at[name] for name in aggregates]
    category_at, month_at, registered_at, flag_at = (
        at["category_id"],
        at["month"],
        at["registered_count"],
        at["by_month"],
    )
    totals = [0] * len(columns)
    by_category: dict[int, int] = {}
    by_month: dict[str, int] = {}
    for row in found:
        n = row[registered_at]
        if row[flag_at]:  # a month's row (NULL: the cases not registered in the period)
            if n and row[month_at] is not None:
                by_month[_month_key(row[month_at])] = n
            continue
        # A category's row: every case touched by the period is in exactly one.
        for j, i in enumerate(columns):
            totals[j] += row[i]
        if n:
            by_category[row[category_at]] = n
    measures = Measures(**dict(zip(aggregates, totals, strict=True)), **options)
    return MeasuresBreakdown(measures, by_category, by_month)


def _breakdown_summed(grouped: QuerySet, aggregates: dict, options: dict) -> MeasuresBreakdown:
    """Any database: the aggregates grouped by (category, month), summed three ways here."""
    at, found = _fetch(grouped.annotate(**aggregates).order_by())
    columns = [(name, at[name]) for name in aggregates]
    category_at, month_at, registered_at = at["category_id"], at["month"], at["registered_count"]
    totals = dict.fromkeys(aggregates, 0)
    by_category: dict[int, int] = {}
    by_month: dict[str, int] = {}
    keys: dict = {}
    for row in found:
        for name, i in columns:
            totals[name] += row[i]
        n, month = row[registered_at], row[month_at]
        if n and month is not None:
            if month not in keys:
                keys[month] = _month_key(month)
            key = keys[month]
            by_category[row[category_at]] = by_category.get(row[category_at], 0) + n
            by_month[key] = by_month.get(key, 0) + n
    return MeasuresBreakdown(Measures(**totals, **options), by_category, by_month)


def case_measures_series(
    *,
    periods: list[tuple[datetime, datetime]],
    cases: QuerySet[Case] | None = None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    basically_satisfied_weight: float = BASICALLY_SATISFIED_WEIGHT,
) -> list[Measures]:
    """The measures for each of several periods (e.g. the months of a trend) in ONE aggregate query: each
    period's counts are FILTERed aggregates over a single scan. Same definitions as ``case_measures``."""
    if not periods:
        return []
    qs = Case.objects.all() if cases is None else cases
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    touched = (
        Q(registered_at__gte=first, registered_at__lt=last)
        | Q(closed_at__gte=first, closed_at__lt=last)
        | Q(deadline__gte=first, deadline__lt=last)
        | Q(evaluated_at__gte=first, evaluated_at__lt=last)
    )
    aggregates = {}
    for i, (start, end) in enumerate(periods):
        for name, expression in _measure_aggregates(start, end, distinct=False).items():
            aggregates[f"p{i}_{name}"] = expression
    row = qs.filter(touched).order_by().aggregate(**aggregates)
    options = {"weights": weights, "basically_satisfied_weight": basically_satisfied_weight}
    result = []
    for i in range(len(periods)):
        prefix = f"p{i}_"
        result.append(Measures(**{k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}, **options))
    return result
