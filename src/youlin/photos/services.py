"""Photo intake: check by content (not by name), refuse bombs and oversize files, strip EXIF, thumbnail.

Only JPEG, PNG and WebP are accepted. The stored copy is re-encoded from pixels, so no metadata survives
(EXIF, XMP, comments, ICC profiles aside from colour). GPS is read first, to suggest the location.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from youlin.domain.errors import DomainError
from youlin.domain.writes import actor_user
from youlin.files.names import random_name
from youlin.photos.models import Photo

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7,300 × 5,500: more than any phone camera; a bomb is far beyond
THUMB_SIZE = (480, 480)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


class PhotoError(DomainError, ValueError):
    def __init__(self, code: str, message, *, field: str | None = "photos"):
        super().__init__(code, message, field=field)


@dataclass
class PreparedPhoto:
    content: bytes
    thumbnail: bytes
    format: str
    content_type: str
    extension: str
    width: int
    height: int
    gps: tuple[float, float] | None


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise PhotoError("photo_too_large", _("照片不能超过 20 MB，请压缩后重新上传。"))
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise PhotoError("photo_too_large", _("照片不能超过 20 MB，请压缩后重新上传。"))
    if not data:
        raise PhotoError("photo_empty", _("照片文件是空的，请重新选择。"))
    return data


def _gps(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # malformed EXIF must not stop the upload; the location just isn't suggested
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None

    def degrees(value) -> float:
        d, m, s = (float(x) for x in value)
        return d + m / 60 + s / 3600

    try:
        lat, lon = degrees(gps[2]), degrees(gps[4])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if gps.get(1) == "S":
        lat = -lat
    if gps.get(3) == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def photo_prepare(upload) -> PreparedPhoto:
    """Validate and clean an uploaded image. Raises PhotoError with a stable code."""
    data = _read(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise PhotoError("photo_type", _("只接受 JPEG、PNG 或 WebP 格式的照片。"))
            if width * height > MAX_PIXELS:
                raise PhotoError("photo_pixels", _("照片像素过多（可能是恶意文件），请上传正常拍摄的照片。"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            gps = _gps(image)
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            if fmt == "JPEG" and image.mode in ("RGBA", "LA"):
                image = image.convert("RGB")
            clean = io.BytesIO()
            save_args = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
            image.save(clean, format=fmt, **save_args)  # fresh encode: no EXIF or other metadata
            thumb_image = image.copy()
            thumb_image.thumbnail(THUMB_SIZE)
            if thumb_image.mode not in ("RGB", "L"):
                thumb_image = thumb_image.convert("RGB")
            thumb = io.BytesIO()
            thumb_image.save(thumb, format="JPEG", quality=80)
            final_size = image.size
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("photo_pixels", _("照片像素过多（可能是恶意文件），请上传正常拍摄的照片。")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("photo_type", _("文件不是有效的图片（只接受 JPEG、PNG 或 WebP）。")) from None
    content_type, extension = FORMATS[fmt]
    return PreparedPhoto(
        content=clean.getvalue(),
        thumbnail=thumb.getvalue(),
        format=fmt,
        content_type=content_type,
        extension=extension,
        width=final_size[0],
        height=final_size[1],
        gps=gps,
    )


@transaction.atomic
def photo_create(*, actor, upload=None, prepared: PreparedPhoto | None = None) -> Photo:
    """Store a cleaned photo and its thumbnail through Django's storage API. Pass ``prepared`` when the upload
    was already checked with ``photo_prepare``, so it is not decoded twice."""
    if prepared is None:
        prepared = photo_prepare(upload)
    return photos_create(actor=actor, prepared=[prepared])[0]


@transaction.atomic
def photos_create(*, actor, prepared: Sequence[PreparedPhoto]) -> list[Photo]:
    """Store several cleaned photos, all or none: when the file store (a local folder or an object store on
    another machine) refuses one, the files already written are removed again and no row is written, and the
    person is told to try again later (``PhotoError`` ``storage_unavailable``)."""
    uploaded_by = actor_user(actor)
    photos: list[Photo] = []
    written: list[str] = []
    try:
        for item in prepared:
            photo = Photo(
                content_type=item.content_type,
                sha256=hashlib.sha256(item.content).hexdigest(),
                width=item.width,
                height=item.height,
                gps_lon=item.gps[0] if item.gps else None,
                gps_lat=item.gps[1] if item.gps else None,
                uploaded_by=uploaded_by,
            )
            # Random names: a photo's URL cannot be guessed from another's, nor from the picture itself.
            photo.image.save(random_name(f".{item.extension}"), ContentFile(item.content), save=False)
            written.append(photo.image.name)
            photo.thumbnail.save(random_name(".jpg"), ContentFile(item.thumbnail), save=False)
            written.append(photo.thumbnail.name)
            photos.append(photo)
    except Exception as exc:  # the store is down or refuses (OSError, an object store's client error, …)
        _remove(written)
        logger.warning("photo upload failed, %d file(s) removed again: %s", len(written), exc)
        raise PhotoError(
            "storage_unavailable", _("照片暂时无法保存（文件存储不可用），本次提交没有保存任何内容，请稍后再试。")
        ) from exc
    try:
        with transaction.atomic():
            for photo in photos:
                photo.save()
    except Exception:
        _remove(written)
        raise
    return photos


def _remove(names: Sequence[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the store is gone: the file has no row, so nobody can reach it; say which
            logger.warning("could not remove %s from the file store after a failed upload", name)
