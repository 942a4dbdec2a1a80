"""The media route: every uploaded file is served here, after ``selectors.file_access`` says who may have it.

The bytes come from Django's storage API (``default_storage``), so the same view serves a local folder or an
object store (``youlin.files.storage``; with ``YOULIN_MEDIA_SENDFILE=redirect`` it answers with a short-lived
signed URL of the store instead). Behind a proxy the view can hand the sending over (``YOULIN_MEDIA_SENDFILE``):
``x-accel-redirect`` (nginx: an ``internal`` location at ``YOULIN_MEDIA_ACCEL_PREFIX`` aliasing the media
folder) or ``x-sendfile`` (Apache mod_xsendfile, lighttpd); the check is made here either way.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from youlin.files.selectors import file_access

INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
PUBLIC_CACHE = "public, max-age=31536000, immutable"  # names are never reused for other content
PRIVATE_CACHE = "private, max-age=3600"


def _clean(name: str) -> str:
    normal = posixpath.normpath(name).lstrip("/")
    if normal != name or normal.startswith("..") or "\x00" in name:
        raise Http404
    return normal


@require_safe
def serve(request, name: str):
    name = _clean(name)
    access = file_access(request, name)
    if access is None:
        raise Http404
    try:
        if not default_storage.exists(name):
            raise Http404
    except (SuspiciousFileOperation, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    mode = (settings.YOULIN_MEDIA_SENDFILE or "").strip().lower()
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.YOULIN_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + quote(name)
    elif mode == "redirect" and hasattr(default_storage, "signed_url"):
        # The store sends the bytes, to whoever holds this link for the next few minutes (checked just now).
        response = HttpResponseRedirect(default_storage.signed_url(name))
        response["Cache-Control"] = "private, no-store"
        return response
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = default_storage.path(name)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    if content_type not in INLINE_TYPES:
        # Never rendered by the browser as a page of this site: a document is downloaded.
        extension = posixpath.splitext(name)[1]
        response["Content-Disposition"] = content_disposition_header(
            True, f"{access.filename}{extension}" if access.filename else posixpath.basename(name)
        )
    response["Cache-Control"] = PUBLIC_CACHE if access.public else PRIVATE_CACHE
    if not access.public:
        response["Vary"] = "Cookie, Authorization"
    return response
