"""Who may do what to a case, and who sees which case (the access policy)."""

import pytest
from django.http import Http404

from youlin.access import policy
from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseEvent, Channel
from youlin.cases.selectors import cases_visible
from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cases(users, clock):
    """One at 甲楼 (天岳恒物业), one at 乙楼 (金盾物业), one on a public lane (the urban-management office)."""
    jia = f.register(users.spk_resident, channel=Channel.RESIDENT)
    yi = f.register(users.spk_grid, point=f.building_point("手帕口南街36号院", "乙楼"))
    lane = f.register(users.spk_grid, point=f.public_point(), code="06010")
    return jia, yi, lane


def visible_numbers(user):
    return set(cases_visible(user).values_list("number", flat=True))


def test_a_property_company_sees_only_cases_routed_to_it(users, three_cases):
    jia, yi, lane = three_cases
    assert visible_numbers(users.tyh_property) == {jia.number}
    with pytest.raises(Http404):
        policy.get_for(users.tyh_property, Case.objects.all(), number=yi.number)
    assert policy.can(users.tyh_property, policy.VIEW, jia)
    assert not policy.can(users.tyh_property, policy.CHANGE, jia)
    assert set(policy.scope(users.tyh_property, CaseEvent.objects.all()).values_list("case_id", flat=True)) == {jia.pk}


def test_community_staff_see_their_community_and_the_sub_district_sees_its_communities(users, three_cases):
    everything = {c.number for c in three_cases}
    assert visible_numbers(users.spk_staff) == everything
    assert visible_numbers(users.spk_grid) == everything
    assert visible_numbers(users.gw_officer) == everything
    assert visible_numbers(users.fwd_staff) == set()
    assert visible_numbers(users.zl_officer) == set()


def test_a_resident_sees_their_own_cases(users, three_cases):
    jia, _yi, _lane = three_cases
    assert visible_numbers(users.spk_resident) == {jia.number}


def test_handlers_steps_belong_to_the_assigned_organisation(users, three_cases):
    _jia, yi, _lane = three_cases
    yi = services.case_dispatch(actor=users.spk_staff, case=yi, expected_version=yi.version)
    with pytest.raises(CaseError) as err:
        services.case_accept(actor=users.tyh_property, case=yi, expected_version=yi.version)
    assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION
    with pytest.raises(CaseError) as err:
        services.case_accept(actor=users.spk_grid, case=yi, expected_version=yi.version)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    assert "没有权限接单" in str(err.value.message)


@pytest.mark.parametrize("username", ["spk_grid", "spk_captain", "spk_resident", "tyh_property", "spk_committee"])
def test_only_community_managers_dispatch(users, three_cases, username):
    jia = three_cases[0]
    with pytest.raises(CaseError) as err:
        services.case_dispatch(actor=getattr(users, username), case=jia, expected_version=jia.version)
    assert err.value.code in {CaseErrorCode.PERMISSION_DENIED, CaseErrorCode.OUTSIDE_JURISDICTION}
    jia.refresh_from_db()
    assert jia.status == "registered"


@pytest.mark.parametrize(("username", "allowed"), [("spk_secretary", True), ("gw_officer", True), ("fwd_staff", False)])
def test_managers_of_the_community_or_its_sub_district_dispatch(users, three_cases, username, allowed):
    jia = three_cases[0]
    if allowed:
        jia = services.case_dispatch(actor=getattr(users, username), case=jia, expected_version=jia.version)
        assert jia.status == "dispatched"
    else:
        with pytest.raises(CaseError) as err:
            services.case_dispatch(actor=getattr(users, username), case=jia, expected_version=jia.version)
        assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION


def test_only_a_grid_worker_of_the_community_verifies(users, three_cases):
    jia = f.walk(
        three_cases[0],
        staff=users.spk_staff,
        handler=users.tyh_property,
        grid_worker=users.spk_grid,
        to="reported_done",
    )
    for username in ("tyh_property", "spk_captain"):
        with pytest.raises(CaseError) as err:
            services.case_verify(actor=getattr(users, username), case=jia, expected_version=jia.version, passed=True)
        assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    jia = services.case_verify(actor=users.spk_grid, case=jia, expected_version=jia.version, passed=True)
    assert jia.status == "verified"


def test_the_handler_cannot_close_its_own_case(users, three_cases):
    jia = f.walk(
        three_cases[0], staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="verified"
    )
    with pytest.raises(CaseError) as err:
        services.case_close(actor=users.tyh_property, case=jia, expected_version=jia.version)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
