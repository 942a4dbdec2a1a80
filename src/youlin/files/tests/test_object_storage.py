"""#17: uploads on an S3-compatible object store (``YOULIN_STORAGE_URL``). The store is moto's, in this process
(no network); a store that does not answer is a closed port. Pages keep linking youlin's checked media route."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured

from youlin.cases.errors import CaseError
from youlin.cases.models import Case
from youlin.cases.tests import factories as cf
from youlin.photos.models import Photo

BUCKET = "youlin-media"


def object_store(settings, endpoint: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "youlin.files.storage.ObjectStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
            },
        },
    }


@pytest.fixture
def store(settings):
    from moto import mock_aws

    with mock_aws():
        object_store(settings, "https://s3.amazonaws.com")
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="test-key", aws_secret_access_key="test-secret"
        )
        client.create_bucket(Bucket=BUCKET)
        yield client


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_photos_go_to_the_store_and_are_served_through_the_checked_route(store, client, users, settings):
    case = cf.register(users.spk_grid, photos=[cf.photo()])
    photo = Photo.objects.get()
    assert keys(store) == sorted([photo.image.name, photo.thumbnail.name])
    assert photo.image.url == "/media/" + photo.image.name  # never a link to the store itself
    client.force_login(users.spk_grid)
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == store.get_object(Bucket=BUCKET, Key=photo.image.name)["Body"].read()
    # A file in the store that no row holds is not served, though the store has it.
    store.put_object(Bucket=BUCKET, Key="photos/2026/11/stray.jpg", Body=b"x")
    assert client.get("/media/photos/2026/11/stray.jpg").status_code == 404
    assert case.number


def test_redirect_mode_answers_with_a_short_lived_signed_url(store, client, users, settings):
    settings.YOULIN_MEDIA_SENDFILE = "redirect"
    cf.register(users.spk_grid, photos=[cf.photo()])
    photo = Photo.objects.get()
    client.force_login(users.spk_grid)
    response = client.get(photo.image.url)
    assert response.status_code == 302
    signed = urlsplit(response["Location"])
    query = parse_qs(signed.query)
    assert signed.path.endswith(photo.image.name)
    assert query["X-Amz-Expires"] == [str(settings.YOULIN_MEDIA_SIGNED_SECONDS)] and "X-Amz-Signature" in query
    assert response["Cache-Control"] == "private, no-store"
    store.put_object(Bucket=BUCKET, Key="photos/2026/11/stray.jpg", Body=b"x")
    assert client.get("/media/photos/2026/11/stray.jpg").status_code == 404  # checked before any link is given


def test_a_store_that_does_not_answer_refuses_the_report_whole(settings, users, client):
    object_store(settings, "http://127.0.0.1:1")  # nothing listens there
    with pytest.raises(CaseError) as refused:
        cf.register(users.spk_grid, photos=[cf.photo(), cf.photo((0, 90, 0))])
    assert refused.value.code == "storage_unavailable" and refused.value.field == "photos"
    assert "没有保存任何内容" in str(refused.value.message)
    assert not Case.objects.exists() and not Photo.objects.exists()


def test_a_store_failing_midway_leaves_no_file_behind(store, users, monkeypatch):
    """The first photo is written, the second refused: the first is removed again, no row is written."""
    from youlin.files.storage import ObjectStorage

    real_save = ObjectStorage._save
    calls = []

    def flaky(self, name, content):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("the store went away")
        return real_save(self, name, content)

    monkeypatch.setattr(ObjectStorage, "_save", flaky)
    with pytest.raises(CaseError) as refused:
        cf.register(users.spk_grid, photos=[cf.photo(), cf.photo((0, 90, 0))])
    assert refused.value.code == "storage_unavailable"
    assert len(calls) == 3 and keys(store) == []
    assert not Case.objects.exists() and not Photo.objects.exists()


def test_the_report_page_says_what_happened_when_the_store_is_down(settings, users, client):
    object_store(settings, "http://127.0.0.1:1")
    lon, lat = cf.jia_point()
    form = {"category": cf.category("06080").pk, "description": "楼道里堆了旧家具", "lon": lon, "lat": lat}
    response = client.post("/report/", {**form, "reporter_phone": "13812345678", "photos": [cf.photo()]})
    assert response.status_code == 400
    assert "文件存储不可用" in response.content.decode()
    assert not Case.objects.exists()


def test_storage_url_is_parsed_into_the_stores_options():
    from youlin.settings import _object_storage

    assert _object_storage("s3+http://key:se%2Fcret@minio.internal:9000/media/youlin?region=cn-north-1") == {
        "bucket_name": "media",
        "location": "youlin",
        "endpoint_url": "http://minio.internal:9000",
        "region_name": "cn-north-1",
        "access_key": "key",
        "secret_key": "se/cret",
    }
    assert _object_storage("s3://oss.example.cn/media")["endpoint_url"] == "https://oss.example.cn"
    with pytest.raises(ImproperlyConfigured):
        _object_storage("ftp://host/bucket")
