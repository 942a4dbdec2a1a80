from datetime import datetime, timedelta

import pytest

from youlin.access import policy
from youlin.cases import services
from youlin.cases.models import Case, Channel
from youlin.cases.selectors import (
    case_list,
    case_measures,
    distance_m,
    nearby_open_cases,
    overdue_cases,
    recurrence_hotspots,
)
from youlin.cases.tests import factories as f
from youlin.parties.models import Organisation
from youlin.testing import BEIJING

pytestmark = pytest.mark.django_db


def close(users, case):
    return f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)


# ---------------------------------------------------------------- duplicates and recurrence


def test_distance_is_metres():
    lon, lat = 116.335, 39.879
    east = f.offset((lon, lat), east_m=40)
    north = f.offset((lon, lat), north_m=30)
    assert distance_m(lon, lat, *east) == pytest.approx(40, abs=0.01)
    assert distance_m(*east, *north) == pytest.approx(50, abs=0.05)


def test_nearby_open_cases_of_the_same_category(users, clock):
    here = f.jia_point()
    near = f.register(users.spk_grid, point=f.offset(here, east_m=30))
    nearer = f.register(users.spk_grid, point=f.offset(here, north_m=10))
    f.register(users.spk_grid, point=f.offset(here, east_m=80))  # too far
    f.register(users.spk_grid, point=here, code="06082", description="卫生死角")  # another category
    voided = f.register(users.spk_grid, point=here)
    services.case_void(actor=users.spk_staff, case=voided, expected_version=1, reason="重复")
    found = nearby_open_cases(f.category("06080"), *here)
    assert [c.number for c in found] == [nearer.number, near.number]
    assert found[0].distance_m == pytest.approx(10, abs=0.1)
    assert [c.number for c in nearby_open_cases(f.category("06080"), *here, radius_m=100)][-1] != voided.number


def test_a_problem_back_at_the_same_place_is_a_recurrence_of_the_first_case(users, clock):
    here = f.jia_point()
    first = close(users, f.register(users.spk_grid, point=here))
    clock.advance(days=20)
    second = f.register(users.spk_grid, point=f.offset(here, north_m=-20))
    assert second.recurrence_of == first
    assert second.events.get(kind="registered").data["recurrence_of"] == first.number
    close(users, second)
    clock.advance(days=20)
    third = f.register(users.spk_grid, point=f.offset(here, north_m=-25))
    assert third.recurrence_of == first  # chains point at the first case
    other_category = f.register(users.spk_grid, point=here, code="06082", description="卫生死角")
    assert other_category.recurrence_of is None
    far = f.register(users.spk_grid, point=f.offset(here, east_m=70))
    assert far.recurrence_of is None


def test_no_recurrence_after_90_days(users, clock):
    here = f.jia_point()
    close(users, f.register(users.spk_grid, point=here))
    clock.advance(days=91)
    assert f.register(users.spk_grid, point=here).recurrence_of is None


def test_no_recurrence_while_the_first_is_still_open(users, clock):
    here = f.jia_point()
    f.register(users.spk_grid, point=here)
    assert f.register(users.spk_grid, point=here).recurrence_of is None


def test_recurrence_hotspots(users, clock):
    here = f.yard36_open_point()
    first = close(users, f.register(users.spk_grid, point=here, code="06082", description="卫生死角又脏了"))
    for _ in range(2):
        clock.advance(days=10)
        close(users, f.register(users.spk_grid, point=here, code="06082", description="卫生死角又脏了"))
    # A pair elsewhere: only two cases, below the threshold.
    pair = close(users, f.register(users.spk_grid, point=f.jia_point()))
    clock.advance(days=1)
    f.register(users.spk_grid, point=f.jia_point())
    hotspots = recurrence_hotspots(f.spk(), min_count=3)
    assert [(h.root, h.count) for h in hotspots] == [(first, 3)]
    assert (
        hotspots[0].last_registered_at == Case.objects.filter(recurrence_of=first).latest("registered_at").registered_at
    )
    assert {h.root for h in recurrence_hotspots(f.spk(), min_count=2)} == {first, pair}


# ---------------------------------------------------------------- lists


def test_case_list_is_keyset_paginated_in_one_query(users, clock, django_assert_num_queries):
    made = []
    for _ in range(5):
        made.append(f.register(users.spk_grid))
        clock.advance(minutes=1)
    staff = users.spk_staff
    community = f.spk()
    policy.jurisdiction_of(staff)  # computed once per request; not part of the list
    with django_assert_num_queries(1):
        page = case_list(staff, community=community, limit=3)
        labels = [(c.number, c.category.name, c.community.name, c.building.name) for c in page]
    assert [n for n, *_ in labels] == [c.number for c in reversed(made)][:3]
    last = page[-1]
    rest = case_list(staff, after=(last.registered_at, last.pk), limit=3)
    assert [c.number for c in rest] == [made[1].number, made[0].number]
    assert case_list(staff, status="dispatched") == []


