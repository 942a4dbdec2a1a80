from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from youlin.cases import services, workdays
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseEvent, CaseExtension, CaseNumberCounter, Channel, EventKind, Status
from youlin.cases.services import base
from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(case.events.order_by("at", "id").values_list("kind", flat=True))


# ---------------------------------------------------------------- registration


def test_register_numbers_locates_and_routes_a_patrol_report(users, clock):
    first = f.register(users.spk_grid)
    second = f.register(users.spk_grid)
    assert first.number == "SPK20261127001"
    assert second.number == "SPK20261127002"
    assert first.compound.name == "手帕口南街36号院" and first.building.name == "甲楼"
    assert first.grid.code.startswith("110102019003")
    assert first.status == Status.REGISTERED and first.version == 1
    assert first.reporter.name == "李网格"
    # 5 working days from Friday 09:00: the next Friday 09:00.
    assert first.deadline - first.registered_at == timedelta(hours=168)
    assert [a.organisation.name for a in first.assignments.all()] == ["天岳恒物业"]
    assert not first.needs_deliberation
    assert len(first.tracking_token) >= 32 and first.tracking_token != second.tracking_token
    assert kinds(first) == [EventKind.REGISTERED, EventKind.ROUTED]


def test_daily_sequence_restarts_each_local_day_and_per_community(users, clock):
    f.register(users.spk_grid)
    clock.advance(hours=15)  # 2026-11-28 00:00 in Beijing, still the 27th in UTC
    assert f.register(users.spk_grid).number == "SPK20261128001"
    fwd_point = f.centre(f.Compound.objects.get(name="月坛北小街5号院").geometry)
    other = f.register(users.fwd_staff, point=fwd_point)
    assert other.number == "FWD20261128001"
    assert CaseNumberCounter.objects.count() == 3


def test_the_daily_sequence_has_at_least_three_digits(users, clock):
    """The number is the same text whether the counter and the case are written in one statement (PostgreSQL)
    or one after the other (SQLite)."""
    first = f.register(users.spk_grid)
    counter = CaseNumberCounter.objects.get(community=first.community)
    day = counter.day
    assert first.number == f"SPK{day:%Y%m%d}001"
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=98)
    assert f.register(users.spk_grid).number == f"SPK{day:%Y%m%d}099"
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=999)
    case = f.register(users.spk_grid)
    assert case.number == f"SPK{day:%Y%m%d}1000"
    case.refresh_from_db()
    assert case.number == f"SPK{day:%Y%m%d}1000" and f.register(users.spk_grid).number.endswith("1001")


def test_urgent_category_gets_two_hours(users, clock):
    case = f.register(users.spk_grid, code="10080", description="楼道里有人飞线给电动车充电")
    assert case.urgency == "urgent"
    assert case.deadline == clock.now + timedelta(hours=2)


def test_staff_may_raise_urgency_which_sets_its_time_limit(users, clock):
    case = f.register(users.spk_staff, urgency="utilities")
    assert case.deadline == clock.now + timedelta(hours=24)


def test_anonymous_resident_needs_a_phone(demo, clock):
    with pytest.raises(CaseError) as err:
        f.register(AnonymousUser(), channel=Channel.RESIDENT)
    assert err.value.code == CaseErrorCode.INVALID_INPUT and err.value.field == "reporter_phone"
    case = f.register(AnonymousUser(), channel=Channel.RESIDENT, reporter_name="张阿姨", reporter_phone="13912345678")
    assert case.reporter is None and case.reporter_name == "张阿姨"
    assert case.events.first().actor is None and case.events.first().actor_label == "张阿姨"


def test_hotline_needs_its_work_order_number_once(users, clock):
    with pytest.raises(CaseError) as err:
        f.register(users.spk_staff, channel=Channel.HOTLINE, reporter_phone="13900000000")
    assert err.value.field == "hotline_number"
    case = f.register(
        users.spk_staff,
        channel=Channel.HOTLINE,
        reporter_phone="13900000000",
        hotline_number="2611270001",
        hotline_received_at=clock.now,
        hotline_unit="广外街道",
    )
    assert case.hotline_number == "2611270001" and case.reporter is None
    with pytest.raises(CaseError) as err:
        f.register(users.spk_staff, channel=Channel.HOTLINE, reporter_phone="1", hotline_number="2611270001")
    assert err.value.code == CaseErrorCode.INVALID_INPUT and "已登记" in str(err.value.message)


