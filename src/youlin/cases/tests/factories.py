"""Test helpers: named points of the demo map and cases made through the real services."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from youlin.cases import services
from youlin.cases.models import Case, Category, Channel
from youlin.places.models import Building, Community, Compound, Zone


def centre(geometry) -> tuple[float, float]:
    ring = geometry["coordinates"][0]
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def category(code: str, kind: str = Category.Kind.MATTER) -> Category:
    return Category.objects.get(kind=kind, code=code)


def building_point(compound: str, building: str) -> tuple[float, float]:
    return centre(Building.objects.get(compound__name=compound, name=building).geometry)


def jia_point() -> tuple[float, float]:
    """Inside 36号院甲楼: one owner unit, one property manager (天岳恒物业)."""
    return building_point("手帕口南街36号院", "甲楼")


def yard36_open_point() -> tuple[float, float]:
    """36号院's parking area: inside the courtyard, more than 30 m from every building (shared by three)."""
    compound = Compound.objects.get(name="手帕口南街36号院")
    ring = compound.geometry["coordinates"][0]
    lon, lat = centre(compound.geometry)
    top = max(p[1] for p in ring)
    return lon, lat + (top - lat) * 0.75


def courtyard_point() -> tuple[float, float]:
    """A single-storey courtyard with nobody responsible for it."""
    return centre(Compound.objects.get(name="手帕口南街平房2号院").geometry)


def public_point() -> tuple[float, float]:
    """A lane between two courtyards of 手帕口南街社区: in the community, in no compound."""
    a = Compound.objects.get(name="手帕口南街平房2号院").geometry["coordinates"][0]
    b = Compound.objects.get(name="手帕口南街平房3号院").geometry["coordinates"][0]
    lon = (max(p[0] for p in a) + min(p[0] for p in b)) / 2
    lat = (min(p[1] for p in a) + max(p[1] for p in a)) / 2
    return lon, lat


def zone_point() -> tuple[float, float]:
    return centre(Zone.objects.get(name="第1片区绿地").geometry)


def offset(point: tuple[float, float], *, east_m: float = 0, north_m: float = 0) -> tuple[float, float]:
    import math

    lon, lat = point
    return lon + east_m / (111_320.0 * math.cos(math.radians(lat))), lat + north_m / 110_540.0


def spk() -> Community:
    return Community.objects.get(case_prefix="SPK")


def register(actor, *, point=None, code: str = "06080", channel: str = Channel.PATROL, **extra) -> Case:
    lon, lat = point or jia_point()
    extra.setdefault("description", "楼道里堆了旧家具，挡住了通道")
    return services.case_register(actor=actor, category=category(code), lon=lon, lat=lat, channel=channel, **extra)


def walk(case: Case, *, staff, handler, grid_worker, to: str = "closed") -> Case:
    """Take a case on through the loop up to ``to`` (a status), each step by its proper actor."""
    steps = [
        ("dispatched", lambda c: services.case_dispatch(actor=staff, case=c, expected_version=c.version)),
        ("accepted", lambda c: services.case_accept(actor=handler, case=c, expected_version=c.version)),
        ("in_progress", lambda c: services.case_start(actor=handler, case=c, expected_version=c.version)),
        ("reported_done", lambda c: services.case_report_done(actor=handler, case=c, expected_version=c.version)),
        (
            "verified",
            lambda c: services.case_verify(actor=grid_worker, case=c, expected_version=c.version, passed=True),
        ),
        ("closed", lambda c: services.case_close(actor=staff, case=c, expected_version=c.version)),
    ]
    done = [status for status, _step in steps]
    start = done.index(case.status) + 1 if case.status in done else 0  # go on from where the case is
    for status, step in steps[start:]:
        case = step(case)
        assert case.status == status
        if status == to:
            return case
    raise AssertionError(f"unknown target status {to}")


def photo(colour=(200, 30, 30), name: str = "photo.jpg") -> SimpleUploadedFile:
    """A small real JPEG, as a phone would upload it."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_a_photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 not an image", content_type="image/jpeg")
