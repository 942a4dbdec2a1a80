"""Ledger entries, campaigns, visits, frontage duties and zone logs through their services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from youlin.cases.models import Case, Category, Channel
from youlin.ledgers import selectors, services
from youlin.ledgers.errors import LedgerError
from youlin.ledgers.excel import ledger_import
from youlin.ledgers.models import EntryStatus, FrontageInspection, LedgerEntry, ZoneLog
from youlin.ledgers.tests.conftest import photo, row, sheet
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Zone


def centre(building):
    p = shape_from_geojson(building.geometry).representative_point()
    return p.x, p.y


@pytest.fixture
def yard1(fwd):
    return Building.objects.get(compound__community=fwd, compound__name="月坛北小街1号院", name="1号楼")


def test_entry_created_by_name_or_by_point_lands_in_the_right_place(users, ledger, yard1):
    by_name = services.ledger_entry_create(
        actor=users.fwd_staff,
        ledger=ledger,
        location_text="月坛北小街1号院1号楼东侧",
        description="堆物",
        photos=[photo()],
    )
    lon, lat = centre(yard1)
    by_point = services.ledger_entry_create(actor=users.fwd_staff, ledger=ledger, lon=lon, lat=lat, description="堆物")
    assert (by_name.seq, by_point.seq) == (1, 2)
    assert by_name.building == by_point.building == yard1
    assert by_name.photos.get().kind == "before"
    assert "月坛北小街1号院" in by_point.location_text


def test_entry_outside_the_ledgers_community_is_refused(users, ledger):
    spk = Building.objects.get(compound__name="手帕口南街36号院", name="甲楼")
    lon, lat = centre(spk)
    with pytest.raises(LedgerError) as caught:
        services.ledger_entry_create(actor=users.fwd_staff, ledger=ledger, lon=lon, lat=lat, description="x")
    assert caught.value.code == "outside_community"
    with pytest.raises(LedgerError) as caught:
        services.ledger_entry_create(actor=users.fwd_staff, ledger=ledger, location_text="某某院", description="x")
    assert caught.value.code == "unknown_place"


@pytest.mark.parametrize("username", ["fwd_captain", "gy_secretary", "fwd_volunteer", "spk_staff"])
def test_only_the_communitys_staff_write_ledgers(users, ledger, username):
    with pytest.raises(LedgerError) as caught:
        services.ledger_entry_create(
            actor=getattr(users, username), ledger=ledger, location_text="月坛北小街1号院", description="x"
        )
    assert caught.value.code == "permission_denied"


def test_entry_status_transitions_are_checked(users, ledger, clock):
    staff = users.fwd_staff
    entry = services.ledger_entry_create(actor=staff, ledger=ledger, location_text="月坛北小街5号院", description="x")
    entry = services.ledger_entry_transition(actor=staff, entry=entry, action="start")
    entry = services.ledger_entry_transition(actor=staff, entry=entry, action="complete", photos=[photo()])
    assert entry.status == EntryStatus.DONE and entry.done_on == date(2026, 11, 27)
    assert entry.photos.get().kind == "after"
    with pytest.raises(LedgerError) as caught:
        services.ledger_entry_transition(actor=staff, entry=entry, action="cancel")
    assert caught.value.code == "illegal_transition"
    entry = services.ledger_entry_transition(actor=staff, entry=entry, action="reopen")
    assert entry.status == EntryStatus.IN_PROGRESS and entry.done_on is None
    with pytest.raises(LedgerError) as caught:
        services.ledger_entry_transition(actor=staff, entry=entry, action="complete", done_on=date(2027, 1, 1))
    assert (caught.value.code, caught.value.field) == ("invalid_input", "done_on")


def test_campaign_progress_counts_entries_and_linked_cases_once(users, ledger, fwd, yard1):
    staff = users.fwd_staff
    campaign = services.campaign_create(
        actor=staff, community=fwd, title="清理堆物堆料", starts_on=date(2026, 3, 1), target_count=10
    )
    for n in range(4):
        entry = services.ledger_entry_create(
            actor=staff, ledger=ledger, location_text="月坛北小街1号院", description=f"堆物{n}", campaign=campaign
        )
        if n < 3:
            services.ledger_entry_transition(actor=staff, entry=entry, action="complete")
    lon, lat = centre(yard1)
    category = Category.objects.get(kind="matter", code="06080")
    case = services_case(staff, category, lon, lat)
    services.campaign_case_link(actor=staff, campaign=campaign, case=case)
    LedgerEntry.objects.filter(pk=entry.pk).update(case=case)  # the open entry is that case: counted once
    other = services_case(staff, category, lon, lat)
    services.campaign_case_link(actor=staff, campaign=campaign, case=other)
    (progress,) = selectors.campaign_progress([campaign])
    assert (progress.entries_done, progress.entries_open, progress.cases_open) == (3, 1, 1)
    assert (progress.done, progress.percent, progress.continuing) == (3, 30, True)


def services_case(actor, category, lon, lat):
    from youlin.cases.services import case_register

    return case_register(actor=actor, category=category, description="堆物", lon=lon, lat=lat, channel="patrol")


def test_campaign_checks(users, fwd):
    with pytest.raises(LedgerError) as caught:
        services.campaign_create(
            actor=users.fwd_staff, community=fwd, title="x", starts_on=date(2026, 3, 1), ends_on=date(2026, 2, 1)
        )
    assert (caught.value.code, caught.value.field) == ("invalid_input", "ends_on")
    with pytest.raises(LedgerError) as caught:
        services.campaign_create(actor=users.gy_secretary, community=fwd, title="x", starts_on=date(2026, 3, 1))
    assert caught.value.code == "permission_denied"


def test_ledger_counters_quote_the_seed(users, ledger):
    rows = [row(n, 整改情况="已整改", 问题类别="06013", 分类施策="维修") for n in range(3)]
    rows += [row(n, 整改情况="已整改", 问题类别="04080 树坑破损", 分类施策="维修") for n in range(2)]
    rows += [row(9, 问题类别="04080")]
    content = sheet(rows, headers=["问题位置", "问题描述", "责任单位", "整改时限", "整改情况", "问题类别", "分类施策"])
    ledger_import(actor=users.fwd_staff, ledger=ledger, file=content)
    counters = {c.label: c.count for c in selectors.ledger_counters(ledger)}
    assert counters == {"道路破损（维修）": 3, "树坑破损（维修）": 2}


# ---------------------------------------------------------------- visits


def test_building_captain_records_a_visit_and_turns_a_finding_into_a_case(users, yard1):
    visit = services.visit_record(
        actor=users.fwd_captain,
        building=yard1,
        visited_on=timezone.localdate() - timedelta(days=1),
        households_reached=12,
        findings=["楼道声控灯损坏", "", "楼前地砖缺失"],
    )
    assert visit.findings.count() == 2
    finding = visit.findings.first()
    case = services.finding_to_case(
        actor=users.fwd_captain, finding=finding, category=Category.objects.get(kind="matter", code="06081")
    )
    assert case.channel == Channel.DOOR_TO_DOOR and case.building == yard1
    with pytest.raises(LedgerError) as caught:
        services.finding_to_case(actor=users.fwd_captain, finding=finding, category=case.category)
    assert caught.value.code == "already_done"


def test_staff_put_a_finding_on_a_ledger(users, yard1, ledger):
    visit = services.visit_record(
        actor=users.fwd_captain,
        building=yard1,
        visited_on=timezone.localdate(),
        households_reached=3,
        findings=["堆物"],
    )
    with pytest.raises(LedgerError) as caught:  # the captain found it; the community's staff keep the ledgers
        services.finding_to_entry(actor=users.fwd_captain, finding=visit.findings.get(), ledger=ledger)
    assert caught.value.code == "permission_denied"
    entry = services.finding_to_entry(actor=users.fwd_staff, finding=visit.findings.get(), ledger=ledger)
    assert entry.building == yard1 and entry.description == "堆物"
    with pytest.raises(LedgerError) as caught:
        services.finding_to_entry(actor=users.fwd_staff, finding=visit.findings.get(), ledger=ledger)
    assert caught.value.code == "already_done"


def test_visits_only_in_ones_own_community(users, yard1):
    for username in ("gy_branch", "fwd_volunteer", "spk_captain"):
        with pytest.raises(LedgerError) as caught:
            services.visit_record(
                actor=getattr(users, username), building=yard1, visited_on=timezone.localdate(), households_reached=1
            )
        assert caught.value.code == "permission_denied"
    with pytest.raises(LedgerError) as caught:
        services.visit_record(
            actor=users.fwd_captain, building=yard1, visited_on=timezone.localdate(), households_reached=999
        )
    assert (caught.value.code, caught.value.field) == ("invalid_input", "households_reached")


# ---------------------------------------------------------------- frontage duties


@pytest.fixture
def duty(users, yard1):
    lon, lat = centre(yard1)
    return services.frontage_duty_create(
        actor=users.fwd_staff,
        name="便民超市",
        address="阜外大街12号门前",
        lon=lon,
        lat=lat,
        responsible_person="刘店长",
        responsible_phone="13800000000",
    )


def fail(users, duty, clock, days_later, username="fwd_staff"):
    clock.advance(days=days_later)
    return services.frontage_inspect(actor=getattr(users, username), duty=duty, sanitation_ok=False, note="门前垃圾")


def test_third_failure_within_60_days_opens_a_case_once(users, duty, clock):
    services.frontage_inspect(actor=users.fwd_staff, duty=duty, note="ok")
    assert fail(users, duty, clock, 1).escalated_case is None
    assert fail(users, duty, clock, 20).escalated_case is None
    third = fail(users, duty, clock, 20, username="fwd_captain")  # a building captain inspecting
    case = third.escalated_case
    assert case is not None and case.category.code == "09080" and case.channel == Channel.PATROL
    assert "60 天内 3 次" in case.description
    # A fourth failure does not open a second case; three more after the escalation would.
    assert fail(users, duty, clock, 1).escalated_case is None
    assert fail(users, duty, clock, 1).escalated_case is None
    assert fail(users, duty, clock, 1).escalated_case is not None
    assert Case.objects.filter(category__code="09080").count() == 2


def test_failures_spread_over_more_than_60_days_do_not_escalate(users, duty, clock):
    for gap in (0, 35, 35, 35):
        assert fail(users, duty, clock, gap).escalated_case is None
    assert not Case.objects.exists()


def test_a_pass_needs_no_note_a_failure_does(users, duty):
    with pytest.raises(LedgerError) as caught:
        services.frontage_inspect(actor=users.fwd_staff, duty=duty, order_ok=False)
    assert (caught.value.code, caught.value.field) == ("invalid_input", "note")
    with pytest.raises(LedgerError) as caught:
        services.frontage_inspect(actor=users.gy_secretary, duty=duty)
    assert caught.value.code == "permission_denied"
    inspection = services.frontage_inspect(actor=users.fwd_staff, duty=duty, photos=[photo()])
    assert inspection.passed and inspection.photos.count() == 1
    assert FrontageInspection.objects.count() == 1


# ---------------------------------------------------------------- zone responsibility


def test_garden_group_leader_logs_own_zone_only(users, gy):
    zones = list(Zone.objects.filter(community=gy).order_by("pk"))
    own = services.zone_log_record(actor=users.gy_branch, zone=zones[0], kind="patrol", photos=[photo()])
    assert own.organisation.name == "钢院社区第1花园管理小组"
    with pytest.raises(LedgerError) as caught:
        services.zone_log_record(actor=users.gy_branch, zone=zones[1], kind="patrol")
    assert caught.value.code == "permission_denied"
    with pytest.raises(LedgerError) as caught:
        services.zone_log_record(actor=users.fwd_staff, zone=zones[1], kind="patrol")
    assert caught.value.code == "permission_denied"
    services.zone_log_record(actor=users.gy_secretary, zone=zones[1], kind="maintenance")
    assert ZoneLog.objects.count() == 2


def test_zone_coverage_shows_zones_not_patrolled_in_n_days(users, gy, clock):
    from django.utils import timezone

    zones = list(Zone.objects.filter(community=gy).order_by("pk"))
    now = timezone.now()
    services.zone_log_record(actor=users.gy_secretary, zone=zones[0], kind="patrol", logged_at=now - timedelta(days=2))
    services.zone_log_record(actor=users.gy_secretary, zone=zones[1], kind="patrol", logged_at=now - timedelta(days=10))
    week = {c.zone.pk: c for c in selectors.zone_coverage(users.gy_secretary, days=7)}
    assert [pk for pk, c in week.items() if c.covered] == [zones[0].pk]
    assert week[zones[1].pk].last_logged_at == now - timedelta(days=10)
    fortnight = selectors.zone_coverage(users.gy_secretary, days=14)
    assert {c.zone.pk for c in fortnight if c.covered} == {zones[0].pk, zones[1].pk}
    assert len([c for c in fortnight if not c.covered]) == 11
    assert fortnight[0].covered is False  # uncovered first
    # A branch secretary sees the community's zones and logs only their group's; fwd staff see none of 钢院's.
    assert len(selectors.zone_coverage(users.gy_branch, days=7)) == 13
    assert [z.pk for z in selectors.loggable_zones(users.gy_branch)] == [zones[0].pk]
    assert selectors.zone_coverage(users.fwd_staff, days=7) == []