def test_register_outside_every_community(users, clock):
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, point=(116.20, 39.80))
    assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION
    assert "不在任何社区" in str(err.value.message)


def test_register_rejects_bad_input(users, clock):
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, description="   ")
    assert (err.value.code, err.value.field) == (CaseErrorCode.INVALID_INPUT, "description")
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, point=("east", 39.9))
    assert err.value.code == CaseErrorCode.INVALID_INPUT
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, channel="carrier_pigeon")
    assert err.value.field == "channel"


def test_a_grid_worker_cannot_patrol_another_community(users, clock):
    fwd_point = f.centre(f.Compound.objects.get(name="月坛北小街5号院").geometry)
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, point=fwd_point)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- the loop


def test_the_whole_loop_with_timeline(users, clock):
    case = f.register(users.spk_resident, channel=Channel.RESIDENT)
    assert case.reporter.name == "孙居民"
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    assert case.closed_at == clock.now and case.version == 7
    case = services.case_evaluate(
        actor=users.spk_resident,
        case=case,
        expected_version=case.version,
        responded=True,
        resolved=True,
        satisfaction="satisfied",
        comment="很快",
    )
    assert case.status == Status.EVALUATED
    assert (case.satisfaction, case.responded, case.resolved) == ("satisfied", True, True)
    assert kinds(case) == [
        "registered",
        "routed",
        "dispatched",
        "accepted",
        "started",
        "reported_done",
        "verified",
        "closed",
        "evaluated",
    ]
    steps = list(case.events.order_by("id").values_list("from_status", "to_status"))
    assert steps[2:] == [
        ("registered", "dispatched"),
        ("dispatched", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "reported_done"),
        ("reported_done", "verified"),
        ("verified", "closed"),
        ("closed", "evaluated"),
    ]
    actors = list(case.events.order_by("id").values_list("actor__username", flat=True))
    assert actors[3] == "tyh_property" and actors[6] == "spk_grid" and actors[7] == "spk_staff"
    assert case.assignments.get().accepted_at is not None


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        (services.case_accept, {}),
        (services.case_start, {}),
        (services.case_report_done, {}),
        (services.case_close, {}),
        (services.case_verify, {"passed": True}),
        (services.case_evaluate, {"responded": True, "resolved": True, "satisfaction": "satisfied"}),
        (services.case_return, {"reason": "不归我们管"}),
    ],
)
def test_illegal_transitions_from_registered(users, clock, action, kwargs):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        action(actor=users.district, case=case, expected_version=case.version, **kwargs)
    assert err.value.code == CaseErrorCode.ILLEGAL_TRANSITION
    assert "已立案" in str(err.value.message)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.version == 1 and case.events.count() == 2


