"""factory_boy factories for places, made through the real services (``places.services.*_ensure``).

For tests that need a district, a community or a building rather than the whole demo. Codes start at 990000 so
they never meet the demo's 西城区 (110102); each community gets its own square, far from the demo's.
"""

from __future__ import annotations

import factory

from youlin.places import services
from youlin.places.geo import rectangle
from youlin.places.models import Building, Community, Compound, District, Subdistrict


def _box(n: int, size: float = 0.01) -> tuple[float, float, float, float]:
    lon, lat = 116.0 + (n % 50) * 0.02, 40.2 + (n // 50) * 0.02
    return lon, lat, lon + size, lat + size


def _inner(geometry: dict, share: float) -> dict:
    """A smaller rectangle in the middle of ``geometry``'s bounding box."""
    ring = geometry["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    hw, hh = (max(xs) - min(xs)) * share / 2, (max(ys) - min(ys)) * share / 2
    return rectangle(cx - hw, cy - hh, cx + hw, cy + hh)


def through(service):
    """A factory's ``_create`` that writes through ``service(**fields)`` (``build()`` stays unsaved, as usual)."""

    def _create(cls, model_class, *args, **kwargs):
        return service(**kwargs)

    return classmethod(_create)


class DistrictFactory(factory.Factory):
    class Meta:
        model = District

    _create = through(services.district_ensure)
    code = factory.Sequence(lambda n: f"{990000 + n % 10000:06d}")
    name = factory.Sequence(lambda n: f"测试{n}区")


class SubdistrictFactory(factory.Factory):
    class Meta:
        model = Subdistrict

    _create = through(services.subdistrict_ensure)
    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"测试{n}街道")


class CommunityFactory(factory.Factory):
    class Meta:
        model = Community

    _create = through(services.community_ensure)
    subdistrict = factory.SubFactory(SubdistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.subdistrict.code}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"测试{n}社区")
    slug = factory.Sequence(lambda n: f"test-community-{n}")
    case_prefix = factory.Sequence(lambda n: f"T{n:05d}")
    households = 1000
    geometry = factory.Sequence(lambda n: rectangle(*_box(n)))


class CompoundFactory(factory.Factory):
    class Meta:
        model = Compound

    _create = through(services.compound_ensure)
    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试{n}号院")
    kind = Compound.Kind.ESTATE
    households = 100
    geometry = factory.LazyAttribute(lambda o: _inner(o.community.geometry, 0.5))


class BuildingFactory(factory.Factory):
    class Meta:
        model = Building

    _create = through(services.building_ensure)
    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")
    households = 30
    floors = 6
    geometry = factory.LazyAttribute(lambda o: _inner(o.compound.geometry, 0.3))
