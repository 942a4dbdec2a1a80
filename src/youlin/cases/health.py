"""What the case loop contributes to ``/metrics`` (``youlin.core.health`` finds this list)."""

from youlin.cases.selectors import open_overdue_count

GAUGES = [("youlin_cases_overdue", "Open cases past their deadline", open_overdue_count)]