def test_overdue_cases(users, clock):
    urgent = f.register(users.spk_grid, code="10080", description="飞线充电")
    f.register(users.spk_grid)
    clock.advance(hours=3)
    assert list(overdue_cases(f.spk())) == [urgent]


# ---------------------------------------------------------------- measures


@pytest.fixture
def month(users, clock):
    """A hand-countable month (Beijing time, 2026-11-27 .. 2026-12-27):

    A  甲楼, registered day 0, closed day 2 (deadline day 7): on time; evaluated satisfied.
    B  甲楼, registered day 0, fails verification once, closed day 9: late, rework; basically satisfied.
    C  甲楼, registered day 1, still open (deadline day 8): due, not closed.
    D  甲楼, registered day 1, voided: not a case.
    F  乙楼 (金盾物业), registered day 2, closed day 4; evaluated dissatisfied, not resolved.
    E  甲楼, registered day 25 (deadline day 32, after the month): registered only.
    """
    start = clock.now
    staff, handler, grid = users.spk_staff, users.tyh_property, users.spk_grid
    a = f.register(users.spk_resident, channel=Channel.RESIDENT)
    b = f.register(users.spk_resident, channel=Channel.RESIDENT)
    b = f.walk(b, staff=staff, handler=handler, grid_worker=grid, to="reported_done")
    b = services.case_verify(actor=grid, case=b, expected_version=b.version, passed=False, note="没清干净")
    b = services.case_report_done(actor=handler, case=b, expected_version=b.version)
    clock.advance(days=1)
    c = f.register(users.spk_grid, code="06082", description="卫生死角")
    d = f.register(users.spk_grid)
    services.case_void(actor=staff, case=d, expected_version=1, reason="重复")
    clock.advance(days=1)
    a = f.walk(a, staff=staff, handler=handler, grid_worker=grid)
    a = services.case_evaluate(
        actor=users.spk_resident,
        case=a,
        expected_version=a.version,
        responded=True,
        resolved=True,
        satisfaction="satisfied",
    )
    f_ = f.register(users.spk_resident, channel=Channel.RESIDENT, point=f.building_point("手帕口南街36号院", "乙楼"))
    f_ = services.case_dispatch(actor=staff, case=f_, expected_version=f_.version)
    for step in (services.case_accept, services.case_start, services.case_report_done):
        f_ = step(actor=staff, case=f_, expected_version=f_.version)
    clock.advance(days=2)
    f_ = services.case_verify(actor=grid, case=f_, expected_version=f_.version, passed=True)
    f_ = services.case_close(actor=staff, case=f_, expected_version=f_.version)
    f_ = services.case_evaluate(
        actor=users.spk_resident,
        case=f_,
        expected_version=f_.version,
        responded=True,
        resolved=False,
        satisfaction="dissatisfied",
    )
    clock.advance(days=5)  # day 9
    b = services.case_verify(actor=grid, case=b, expected_version=b.version, passed=True)
    b = services.case_close(actor=staff, case=b, expected_version=b.version)
    b = services.case_evaluate(
        actor=users.spk_resident,
        case=b,
        expected_version=b.version,
        responded=True,
        resolved=True,
        satisfaction="basically_satisfied",
    )
    clock.advance(days=16)  # day 25
    e = f.register(users.spk_grid)
    clock.advance(days=1)
    return {"start": start, "end": start + timedelta(days=30), "cases": (a, b, c, d, e, f_)}


def test_a_deadline_still_to_come_is_not_yet_due(users, clock):
    """Today's figures (a period that runs on past now): a case due later today is not 应结未结 yet, so it
    neither lowers 结案率 nor 按期结案率 before its deadline; once the deadline has passed it does."""
    start = clock.now - timedelta(days=3)
    end = clock.now + timedelta(days=1)
    case = f.register(users.spk_grid)
    Case.objects.filter(pk=case.pk).update(deadline=clock.now + timedelta(hours=3))
    m = case_measures(start=start, end=end)
    assert (m.registered_count, m.due_open_count, m.due_count) == (1, 0, 0)
    assert m.on_time_rate is None and m.closure_rate is None  # nothing due yet: no rate, not 0 %
    clock.advance(hours=4)
    m = case_measures(start=start, end=end)
    assert (m.due_open_count, m.due_count, m.on_time_rate) == (1, 1, 0.0)


