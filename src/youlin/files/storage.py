"""Uploads on an S3-compatible object store (``YOULIN_STORAGE_URL``), for several app nodes sharing one set of
files.

Pages and the API still link every file to youlin's own media route (``/media/…``), which checks who may have
it; ``signed_url`` gives the store's own short-lived address for the route to redirect to
(``YOULIN_MEDIA_SENDFILE=redirect``). The store is never linked directly, so a private file never leaks by link.
"""

from __future__ import annotations

from urllib.parse import urljoin

from botocore.config import Config
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class ObjectStorage(S3Storage):
    def __init__(self, **options):
        options.setdefault("file_overwrite", False)  # names are random; never replace another file
        options.setdefault("default_acl", None)  # the bucket stays private
        options.setdefault("querystring_expire", settings.YOULIN_MEDIA_SIGNED_SECONDS)
        # A store that does not answer fails an upload within seconds, with a clear message, not a hung worker.
        # Path-style addresses work with MinIO, Ceph and the like on an intranet; SigV4 URLs say how long they last.
        options.setdefault(
            "client_config",
            Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name: str) -> str:
        return super().url(name)
