"""更正 and the triage queue: staff correct a registered case's category or place; it is routed again."""

from datetime import timedelta

import pytest
from django.urls import reverse

from youlin.cases import services, signals
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, EventKind, Triage
from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def test_correcting_the_category_reroutes_resets_the_deadline_and_is_announced(users, clock):
    case = f.register(users.spk_grid, point=f.public_point(), code="06080")  # 楼道堆物 on a public lane
    Case.objects.filter(pk=case.pk).update(triage=Triage.CATEGORY)
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["old_category"].code, kwargs["new_category"].code, kwargs["actor"]))

    signals.category_corrected.connect(listener)
    try:
        case = services.case_correct(
            actor=users.spk_staff,
            case=Case.objects.get(pk=case.pk),
            expected_version=case.version,
            category=f.category("10080"),
            reason="实为电动车飞线充电",
        )
    finally:
        signals.category_corrected.disconnect(listener)
    assert case.category.code == "10080" and case.urgency == "urgent" and case.triage == ""
    assert case.deadline == case.registered_at + timedelta(hours=2)
    assert heard == [("06080", "10080", users.spk_staff)]
    event = case.events.get(kind=EventKind.CORRECTED)
    assert event.data["category"] == ["06080", "10080"] and event.note == "实为电动车飞线充电"


def test_correcting_the_place_routes_to_the_buildings_parties(users, clock):
    case = f.register(users.spk_grid, point=f.public_point())
    assert [a.organisation.name for a in case.assignments.all()] == ["广外街道城管办"]
    lon, lat = f.jia_point()
    case = services.case_correct(
        actor=users.spk_staff, case=case, expected_version=case.version, lon=lon, lat=lat, reason="实际在甲楼楼道"
    )
    assert case.building.name == "甲楼"
    assert [a.organisation.name for a in case.assignments.all()] == ["天岳恒物业"]


def test_correcting_needs_something_to_correct_a_reason_and_a_manager(users, clock):
    case = f.register(users.spk_grid)
    with pytest.raises(CaseError) as err:
        services.case_correct(actor=users.spk_staff, case=case, expected_version=case.version, reason="x")
    assert (err.value.code, err.value.field) == (CaseErrorCode.INVALID_INPUT, "category")
    with pytest.raises(CaseError) as err:
        services.case_correct(
            actor=users.spk_staff, case=case, expected_version=case.version, category=f.category("06082"), reason=" "
        )
    assert err.value.field == "reason"
    with pytest.raises(CaseError) as err:
        services.case_correct(
            actor=users.spk_grid, case=case, expected_version=case.version, category=f.category("06082"), reason="x"
        )
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    # A place in another community that this staff member does not manage.
    lon, lat = f.building_point("月坛北小街1号院", "1号楼")
    with pytest.raises(CaseError) as err:
        services.case_correct(
            actor=users.spk_staff, case=case, expected_version=case.version, lon=lon, lat=lat, reason="x"
        )
    assert err.value.field == "location"


def test_the_triage_queue_and_the_correct_form(client, users, clock):
    waiting = f.register(users.spk_grid)
    Case.objects.filter(pk=waiting.pk).update(triage=Triage.LOCATION)
    other = f.register(users.spk_grid)
    client.force_login(users.spk_staff)
    page = client.get(reverse("cases:list"), {"triage": "on"}).content.decode()
    assert waiting.number in page and other.number not in page and "位置待确认" in page
    detail = client.get(reverse("cases:detail", args=[waiting.number])).content.decode()
    assert 'data-action="correct"' in detail and "手帕口南街36号院乙楼" in detail
    from youlin.places.models import Building

    yi = Building.objects.get(compound__name="手帕口南街36号院", name="乙楼")
    response = client.post(
        reverse("cases:act", args=[waiting.number, "correct"]),
        {"correct-expected_version": 1, "correct-building": yi.pk, "correct-reason": "电话确认在乙楼"},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.triage == "" and waiting.building_id == yi.pk
