import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from youlin.accounts.tests.factories import UserFactory
from youlin.photos.services import MAX_BYTES, PhotoError, photo_create, photo_prepare


def jpeg_with_exif(gps=(116.3345, 39.8790)) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretCam 1.0"  # Software
    lon, lat = gps
    gps_ifd = {
        1: "N",
        2: (int(lat), int(lat * 60 % 60), lat * 3600 % 60),
        3: "E",
        4: (int(lon), int(lon * 60 % 60), lon * 3600 % 60),
    }
    exif[0x8825] = gps_ifd
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_exif_is_stripped_and_gps_read_first():
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    prepared = photo_prepare(upload(original))
    assert b"SecretCam" not in prepared.content and b"PhoneMaker" not in prepared.content
    with Image.open(io.BytesIO(prepared.content)) as cleaned:
        assert len(cleaned.getexif()) == 0
    assert prepared.gps == pytest.approx((116.3345, 39.8790), abs=1e-4)
    assert prepared.content_type == "image/jpeg"
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 480


def test_non_image_renamed_jpg_is_refused():
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(b"%PDF-1.4 this is not a photo", name="evil.jpg"))
    assert err.value.code == "photo_type"
    assert "JPEG" in str(err.value.message)


def test_gif_is_refused_even_if_valid():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(out.getvalue(), name="a.jpg"))
    assert err.value.code == "photo_type"


def test_oversized_file_is_refused():
    big = b"\xff\xd8" + b"0" * (MAX_BYTES + 10)
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(big))
    assert err.value.code == "photo_too_large"


def test_decompression_bomb_is_refused():
    data = png_bomb()
    assert len(data) < 1000
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(data, name="bomb.png", content_type="image/png"))
    assert err.value.code == "photo_pixels"


def test_truncated_image_is_refused():
    data = jpeg_with_exif()[:200]
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(data))
    assert err.value.code == "photo_type"


def test_empty_file_is_refused():
    with pytest.raises(PhotoError) as err:
        photo_prepare(upload(b""))
    assert err.value.code == "photo_empty"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 128, 0, 200)).save(out, format=fmt)
    prepared = photo_prepare(upload(out.getvalue(), name="x.bin"))
    assert prepared.format == fmt and (prepared.width, prepared.height) == (30, 20)


@pytest.mark.django_db
def test_photo_create_stores_clean_copy_and_thumbnail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory()
    photo = photo_create(actor=user, upload=upload(jpeg_with_exif()))
    photo.refresh_from_db()
    with photo.image.open("rb") as f:
        stored = f.read()
    assert b"SecretCam" not in stored
    assert photo.thumbnail.name.endswith(".jpg")
    assert (photo.width, photo.height) == (64, 48)
    assert photo.gps_lat == pytest.approx(39.8790, abs=1e-4)
    assert photo.uploaded_by == user
