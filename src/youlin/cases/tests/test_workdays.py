"""Working days: the official holiday calendar with 调休, overrides, and the deadlines that run on them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from youlin.cases import workdays
from youlin.cases.models import WorkdayOverride
from youlin.cases.tests import factories as f

BJ = ZoneInfo("Asia/Shanghai")
FIVE_WORKING_DAYS = workdays.Limit(5, workdays.WORKING_DAYS)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BJ)


@pytest.fixture(autouse=True)
def _no_overrides(settings):
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


@pytest.mark.django_db
def test_national_day_and_its_make_up_saturday():
    """2026: 10-01…10-07 off, Saturday 10-10 worked (调休)."""
    assert workdays.is_working_day(date(2026, 9, 30))
    assert not any(workdays.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert workdays.is_working_day(date(2026, 10, 10))  # a Saturday, worked
    assert not workdays.is_working_day(date(2026, 10, 11))


@pytest.mark.django_db
def test_five_working_days_from_the_afternoon_before_national_day():
    # 09-30 15:00: 9 h left that day; 10-08, 10-09, 10-10 (调休), 10-12 whole; 15 h of 10-13.
    assert workdays.add(at(2026, 9, 30, 15), FIVE_WORKING_DAYS) == at(2026, 10, 13, 15)


@pytest.mark.django_db
def test_a_case_on_a_make_up_saturday_runs_that_day_and_skips_sunday():
    assert workdays.add(at(2026, 10, 10, 10), workdays.Limit(1, workdays.WORKING_DAYS)) == at(2026, 10, 12, 10)
    # An ordinary Saturday: the clock starts on Monday at 00:00 and the day ends at midnight.
    assert workdays.add(at(2026, 10, 17, 10), workdays.Limit(1, workdays.WORKING_DAYS)) == at(2026, 10, 20, 0)


@pytest.mark.django_db
def test_calendar_hours_run_by_the_clock_and_working_hours_only_on_working_days():
    assert workdays.add(at(2026, 10, 1, 10), workdays.Limit(2, workdays.HOURS)) == at(2026, 10, 1, 12)
    assert workdays.add(at(2026, 9, 30, 20), workdays.Limit(8, workdays.WORKING_HOURS)) == at(2026, 10, 8, 4)


@pytest.mark.django_db
def test_working_days_overdue_skip_the_holiday():
    deadline = at(2026, 9, 30, 12)
    assert workdays.working_days_overdue(deadline, at(2026, 10, 7, 23)) == 0  # 12 h of 09-30 only
    assert workdays.working_days_overdue(deadline, at(2026, 10, 8, 12)) == 1
    assert workdays.working_days_overdue(deadline, at(2026, 9, 29)) == 0


@pytest.mark.django_db
def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday_and_overrides_win():
    assert workdays.year_known(2026)
    assert not workdays.year_known(2040)
    assert workdays.is_working_day(date(2040, 1, 2)) and not workdays.is_working_day(date(2040, 1, 7))
    WorkdayOverride.objects.create(day=date(2040, 1, 2), is_working_day=False, note="元旦调休")
    WorkdayOverride.objects.create(day=date(2040, 1, 7), is_working_day=True, note="元旦调休")
    workdays.forget_overrides()
    assert not workdays.is_working_day(date(2040, 1, 2)) and workdays.is_working_day(date(2040, 1, 7))


@pytest.mark.django_db
def test_the_admin_says_when_a_year_is_not_known(admin_client, monkeypatch):
    monkeypatch.setattr(workdays, "year_known", lambda year: year < 2027)
    page = admin_client.get("/admin/cases/workdayoverride/").content.decode()
    assert "2027 年的法定节假日和调休安排尚未收录" in page


def test_registration_deadline_uses_working_days(users, clock):
    clock.now = at(2026, 9, 30, 15)
    case = f.register(users.spk_grid)  # 楼道堆物: 5 working days
    assert case.deadline == at(2026, 10, 13, 15)
    assert case.deadline - case.registered_at == timedelta(days=13)  # not the 7 calendar days of old


@pytest.mark.django_db
def test_the_imports_deadlines_per_day_answer_as_the_walk():
    """The import works out a limit of working days once per (local day, limit) (``plan._Deadlines``): for
    every start — working days, days off, 调休 Saturdays, midnight, a second before it — it answers as
    ``workdays.add``."""
    import random

    from youlin.cases.imports.plan import _Deadlines

    WorkdayOverride.objects.create(day=date(2026, 9, 29), is_working_day=False)
    rng = random.Random(5)
    limits = [FIVE_WORKING_DAYS, workdays.Limit(1, workdays.WORKING_DAYS), workdays.Limit(0, workdays.WORKING_DAYS)]
    limits += [workdays.Limit(10, workdays.WORKING_HOURS), workdays.Limit(24, workdays.HOURS)]
    with workdays.held():
        memo = _Deadlines()
        for _ in range(3000):
            day = date(2026, 9, 20) + timedelta(days=rng.randrange(30))
            moment = rng.choice([(0, 0, 0), (23, 59, 59), (rng.randrange(24), rng.randrange(60), rng.randrange(60))])
            start = at(day.year, day.month, day.day, *moment)
            limit = rng.choice(limits)
            assert memo.add(start, limit) == workdays.add(start, limit), (start, limit)
            assert memo.add(start.astimezone(ZoneInfo("UTC")), limit) == workdays.add(start, limit)
