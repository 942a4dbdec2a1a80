"""Who may do what to a case, and who sees which case (the access policy)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404

from youlin.access import policy
from youlin.cases import selectors, services, steps
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseEvent, Channel, Status
from youlin.cases.selectors import cases_visible
from youlin.cases.tests import factories as f
from youlin.parties.models import Organisation

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


# ---------------------------------------------------------------- the actions a case page offers


def offered(user, case, **kwargs):
    return selectors.available_actions(user, Case.objects.get(pk=case.pk), **kwargs)


def test_every_step_has_a_label_a_role_and_statuses_it_may_start_from():
    for action, step in steps.STEPS.items():
        assert step.action == action
        assert str(step.label) and step.role in steps.Role
        assert step.from_statuses and step.from_statuses <= set(Status.values)
        assert step.to_status is None or step.to_status in Status.values


@pytest.mark.parametrize("step", steps.with_form(), ids=lambda s: s.action)
def test_a_steps_page_form_and_api_input_name_the_same_fields(step):
    """One ``perform`` serves the page and the API, so the form's fields must be the schema's (the API may take
    more, e.g. a deadline the page does not ask for)."""
    form_fields = set(step.form.base_fields) - {"photos"}
    assert form_fields <= set(step.schema.model_fields), form_fields - set(step.schema.model_fields)
    assert "expected_version" in form_fields
    assert ("photos" in step.form.base_fields) == step.photos


def test_the_api_has_one_endpoint_per_step_with_a_form():
    from youlin.api.api import api

    paths = api.get_openapi_schema()["paths"]
    case_posts = [p for p in paths if p.startswith("/api/v1/cases/{number}/") and "post" in paths[p]]
    # Updates (进展留言) are not steps of the loop: they have their own endpoints under /updates.
    posted = {p.rsplit("/", 1)[-1] for p in case_posts if not p.startswith("/api/v1/cases/{number}/updates")}
    assert posted == {s.action for s in steps.with_form()} | {"support"}
    assert {p for p in case_posts if p.startswith("/api/v1/cases/{number}/updates")} == {
        "/api/v1/cases/{number}/updates",
        "/api/v1/cases/{number}/updates/{update_id}/flag",
        "/api/v1/cases/{number}/updates/{update_id}/hide",
    }


def test_a_registered_case_offers_staff_the_intake_steps(users, clock):
    case = f.register(users.spk_grid)
    assert offered(users.spk_staff, case) == ["dispatch", "reroute", "correct", "void", "merge", "support"]
    assert offered(users.spk_grid, case) == ["support"]
    assert offered(users.tyh_property, case) == ["support"]
    assert offered(AnonymousUser(), case) == []
    services.case_support(actor=users.spk_captain, case=case)
    assert offered(users.spk_captain, case) == []


def test_the_handler_sees_its_steps_and_the_grid_worker_verifies(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="dispatched")
    assert offered(users.tyh_property, case) == ["accept", "return", "extension_request", "support"]
    # The community may record a step on behalf of a party (代办).
    assert offered(users.spk_staff, case) == ["reroute", "accept", "return", "extension_request", "merge", "support"]
    assert offered(users.spk_grid, case) == ["support"]
    case = f.walk(
        case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="reported_done"
    )
    assert offered(users.spk_grid, case) == ["verify", "verify_fail", "support"]
    assert offered(users.tyh_property, case) == ["support"]


def test_supervise_and_extensions_follow_the_deadline_and_the_pending_request(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="accepted")
    assert "supervise" not in offered(users.spk_staff, case)
    assert "extension_decide" not in offered(users.spk_staff, case)
    services.case_extension_request(
        actor=users.tyh_property,
        case=case,
        expected_version=case.version,
        requested_deadline=case.deadline + timedelta(days=3),
        reason="需采购",
    )
    assert "extension_request" not in offered(users.tyh_property, case)
    assert "extension_decide" in offered(users.spk_staff, case)
    clock.advance(days=8)
    assert "supervise" in offered(users.gw_officer, case)
    assert "supervise" not in offered(users.tyh_property, case)


def test_the_reporter_with_the_token_evaluates_and_reopens_within_30_days(users, clock):
    case = f.register(AnonymousUser(), channel=Channel.RESIDENT, reporter_phone="13912345678")
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    assert offered(AnonymousUser(), case, token=case.tracking_token) == ["evaluate", "reopen"]
    assert offered(AnonymousUser(), case, token="not-the-token") == []
    assert offered(users.spk_staff, case) == ["follow_up", "reopen", "support"]
    clock.advance(days=31)
    assert offered(AnonymousUser(), case, token=case.tracking_token) == ["evaluate"]


def test_available_actions_make_a_fixed_number_of_queries(users, clock, django_assert_num_queries):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="dispatched")
    staff = users.spk_staff
    policy.jurisdiction_of(staff)  # cached on the user for the request
    with django_assert_num_queries(3):  # assignments, pending extension, own support
        selectors.available_actions(staff, case)


class _RolledBack(Exception):
    pass


def _attempt(call) -> bool:
    """Whether the service accepts the step; nothing it writes is kept."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return True
    except CaseError:
        return False


