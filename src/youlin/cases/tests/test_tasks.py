"""The overdue sweep: once per overdue period, told to the followers and the community's staff."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, EventKind
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


def test_an_overdue_case_is_supervised_once_by_the_system(users, clock):
    case = accepted_case(users)
    assert sweep_overdue.call() == 0
    clock.advance(days=7, minutes=1)
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    (event,) = supervisions(case)
    assert case.supervise_count == 1 and case.version == 4 and case.status == "accepted"
    assert event.actor is None and event.actor_label == "系统" and event.at == clock.now
    assert event.data["by"] == "system"
    pressed = Notification.objects.filter(title=f"案件 {case.number} 已超期，被督办", url=f"/cases/{case.number}/")
    assert set(pressed.values_list("recipient__username", flat=True)) == {
        "spk_grid",
        "tyh_property",
        "spk_staff",
        "spk_secretary",
    }
    assert pressed.count() == 4
    clock.advance(hours=1)
    assert sweep_overdue.call() == 0  # the same overdue period
    case.refresh_from_db()
    assert case.supervise_count == 1 and pressed.count() == 4


def test_a_new_deadline_starts_a_new_overdue_period(users, clock):
    case = accepted_case(users)
    clock.advance(days=8)
    sweep_overdue.call()
    case.refresh_from_db()
    extension = services.case_extension_request(
        actor=users.tyh_property,
        case=case,
        expected_version=case.version,
        requested_deadline=clock.now + timedelta(days=2),
        reason="需采购",
    )
    services.case_extension_decide(
        actor=users.spk_staff, extension=extension, expected_version=case.version, approve=True
    )
    assert sweep_overdue.call() == 0
    clock.advance(days=3)
    assert sweep_overdue.call() == 1
    case.refresh_from_db()
    assert case.supervise_count == 2 and len(supervisions(case)) == 2


def test_staff_supervision_counts_and_closed_cases_are_left_alone(users, clock):
    pressed = accepted_case(users)
    done = f.walk(
        f.register(users.spk_grid), staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid
    )
    clock.advance(days=8)
    services.case_supervise(actor=users.spk_staff, case=pressed, expected_version=pressed.version)
    assert sweep_overdue.call() == 0
    assert supervisions(done) == [] and len(supervisions(pressed)) == 1


def test_system_supervision_checks_the_version_and_the_period(users, clock):
    case = accepted_case(users)
    with pytest.raises(CaseError) as err:
        services.case_supervise_overdue(case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.INVALID_INPUT
    clock.advance(days=8)
    with pytest.raises(CaseError) as err:
        services.case_supervise_overdue(case=case, expected_version=case.version - 1)
    assert err.value.code == CaseErrorCode.CONFLICT
    services.case_supervise_overdue(case=case, expected_version=case.version)
    with pytest.raises(CaseError) as err:
        services.case_supervise_overdue(case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.ALREADY_DONE
    assert Case.objects.get(pk=case.pk).supervise_count == 1


def test_the_sweep_costs_the_same_for_each_case(users, clock):
    for _ in range(3):
        accepted_case(users)
    clock.advance(days=8)
    with CaptureQueriesContext(connection) as ctx:
        assert sweep_overdue.call() == 3
    per_case, rest = divmod(len(ctx.captured_queries) - 1, 3)  # one query finds them all
    assert rest == 0 and per_case <= 12