def test_measures_of_a_hand_counted_month(month, django_assert_num_queries):
    with django_assert_num_queries(1):
        m = case_measures(start=month["start"], end=month["end"])
    assert m.registered_count == 5  # A B C E F; D was voided
    assert (m.closed_count, m.closed_on_time_count, m.due_open_count) == (3, 2, 1)
    assert m.due_count == 4
    assert m.closure_rate == pytest.approx(3 / 4)  # 结案率
    assert m.on_time_rate == pytest.approx(2 / 4)  # 按期结案率
    assert m.rework_rate == pytest.approx(1 / 3)  # 返工率
    assert m.visit_count == 3
    assert m.response_rate == pytest.approx(1.0)  # 响应率
    assert m.resolution_rate == pytest.approx(2 / 3)  # 解决率
    assert m.satisfaction_rate == pytest.approx((1 + 0.9) / 3)  # 满意率
    assert m.score == pytest.approx(10 * 1 + 50 * 2 / 3 + 40 * 1.9 / 3)


def test_measures_weights_are_configurable(month):
    m = case_measures(start=month["start"], end=month["end"], weights=(0, 0, 100), basically_satisfied_weight=0.5)
    assert m.satisfaction_rate == pytest.approx(1.5 / 3)
    assert m.score == pytest.approx(50.0)


def test_measures_per_responsible_party(month):
    by_party = case_measures(start=month["start"], end=month["end"], group_by="organisation")
    tyh = Organisation.objects.get(name="天岳恒物业").pk
    jd = Organisation.objects.get(name="金盾物业服务公司").pk
    assert set(by_party) == {tyh, jd}
    assert (by_party[tyh].registered_count, by_party[tyh].closed_count, by_party[tyh].due_count) == (4, 2, 3)
    assert by_party[tyh].on_time_rate == pytest.approx(1 / 3)
    assert (by_party[jd].closed_count, by_party[jd].on_time_rate, by_party[jd].satisfaction_rate) == (1, 1.0, 0.0)


def test_measures_per_category_and_community(month):
    a, b, c, d, e, f_ = month["cases"]
    by_category = case_measures(start=month["start"], end=month["end"], group_by="category")
    assert by_category[c.category_id].registered_count == 1
    assert by_category[c.category_id].closure_rate == 0.0
    assert by_category[c.category_id].visit_count == 0 and by_category[c.category_id].score is None
    by_major = case_measures(start=month["start"], end=month["end"], group_by="category_major")
    assert set(by_major) == {"06"} and by_major["06"].registered_count == 5
    by_community = case_measures(start=month["start"], end=month["end"], group_by="community")
    assert by_community[a.community_id].closed_count == 3


def test_measures_per_grid_and_for_an_earlier_period(month):
    by_grid = case_measures(start=month["start"], end=month["end"], group_by="grid")
    assert sum(m.registered_count for m in by_grid.values()) == 5
    before = case_measures(start=month["start"] - timedelta(days=30), end=month["start"])
    assert before.registered_count == 0 and before.closure_rate is None and before.score is None


def test_measures_of_what_a_user_may_see(month, users):
    m = case_measures(
        start=month["start"], end=month["end"], cases=policy.scope(users.tyh_property, Case.objects.all())
    )
    assert m.registered_count == 4 and m.closed_count == 2


def test_measures_reject_an_unknown_grouping(demo):
    # The error names the groupings there are (a ``None`` period would fail too, but for another reason).
    start = datetime(2026, 11, 1, tzinfo=BEIJING)
    with pytest.raises(ValueError, match=r"group_by must be one of \['category', "):
        case_measures(start=start, end=start + timedelta(days=30), group_by="colour")


def test_measures_series_equal_measures_per_period(users, clock):
    """One query for many periods gives exactly what case_measures gives for each period alone."""
    from datetime import timedelta

    from youlin.cases.selectors import case_measures, case_measures_series
    from youlin.cases.tests.factories import register, walk

    walk(register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    clock.advance(days=20)
    register(users.spk_grid)
    clock.advance(days=15)
    walk(register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    start = clock.now - timedelta(days=40)
    periods = [(start + timedelta(days=10 * i), start + timedelta(days=10 * (i + 1))) for i in range(5)]
    series = case_measures_series(periods=periods)
    for (a, b), measures in zip(periods, series, strict=True):
        alone = case_measures(start=a, end=b)
        assert (measures.registered_count, measures.closed_count, measures.due_count, measures.closure_rate) == (
            alone.registered_count,
            alone.closed_count,
            alone.due_count,
            alone.closure_rate,
        )
    assert sum(m.registered_count for m in series) == 3
