"""Background work of the photo store: files left behind by a transaction that rolled back are removed.

A photo's files are written to the store before its row is committed (the store is not part of the database's
transaction). ``photos_create`` removes them again when its own write fails; but when a later step of the same
request fails (the case that the photo belongs to is refused, the database is busy), the transaction rolls back
and the files stay, named at random, reachable by nobody. The daily sweep removes every file under the photos'
folders that no row names and that is older than a day (a younger one may belong to a transaction still open).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from youlin.photos.models import Photo

logger = logging.getLogger(__name__)

ROOT = "photos"  # both fields' ``upload_to`` are under it (photos/%Y/%m/, photos/thumbs/%Y/%m/)
GRACE = timedelta(days=1)
BATCH = 1000


def _files(storage, folder: str):
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _files(storage, f"{folder}/{directory}")


def _known(names: list[str]) -> set[str]:
    images = Photo.objects.filter(image__in=names).values_list("image", flat=True)
    thumbnails = Photo.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True)
    return {*images, *thumbnails}


def remove_orphan_files(*, now: datetime | None = None, storage=None) -> int:
    """Remove the photo files no row names, older than ``GRACE``; returns how many were removed."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - GRACE
    try:
        if not storage.exists(ROOT):
            return 0
        names = _files(storage, ROOT)
    except (OSError, NotImplementedError) as exc:
        logger.warning("the photo store cannot be listed, no orphan removed: %s", exc)
        return 0
    removed = 0
    batch: list[str] = []

    def sweep(batch: list[str]) -> int:
        count = 0
        for name in set(batch) - _known(batch):
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue
                storage.delete(name)
            except (OSError, NotImplementedError) as exc:
                logger.warning("could not remove orphan photo file %s: %s", name, exc)
                continue
            count += 1
        return count

    for name in names:
        batch.append(name)
        if len(batch) >= BATCH:
            removed += sweep(batch)
            batch = []
    if batch:
        removed += sweep(batch)
    if removed:
        logger.info("removed %d orphan photo file(s)", removed)
    return removed


@task()
def sweep_orphan_files() -> int:
    return remove_orphan_files()


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(sweep_orphan_files, 24 * 60 * 60)]