def _calls(actor, case: Case, survivor: Case):
    """One call per action, each on its own fresh copy of the case (services update the instance they get)."""
    pending = case.extensions.filter(status="pending").first()

    def step(service, **kwargs):
        return lambda: service(actor=actor, case=Case.objects.get(pk=case.pk), expected_version=case.version, **kwargs)

    calls = {
        "dispatch": step(services.case_dispatch),
        "reroute": step(
            services.case_route_override,
            organisations=list(Organisation.objects.filter(name="天岳恒物业")),
            reason="调整",
        ),
        "void": step(services.case_void, reason="重复"),
        "accept": step(services.case_accept),
        "return": step(services.case_return, reason="不归我们"),
        "start": step(services.case_start),
        "extension_request": step(
            services.case_extension_request, requested_deadline=case.deadline + timedelta(days=3), reason="需要时间"
        ),
        "report_done": step(services.case_report_done),
        "verify": step(services.case_verify, passed=True),
        "verify_fail": step(services.case_verify, passed=False, note="没清干净"),
        "supervise": step(services.case_supervise),
        "close": step(services.case_close),
        "evaluate": step(services.case_evaluate, responded=True, resolved=True, satisfaction="satisfied"),
        "reopen": step(services.case_reopen, reason="又堆上了"),
        "merge": step(services.case_merge, survivor=survivor),
        "support": lambda: services.case_support(actor=actor, case=Case.objects.get(pk=case.pk)),
    }
    if pending is not None:
        calls["extension_decide"] = lambda: services.case_extension_decide(
            actor=actor, extension=pending, expected_version=case.version, approve=False
        )
    return calls


def test_an_action_is_offered_exactly_when_its_service_accepts_it(users, clock):
    survivor = f.register(users.spk_grid, point=f.offset(f.jia_point(), east_m=5))
    case = f.register(users.spk_resident, channel=Channel.RESIDENT)
    names = ["spk_staff", "spk_grid", "tyh_property", "spk_resident", "spk_captain", "fwd_staff"]
    people = {name: getattr(users, name) for name in names}
    stops = ["dispatched", "accepted", "in_progress", "reported_done", "verified", "closed"]
    checked = 0
    for stop in [None, *stops]:
        if stop is not None:
            case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to=stop)
        if stop == "accepted":
            clock.advance(days=8)  # overdue from here on: supervise becomes possible
        for name, user in people.items():
            current = Case.objects.get(pk=case.pk)
            actions = selectors.available_actions(user, current)
            for action, call in _calls(user, current, survivor).items():
                assert _attempt(call) == (action in actions), (stop, name, action, actions)
                checked += 1
    assert checked > 500
