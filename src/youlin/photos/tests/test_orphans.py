"""Files a rolled-back transaction left in the photo store are removed by the daily sweep; others stay."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from youlin.accounts.tests.factories import UserFactory
from youlin.photos.services import photo_create
from youlin.photos.tasks import PERIODIC, remove_orphan_files, sweep_orphan_files
from youlin.photos.tests.test_services import jpeg_with_exif

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def _upload():
    return SimpleUploadedFile("a.jpg", jpeg_with_exif(), content_type="image/jpeg")


def _left_behind(user) -> list[str]:
    """A photo written inside a transaction that a later step rolls back: its files stay in the store."""
    names = []
    with pytest.raises(Refused), transaction.atomic():
        photo = photo_create(actor=user, upload=_upload())
        names = [photo.image.name, photo.thumbnail.name]
        raise Refused
    return names


def test_the_sweep_removes_what_a_rollback_left_and_keeps_what_rows_name(media):
    user = UserFactory()
    kept = photo_create(actor=user, upload=_upload())
    orphans = _left_behind(user)
    assert all(default_storage.exists(name) for name in orphans)  # the fault: files with no row

    later = timezone.now() + timedelta(days=2)
    assert remove_orphan_files(now=later) == 2
    assert not any(default_storage.exists(name) for name in orphans)
    assert default_storage.exists(kept.image.name) and default_storage.exists(kept.thumbnail.name)
    assert remove_orphan_files(now=later) == 0  # nothing more to do


def test_a_young_file_may_belong_to_a_transaction_still_open_and_stays(media):
    orphans = _left_behind(UserFactory())
    assert remove_orphan_files() == 0
    assert all(default_storage.exists(name) for name in orphans)


def test_an_empty_store_is_nothing_to_do(media):
    assert remove_orphan_files() == 0


def test_the_worker_runs_it_daily():
    assert (sweep_orphan_files, 24 * 60 * 60) in PERIODIC
