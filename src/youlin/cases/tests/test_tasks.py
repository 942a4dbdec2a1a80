"""The overdue sweep: 督办 in levels by working days overdue, each level telling its own audience."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youlin.cases import services, workdays
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, EventKind, SupervisionLevel
from youlin.cases.tasks import sweep_overdue
from youlin.cases.tests import factories as f
from youlin.notifications.models import Notification
from youlin.scheduling import periodic

pytestmark = pytest.mark.django_db


def accepted_case(users):
    case = f.register(users.spk_grid)
    return f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="accepted")


def supervisions(case):
    return list(case.events.filter(kind=EventKind.SUPERVISED).order_by("id"))


def test_the_sweep_is_registered_to_run_every_five_minutes():
    assert periodic.Periodic("youlin.cases.tasks.sweep_overdue", 300) in periodic.discover()


def told(case, title: str) -> set[str]:
    rows = Notification.objects.filter(title=title % {"number": case.number}, url=f"/cases/{case.number}/")
    return set(rows.values_list("recipient__username", flat=True))


def test_an_overdue_case_escalates_level_by_level_in_working_days(users, clock):
    """Registered Friday 2026-11-27 09:00, 5 working days: due Friday 2026-12-04 09:00. Thresholds 0, 1, 3, 5
    working days: the reminder at the deadline, the community a working day later (Monday, not Saturday), the
    sub-district at 3 and the district at 5."""
    case = accepted_case(users)
    assert sweep_overdue.call() == 0
    clock.advance(days=7, minutes=1)  # Fri 12-04 09:01
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    (event,) = supervisions(case)
    assert case.supervision_level == SupervisionLevel.REMINDER and case.supervise_count == 1 and case.version == 4
    assert case.status == "accepted"
    assert event.actor is None and event.actor_label == "系统" and event.at == clock.now
    assert event.data["by"] == "system" and event.data["level"] == 1 and event.data["days_overdue"] == 0
    assert told(case, "案件 %(number)s 已到处置期限，请尽快办结") == {"spk_grid", "tyh_property"}
    clock.advance(days=2)  # Sunday: no working day has passed since the deadline
    assert sweep_overdue.call() == 0
    clock.advance(days=1)  # Monday 12-07 09:01: one working day
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert case.supervision_level == SupervisionLevel.COMMUNITY
    assert told(case, "案件 %(number)s 超期未办结，社区督办") == {
        "spk_grid",
        "tyh_property",
        "spk_staff",
        "spk_secretary",
    }
    clock.advance(days=2)  # Wednesday: three working days
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert case.supervision_level == SupervisionLevel.SUBDISTRICT
    assert "gw_officer" in told(case, "案件 %(number)s 超期 3 个工作日，街道督办")
    assert "zl_officer" not in told(case, "案件 %(number)s 超期 3 个工作日，街道督办")
    clock.advance(days=2)  # Friday: five working days
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert case.supervision_level == SupervisionLevel.DISTRICT and case.supervise_count == 4
    assert "district" in told(case, "案件 %(number)s 超期 5 个工作日，区级挂牌督办")
    assert [e.data["level"] for e in supervisions(case)] == [1, 2, 3, 4]
    clock.advance(days=30)
    assert sweep_overdue.call() == 0  # nothing above the district


def test_a_sweep_that_comes_late_records_every_level_crossed(users, clock):
    case = accepted_case(users)
    clock.advance(days=14)  # Fri 12-11 09:00: exactly 5 working days past the deadline
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert [e.data["level"] for e in supervisions(case)] == [1, 2, 3, 4]
    assert case.supervision_level == SupervisionLevel.DISTRICT


def test_a_new_deadline_starts_a_new_overdue_period(users, clock):
    case = accepted_case(users)
    clock.advance(days=8)
    sweep_overdue.call()
    case.refresh_from_db()
    assert case.supervision_level == SupervisionLevel.REMINDER
    extension = services.case_extension_request(
        actor=users.tyh_property, case=case, expected_version=case.version, working_days=2, reason="需采购"
    )
    assert extension.requested_deadline == workdays.add(case.deadline, workdays.Limit(2, "working_days"))
    case.refresh_from_db()
    services.case_extension_decide(
        actor=users.spk_staff, extension=extension, expected_version=case.version, approve=True
    )
    case.refresh_from_db()
    assert case.supervision_level == SupervisionLevel.NONE
    assert sweep_overdue.call() == 0
    clock.advance(days=3, minutes=1)  # Tue 12-08 09:01, past the new deadline (Fri 09:00 + 2 working days)
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert case.supervise_count == 2 and len(supervisions(case)) == 2


def test_staff_supervision_raises_the_level_to_the_pressers(users, clock):
    pressed = accepted_case(users)
    by_officer = accepted_case(users)
    done = f.walk(
        f.register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
    )
    clock.advance(days=7, minutes=1)
    services.case_supervise(actor=users.spk_staff, case=pressed, expected_version=pressed.version)
    services.case_supervise(actor=users.gw_officer, case=by_officer, expected_version=by_officer.version)
    pressed.refresh_from_db()
    by_officer.refresh_from_db()
    assert pressed.supervision_level == SupervisionLevel.COMMUNITY
    assert by_officer.supervision_level == SupervisionLevel.SUBDISTRICT
    assert sweep_overdue.call() == 0  # both are above the reminder already due
    assert supervisions(done) == [] and len(supervisions(pressed)) == 1


def test_system_escalation_checks_the_version_and_the_time(users, clock):
    case = accepted_case(users)
    with pytest.raises(CaseError) as err:
        services.case_escalate_overdue(case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.INVALID_INPUT
    clock.advance(days=8)
    with pytest.raises(CaseError) as err:
        services.case_escalate_overdue(case=case, expected_version=case.version - 1)
    assert err.value.code == CaseErrorCode.CONFLICT
    services.case_escalate_overdue(case=case, expected_version=case.version)
    with pytest.raises(CaseError) as err:
        services.case_escalate_overdue(case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.ALREADY_DONE
    assert Case.objects.get(pk=case.pk).supervise_count == 1


def test_the_levels_follow_the_setting(settings):
    assert [services.supervision_due(d) for d in range(7)] == [1, 2, 2, 3, 3, 4, 4]
    assert [services.supervision_due(d, (0, 2, 4, 10)) for d in (0, 1, 2, 4, 9, 10)] == [1, 1, 2, 3, 3, 4]


def test_the_supervision_page_lists_each_level_oldest_first(client, users, clock):
    first, second = accepted_case(users), accepted_case(users)
    clock.advance(days=8)
    sweep_overdue.call()
    client.force_login(users.spk_staff)
    page = client.get("/cases/supervision/?level=1").content.decode()
    assert page.index(first.number) < page.index(second.number)
    assert 'data-testid="days-overdue">0<' in page
    client.force_login(users.fwd_staff)
    assert first.number not in client.get("/cases/supervision/?level=1").content.decode()


def test_the_sweep_costs_the_same_for_each_case(users, clock):
    for _ in range(3):
        accepted_case(users)
    clock.advance(days=7, minutes=1)
    with CaptureQueriesContext(connection) as ctx:
        assert sweep_overdue.call() == 3
    per_case, rest = divmod(len(ctx.captured_queries) - 1, 3)  # one query finds them all
    assert rest == 0 and per_case <= 14