def test_illegal_transition_message_names_the_status_and_the_action(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_close(actor=users.spk_staff, case=case, expected_version=case.version)
    assert err.value.code == "illegal_transition"
    assert "“已立案”" in str(err.value.message) and "结案" in str(err.value.message)


def test_stale_version_is_a_conflict(users, clock):
    case = f.register(users.spk_grid)
    stale = Case.objects.get(pk=case.pk)
    services.case_dispatch(actor=users.spk_staff, case=case, expected_version=1)
    with pytest.raises(CaseError) as err:
        services.case_void(actor=users.spk_staff, case=stale, expected_version=stale.version, reason="重复")
    assert err.value.code == CaseErrorCode.CONFLICT
    assert "刷新" in str(err.value.message)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.version == 2


def test_a_race_lost_at_the_update_is_a_conflict(users, clock, monkeypatch):
    """Two writers both read version 1; the second UPDATE … WHERE version = 1 touches no row."""
    case = f.register(users.spk_grid)
    real_fresh = base._fresh

    def fresh_then_someone_else_writes(c, expected_version):
        current = real_fresh(c, expected_version)
        Case.objects.filter(pk=c.pk).update(version=expected_version + 1)
        return current

    monkeypatch.setattr(base, "_fresh", fresh_then_someone_else_writes)
    with pytest.raises(CaseError) as err:
        services.case_dispatch(actor=users.spk_staff, case=case, expected_version=1)
    assert err.value.code == CaseErrorCode.CONFLICT
    assert not case.events.filter(kind=EventKind.DISPATCHED).exists()


def test_state_and_timeline_are_written_together_or_not_at_all(users, clock, monkeypatch):
    case = f.register(users.spk_grid)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(base, "_event", broken)
    with pytest.raises(RuntimeError):
        services.case_dispatch(actor=users.spk_staff, case=case, expected_version=1)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.version == 1


def test_void_needs_a_reason_and_ends_the_case(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_void(actor=users.spk_staff, case=case, expected_version=1, reason=" ")
    assert err.value.field == "reason"
    case = services.case_void(actor=users.spk_staff, case=case, expected_version=1, reason="重复上报")
    assert case.status == Status.VOIDED
    assert case.events.last().note == "重复上报"
    with pytest.raises(CaseError) as err:
        services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.ILLEGAL_TRANSITION


def test_return_then_reroute_then_dispatch_again(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="dispatched")
    with pytest.raises(CaseError) as err:
        services.case_return(actor=users.tyh_property, case=case, expected_version=case.version, reason="")
    assert (err.value.code, err.value.field) == (CaseErrorCode.INVALID_INPUT, "reason")
    case = services.case_return(
        actor=users.tyh_property, case=case, expected_version=case.version, reason="楼道属产权单位管理"
    )
    assert case.status == Status.RETURNED
    owner = f.Building.objects.get(name="甲楼").responsibilities.get(duty="owner_unit").organisation
    case = services.case_route_override(
        actor=users.spk_staff,
        case=case,
        expected_version=case.version,
        organisations=[owner],
        duty="owner_unit",
        reason="物业退回：楼道属产权单位",
    )
    assert [a.organisation for a in case.assignments.all()] == [owner]
    rerouted = case.events.get(kind=EventKind.REROUTED)
    assert rerouted.data["to"] == [owner.pk] and rerouted.data["from"] != [owner.pk]
    assert rerouted.note == "物业退回：楼道属产权单位"
    case = services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version)
    assert case.status == Status.DISPATCHED
    # 天岳恒 is no longer responsible: it can neither see nor accept the case.
    with pytest.raises(CaseError) as err:
        services.case_accept(actor=users.tyh_property, case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION


def test_override_needs_a_reason_and_an_organisation(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_route_override(actor=users.spk_staff, case=case, expected_version=1, organisations=[], reason="x")
    assert err.value.field == "organisations"
    with pytest.raises(CaseError) as err:
        services.case_route_override(
            actor=users.spk_staff,
            case=case,
            expected_version=1,
            organisations=list(case.organisations.all()),
            reason="",
        )
    assert err.value.field == "reason"


def test_failed_verification_is_rework(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(
        case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="reported_done"
    )
    with pytest.raises(CaseError) as err:
        services.case_verify(actor=users.spk_grid, case=case, expected_version=case.version, passed=False)
    assert err.value.field == "note"
    case = services.case_verify(
        actor=users.spk_grid, case=case, expected_version=case.version, passed=False, note="杂物只清了一半"
    )
    assert case.status == Status.IN_PROGRESS and case.rework_count == 1 and case.reported_done_at is None
    case = services.case_report_done(actor=users.tyh_property, case=case, expected_version=case.version)
    case = services.case_verify(actor=users.spk_grid, case=case, expected_version=case.version, passed=True)
    assert case.status == Status.VERIFIED and case.rework_count == 1
    assert kinds(case).count(EventKind.VERIFICATION_FAILED) == 1


def test_community_may_record_a_step_on_behalf_of_a_party(users, clock):
    case = f.register(users.spk_grid, point=f.building_point("手帕口南街36号院", "乙楼"))
    case = services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version)
    case = services.case_accept(actor=users.spk_staff, case=case, expected_version=case.version)
    assert case.events.last().data == {"on_behalf": True}


# ---------------------------------------------------------------- evaluation and reopening


def closed_case(users, **kwargs):
    case = f.register(users.spk_resident, channel=Channel.RESIDENT, **kwargs)
    return f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)


def test_the_tracking_token_lets_an_anonymous_reporter_evaluate(users, clock):
    case = f.register(AnonymousUser(), channel=Channel.RESIDENT, reporter_phone="13911112222")
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_evaluate(
            actor=AnonymousUser(),
            case=case,
            expected_version=case.version,
            responded=True,
            resolved=True,
            satisfaction="satisfied",
            token="guess",
        )
    assert err.value.code == CaseErrorCode.OUTSIDE_JURISDICTION
    with pytest.raises(CaseError) as err:
        services.case_evaluate(
            actor=AnonymousUser(),
            case=case,
            expected_version=case.version,
            responded=True,
            resolved=True,
            satisfaction="great",
            token="x",
        )
    assert err.value.field == "satisfaction"
    case = services.case_evaluate(
        actor=AnonymousUser(),
        case=case,
        expected_version=case.version,
        responded=True,
        resolved=True,
        satisfaction="basically_satisfied",
        token=case.tracking_token,
    )
    assert case.satisfaction == "basically_satisfied" and case.resolved is True
    assert case.events.last().data["by"] == "reporter"


def test_someone_else_cannot_evaluate(users, clock):
    case = closed_case(users)
    with pytest.raises(CaseError) as err:
        services.case_evaluate(
            actor=users.spk_staff,
            case=case,
            expected_version=case.version,
            responded=True,
            resolved=True,
            satisfaction="satisfied",
        )
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED


def test_reopen_within_30_days_sends_it_back(users, clock):
    case = closed_case(users)
    case = services.case_evaluate(
        actor=users.spk_resident,
        case=case,
        expected_version=case.version,
        responded=True,
        resolved=False,
        satisfaction="dissatisfied",
    )
    assert case.resolved is False
    clock.advance(days=29)
    case = services.case_reopen(
        actor=users.spk_resident, case=case, expected_version=case.version, reason="杂物又堆回来了"
    )
    assert case.status == Status.DISPATCHED and case.reopen_count == 1
    # The 不满意 visit stays the case's answer (it counts against the unit) until a visit after the next closing.
    assert case.closed_at is None and case.satisfaction == "dissatisfied" and case.resolved is False
    assert case.deadline == workdays.add(clock.now, workdays.Limit(5, "working_days"))
    assert case.events.filter(kind=EventKind.CLOSED).count() == 1  # the history stays


def test_reopen_after_30_days_is_refused(users, clock):
    case = closed_case(users)
    clock.advance(days=31)
    with pytest.raises(CaseError) as err:
        services.case_reopen(actor=users.spk_resident, case=case, expected_version=case.version, reason="又坏了")
    assert err.value.code == CaseErrorCode.WINDOW_CLOSED
    assert "重新上报" in str(err.value.message)


# ---------------------------------------------------------------- extension, supervision


def test_extension_request_and_approval(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="accepted")
    with pytest.raises(CaseError) as err:
        services.case_extension_request(
            actor=users.tyh_property,
            case=case,
            expected_version=case.version,
            requested_deadline=case.deadline - timedelta(days=1),
            reason="需采购地砖",
        )
    assert err.value.field == "requested_deadline"
    wanted = case.deadline + timedelta(days=7)
    extension = services.case_extension_request(
        actor=users.tyh_property, case=case, expected_version=case.version, requested_deadline=wanted, reason="需采购"
    )
    assert extension.status == CaseExtension.Status.PENDING and case.version == 4
    with pytest.raises(CaseError) as err:
        services.case_extension_request(
            actor=users.tyh_property, case=case, expected_version=case.version, requested_deadline=wanted, reason="再要"
        )
    assert err.value.code == CaseErrorCode.ALREADY_DONE
    with pytest.raises(CaseError) as err:
        services.case_extension_decide(
            actor=users.tyh_property, extension=extension, expected_version=case.version, approve=True
        )
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    services.case_extension_decide(
        actor=users.spk_staff, extension=extension, expected_version=case.version, approve=True
    )
    case.refresh_from_db()
    extension.refresh_from_db()
    assert case.deadline == wanted and extension.status == "approved" and extension.decided_by == users.spk_staff
    assert kinds(case)[-2:] == [EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_APPROVED]


def test_rejected_extension_keeps_the_deadline(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="accepted")
    before = case.deadline
    extension = services.case_extension_request(
        actor=users.tyh_property,
        case=case,
        expected_version=case.version,
        requested_deadline=before + timedelta(days=3),
        reason="人手不足",
    )
    services.case_extension_decide(
        actor=users.spk_staff, extension=extension, expected_version=case.version, approve=False, note="请按期完成"
    )
    case.refresh_from_db()
    assert case.deadline == before and case.events.last().kind == EventKind.EXTENSION_REJECTED


def test_supervise_only_when_overdue(users, clock):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="dispatched")
    with pytest.raises(CaseError) as err:
        services.case_supervise(actor=users.gw_officer, case=case, expected_version=case.version)
    assert "尚未超期" in str(err.value.message)
    clock.advance(days=8)
    with pytest.raises(CaseError) as err:
        services.case_supervise(actor=users.tyh_property, case=case, expected_version=case.version)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    case = services.case_supervise(actor=users.gw_officer, case=case, expected_version=case.version, note="请今日处理")
    assert case.supervise_count == 1 and case.status == Status.DISPATCHED
    assert case.events.last().kind == EventKind.SUPERVISED


# ---------------------------------------------------------------- support and merge


def test_support_once_per_user(users, clock):
    case = f.register(users.spk_grid)
    case = services.case_support(actor=users.spk_resident, case=case)
    case = services.case_support(actor=users.spk_captain, case=case)
    assert case.support_count == 2 and case.version == 1
    with pytest.raises(CaseError) as err:
        services.case_support(actor=users.spk_resident, case=case)
    assert err.value.code == CaseErrorCode.ALREADY_DONE
    with pytest.raises(CaseError) as err:
        services.case_support(actor=AnonymousUser(), case=case)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    case.refresh_from_db()
    assert case.support_count == 2


def test_merge_a_duplicate_into_the_survivor(users, clock):
    survivor = f.register(users.spk_grid)
    duplicate = f.register(users.spk_resident, channel=Channel.RESIDENT, point=f.offset(f.jia_point(), east_m=5))
    services.case_support(actor=users.spk_captain, case=duplicate)
    duplicate.refresh_from_db()
    with pytest.raises(CaseError) as err:
        services.case_merge(actor=users.spk_grid, case=duplicate, survivor=survivor, expected_version=1)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    with pytest.raises(CaseError) as err:
        services.case_merge(actor=users.spk_staff, case=survivor, survivor=survivor, expected_version=1)
    assert (err.value.code, err.value.field) == (CaseErrorCode.INVALID_INPUT, "survivor")
    merged = services.case_merge(
        actor=users.spk_staff, case=duplicate, survivor=survivor, expected_version=1, reason="同一堆物"
    )
    survivor.refresh_from_db()
    assert merged.status == Status.MERGED and merged.merged_into == survivor
    assert survivor.support_count == 1 and survivor.version == 2
    assert survivor.events.last().kind == EventKind.ABSORBED and survivor.events.last().data["merged"] == merged.number
    assert merged.events.last().kind == EventKind.MERGED


def test_merge_across_communities_is_refused(users, clock):
    ours = f.register(users.spk_grid)
    fwd_point = f.centre(f.Compound.objects.get(name="月坛北小街5号院").geometry)
    theirs = f.register(users.fwd_staff, point=fwd_point)
    with pytest.raises(CaseError) as err:
        services.case_merge(actor=users.district, case=ours, survivor=theirs, expected_version=1)
    assert err.value.field == "survivor"
    assert CaseEvent.objects.filter(kind=EventKind.MERGED).count() == 0


def test_sub_district_time_limit_overrides_the_default(users, clock):
    from youlin.cases.models import CategoryTimeLimit
    from youlin.cases.tests.factories import category, register, spk

    default = register(users.spk_grid)
    assert default.deadline - default.registered_at == timedelta(days=7)  # 5 working days from a Friday
    CategoryTimeLimit.objects.create(
        subdistrict=spk().subdistrict,
        category=category("06080"),
        urgency="urgent",
        time_limit=48,
        time_limit_unit="hours",
    )
    own = register(users.spk_grid)
    assert own.urgency == "urgent"
    assert (own.deadline - own.registered_at).total_seconds() == 48 * 3600
    # Another sub-district keeps the default.
    from youlin.cases.tests.factories import building_point

    other = register(users.fwd_staff, point=building_point("月坛北小街1号院", "1号楼"))
    assert other.deadline - other.registered_at == timedelta(days=7)


def test_only_the_sub_district_edits_its_time_limits(users):
    from youlin.access import policy
    from youlin.cases.models import CategoryTimeLimit
    from youlin.cases.tests.factories import category, spk

    limit = CategoryTimeLimit.objects.create(
        subdistrict=spk().subdistrict, category=category("06080"), urgency="general", time_limit=3
    )
    assert policy.can(users.gw_officer, policy.CHANGE, limit)
    assert not policy.can(users.zl_officer, policy.VIEW, limit)
    assert not policy.can(users.spk_staff, policy.CHANGE, limit)
