"""#13.7 and #13.13: uploaded files are served by youlin with debug off, public photos to anyone, the rest only to
whoever may see a row that holds them (the access policy), under random names; a proxy can send the bytes."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from youlin.cases import services as case_services
from youlin.cases.tests import factories as cf
from youlin.deliberation import services as meeting_services
from youlin.deliberation.tests import factories as mf
from youlin.photos.models import Photo
from youlin.photos.services import photo_create

RANDOM = re.compile(r"/[A-Za-z0-9_-]{22}\.[a-z]+$")


def url(field) -> str:
    return "/media/" + field.name


def get(client, user, path, **headers):
    """The response, its body read (``.body``) and so its file closed."""
    client.logout()
    if user is not None:
        client.force_login(user)
    return read(client.get(path, **headers))


def read(response):
    # Reading a streamed body to its end closes the response (and its file), as a WSGI server would.
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


@pytest.fixture
def document(users):
    meeting = mf.meeting(users)
    upload = SimpleUploadedFile("meeting-notes.txt", "议程：地砖、充电柜。".encode(), content_type="text/plain")
    return meeting_services.material_add(actor=users.spk_staff, meeting=meeting, title="会议议程", upload=upload)


def test_a_meeting_document_is_served_only_to_the_meeting_side(client, users, document):
    """Before: ``/media/meetings/…/meeting-3.txt`` to anyone (with debug on) and nothing at all with it off."""
    assert RANDOM.search(document.document.name) and "meeting" not in document.document.name.rsplit("/", 1)[1]
    path = url(document.document)
    response = get(client, users.spk_staff, path)
    assert response.status_code == 200
    assert response.body.decode() == "议程：地砖、充电柜。"
    assert "attachment" in response["Content-Disposition"] and "%E4%BC%9A%E8%AE%AE" in response["Content-Disposition"]
    assert response["Cache-Control"].startswith("private")
    assert get(client, users.spk_resident, path).status_code == 200  # invited to the meeting
    for outsider in (None, users.fwd_staff, users.gy_secretary, users.builder):
        assert get(client, outsider, path).status_code == 404, outsider


def test_case_photos_before_are_public_after_only_on_the_case_side_until_closed(client, users):
    case = cf.register(users.spk_grid, photos=[cf.photo()])
    case = cf.walk(
        case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress"
    )
    case = case_services.case_report_done(
        actor=users.tyh_property, case=case, expected_version=case.version, photos=[cf.photo((0, 200, 0))]
    )
    before = case.photos.get(kind="before").photo
    after = case.photos.get(kind="after").photo
    assert RANDOM.search(before.image.name) and RANDOM.search(after.thumbnail.name)
    # Open311 publishes every request's before photo: public, cacheable by anyone.
    response = get(client, None, url(before.image))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("public")
    assert get(client, None, url(before.thumbnail)).status_code == 200
    # The after photo of a case not yet closed: the case's side only.
    for user, status in ((None, 404), (users.fwd_staff, 404), (users.spk_staff, 200), (users.tyh_property, 200)):
        assert get(client, user, url(after.image)).status_code == status, user
    case = cf.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)
    assert get(client, None, url(after.image)).status_code == 200  # closed: on the public page


def test_the_tracking_link_shows_its_cases_photos(client, users):
    case = cf.register(users.spk_staff, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678")
    case = cf.walk(
        case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid, to="in_progress"
    )
    case = case_services.case_report_done(
        actor=users.tyh_property, case=case, expected_version=case.version, photos=[cf.photo((0, 200, 0))]
    )
    after = url(case.photos.get(kind="after").photo.thumbnail)
    client.logout()
    assert read(client.get(after)).status_code == 404
    assert after.encode() in client.get(f"/t/{case.tracking_token}/").content
    assert read(client.get(after)).status_code == 200


def test_an_api_token_fetches_what_its_user_may_see(client, users, document):
    from youlin.api.services import token_create

    _token, raw = token_create(user=users.spk_staff, name="app")
    client.logout()
    assert read(client.get(url(document.document), HTTP_AUTHORIZATION=f"Bearer {raw}")).status_code == 200
    assert read(client.get(url(document.document), HTTP_AUTHORIZATION="Bearer nonsense")).status_code == 404


def test_an_unattached_photo_is_its_uploaders_alone(client, users):
    photo = photo_create(actor=users.spk_grid, upload=cf.photo())
    assert get(client, users.spk_grid, url(photo.image)).status_code == 200
    assert get(client, users.spk_staff, url(photo.image)).status_code == 404
    assert get(client, None, url(photo.image)).status_code == 404


def test_names_no_row_holds_and_tricks_are_missing(client, users, media):
    default_storage.save("photos/2026/11/stray.jpg", SimpleUploadedFile("x", b"x"))
    for path in ("/media/photos/2026/11/stray.jpg", "/media/../settings.py", "/media/photos/%2e%2e/x", "/media/"):
        assert get(client, users.district, path).status_code == 404, path
    assert get(client, users.district, "/media/photos/2026/11/stray.jpg", REQUEST_METHOD="POST").status_code in (
        404,
        405,
    )


def test_a_proxy_sends_the_bytes_when_configured(client, users, document, settings):
    settings.YOULIN_MEDIA_SENDFILE = "x-accel-redirect"
    response = get(client, users.spk_staff, url(document.document))
    assert response["X-Accel-Redirect"] == "/_protected_media/" + document.document.name
    assert response.body == b""
    settings.YOULIN_MEDIA_SENDFILE = "x-sendfile"
    response = get(client, users.spk_staff, url(document.document))
    assert response["X-Sendfile"] == default_storage.path(document.document.name)
    assert get(client, None, url(document.document)).status_code == 404  # the check is still made here


def test_media_is_routed_with_debug_off(settings):
    """#13.13: ``/media/`` was routed only with debug on, so photos were 404 under ``youlin serve``."""
    assert settings.DEBUG is False
    assert resolve("/media/photos/2026/11/x.jpg").url_name == "media"


def test_new_photos_have_random_names(users):
    first = photo_create(actor=users.spk_grid, upload=cf.photo())
    second = photo_create(actor=users.spk_grid, upload=cf.photo())  # the same picture
    assert first.sha256 == second.sha256 and first.image.name != second.image.name
    assert first.sha256[:16] not in first.image.name
    assert Photo.objects.filter(image=first.image.name).count() == 1
