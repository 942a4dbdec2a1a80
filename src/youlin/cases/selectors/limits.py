"""How long a case of a category may take (working days or hours), by sub-district and urgency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from youlin.cases import categories as category_data
from youlin.cases import workdays
from youlin.cases.models import (
    Category,
)
from youlin.cases.routing_cache import routing_cache
from youlin.parties.models import Responsibility

Duty = Responsibility.Duty


@dataclass(frozen=True)
class TimeLimit:
    urgency: str
    limit: workdays.Limit

    def deadline(self, start: datetime) -> datetime:
        return workdays.add(start, self.limit)


def category_time_limit(category: Category, subdistrict_id: int | None, *, urgency: str | None = None) -> TimeLimit:
    """The sub-district's own limit for the category where it set one, else the category's default. With an
    ``urgency`` other than the category's (staff judged it more or less pressing), that urgency's usual limit.
    The sub-districts' own limits are kept per process (``routing_cache``)."""
    own = routing_cache().own_limit(category.pk, subdistrict_id) if subdistrict_id else None
    if own:
        found = TimeLimit(urgency=own[0], limit=workdays.Limit(own[1], own[2]))
    else:
        found = TimeLimit(category.urgency, workdays.Limit(category.time_limit, category.time_limit_unit))
    if urgency is not None and urgency != found.urgency:
        return TimeLimit(urgency, workdays.Limit(*category_data.LIMITS[urgency]))
    return found
