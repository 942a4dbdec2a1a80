"""Working days and the deadlines that run on them.

Offices work to working days: weekends and China's public holidays (法定节假日) do not count, make-up working days
(调休, a Saturday or Sunday worked in exchange for a longer holiday) do. The official calendar comes from the
maintained ``chinese-calendar`` package, which knows each year once the State Council has announced it. For a
year it does not know yet, Monday to Friday are working days, and the admin says so (``year_known``); a district
can enter the announced days itself (``WorkdayOverride``) until the package catches up.

A limit in working days or working hours runs only during working days, midnight to midnight in Beijing time:
registered at 15:00 on a working day, 5 working days end at 15:00 on the fifth working day after; registered on a
holiday, the clock starts at 00:00 of the next working day. Calendar hours (urgent matters) run by the clock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)
HOURS = "hours"
WORKING_HOURS = "working_hours"
WORKING_DAYS = "working_days"
_OVERRIDES_KEY = "youlin:workday-overrides"
_MAX_DAYS = 3 * 366  # a limit never runs longer than this: a guard against an endless loop on bad data


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # HOURS, WORKING_HOURS or WORKING_DAYS

    @property
    def working_time(self) -> timedelta:
        return timedelta(days=self.amount) if self.unit == WORKING_DAYS else timedelta(hours=self.amount)


@functools.lru_cache(maxsize=4096)
def _official(day: date) -> bool | None:
    """The official calendar's answer, or None for a year it does not know."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def year_known(year: int) -> bool:
    return _official(date(year, 6, 1)) is not None


_held = threading.local()


@contextmanager
def held() -> Iterator[None]:
    """Within the block this thread reads the overrides once: a bulk import computes thousands of deadlines."""
    outer = getattr(_held, "overrides", None)
    _held.overrides = _overrides()
    try:
        yield
    finally:
        _held.overrides = outer


def _overrides() -> dict[date, bool]:
    found = getattr(_held, "overrides", None)
    if found is not None:
        return found
    found = cache.get(_OVERRIDES_KEY)
    if found is None:
        from youlin.cases.models import WorkdayOverride

        found = dict(WorkdayOverride.objects.values_list("day", "is_working_day"))
        cache.set(_OVERRIDES_KEY, found, 300)
    return found


def forget_overrides() -> None:
    """Called when an override is saved or deleted."""
    cache.delete(_OVERRIDES_KEY)


def is_working_day(day: date, *, overrides: dict[date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    official = _official(day)
    if official is not None:
        return official
    return day.weekday() < 5  # a year the calendar does not know yet: Monday to Friday


def _local(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)


def add(start: datetime, limit: Limit) -> datetime:
    """The deadline of a limit that starts running at ``start`` (an aware datetime)."""
    if limit.unit == HOURS:
        return start + timedelta(hours=limit.amount)
    overrides = _overrides()
    remaining = limit.working_time
    moment = _local(start)
    for _day in range(_MAX_DAYS):
        next_midnight = datetime.combine(moment.date() + DAY, time.min, tzinfo=BEIJING)
        if is_working_day(moment.date(), overrides=overrides):
            available = next_midnight - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = next_midnight
    raise ValueError(f"a limit of {limit} does not end within {_MAX_DAYS} days")


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """How much working time passes from ``start`` to ``end`` (zero when end is not later)."""
    if end <= start:
        return timedelta(0)
    overrides = _overrides()
    total = timedelta(0)
    moment, end = _local(start), _local(end)
    while moment < end:
        next_midnight = datetime.combine(moment.date() + DAY, time.min, tzinfo=BEIJING)
        if is_working_day(moment.date(), overrides=overrides):
            total += min(next_midnight, end) - moment
        moment = next_midnight
    return total


def working_days_overdue(deadline: datetime, now: datetime) -> int:
    """Whole working days since the deadline passed: 0 on the day it passes, 1 a working day later, …"""
    return working_time_between(deadline, now) // DAY
