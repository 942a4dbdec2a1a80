"""Before and after photos: checked all together before a step writes anything, linked to the step's event."""

import pytest

from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case, CaseEvent, CaseNumberCounter, CasePhoto, EventKind, Status
from youlin.cases.selectors import case_photo_pairs
from youlin.cases.tests import factories as f
from youlin.photos.models import Photo

pytestmark = pytest.mark.django_db


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_register_keeps_before_photos_on_the_registered_event(users, clock, media):
    case = f.register(users.spk_grid, photos=[f.photo(), f.photo((30, 200, 30))])
    event = case.events.get(kind=EventKind.REGISTERED)
    rows = list(CasePhoto.objects.filter(case=case).order_by("id"))
    assert [r.kind for r in rows] == ["before", "before"]
    assert event.data["photos"] == [r.photo_id for r in rows]
    assert all(r.event_id == event.pk for r in rows)
    assert Photo.objects.get(pk=rows[0].photo_id).uploaded_by == users.spk_grid
    assert len(stored_files(media)) == 4  # each photo and its thumbnail


def test_report_done_and_verify_add_after_photos(users, clock, media, django_assert_num_queries):
    case = f.register(users.spk_grid, photos=[f.photo()])
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress")
    case = services.case_report_done(
        actor=users.tyh_property, case=case, expected_version=case.version, note="已清理", photos=[f.photo((0, 0, 200))]
    )
    reported = case.events.get(kind=EventKind.REPORTED_DONE)
    case = services.case_verify(
        actor=users.spk_grid,
        case=case,
        expected_version=case.version,
        passed=False,
        note="没清干净",
        photos=[f.photo()],
    )
    failed = case.events.get(kind=EventKind.VERIFICATION_FAILED)
    with django_assert_num_queries(1):
        before, after = case_photo_pairs(case)
        assert [p.photo.width for p in before + after] == [64, 64, 64]
    assert [p.event_id for p in before] == [case.events.get(kind=EventKind.REGISTERED).pk]
    assert [p.event_id for p in after] == [reported.pk, failed.pk]
    assert reported.data["photos"] == [after[0].photo_id] and failed.data["photos"] == [after[1].photo_id]
    assert case_photo_pairs(case).after == after


def test_one_bad_photo_refuses_the_whole_registration(users, clock, media):
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, photos=[f.photo(), f.not_a_photo()])
    assert err.value.code == CaseErrorCode.INVALID_INPUT and err.value.field == "photos"
    assert "第 2 张照片" in str(err.value.message) and "JPEG" in str(err.value.message)
    assert Case.objects.count() == 0 and CaseNumberCounter.objects.count() == 0
    assert Photo.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert stored_files(media) == []


def test_a_bad_after_photo_leaves_the_case_as_it_was(users, clock, media):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress")
    with pytest.raises(CaseError) as err:
        services.case_report_done(
            actor=users.tyh_property, case=case, expected_version=case.version, photos=[f.photo(), f.not_a_photo()]
        )
    assert err.value.field == "photos"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.version == 4
    assert Photo.objects.count() == 0 and stored_files(media) == []


def test_at_most_nine_photos_a_step(users, clock, media):
    with pytest.raises(CaseError) as err:
        f.register(users.spk_grid, photos=[f.photo() for _ in range(10)])
    assert err.value.field == "photos" and "9" in str(err.value.message)
    case = f.register(users.spk_grid, photos=[f.photo() for _ in range(9)])
    assert len(case_photo_pairs(case).before) == 9


def test_a_stale_version_stores_no_photo(users, clock, media):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress")
    with pytest.raises(CaseError) as err:
        services.case_report_done(
            actor=users.tyh_property, case=case, expected_version=case.version - 1, photos=[f.photo()]
        )
    assert err.value.code == CaseErrorCode.CONFLICT
    assert Photo.objects.count() == 0 and stored_files(media) == []


def test_a_refused_actor_stores_no_photo(users, clock, media):
    case = f.register(users.spk_grid)
    case = f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress")
    with pytest.raises(CaseError) as err:
        services.case_report_done(actor=users.spk_grid, case=case, expected_version=case.version, photos=[f.photo()])
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    assert Photo.objects.count() == 0
