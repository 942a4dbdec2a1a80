"""Names people write in a ledger, resolved within one community: a place (``月坛北小街1号院1号楼``) and a
responsible party (``中央国家机关某服务中心``). Each resolver loads its community once; lookups are in memory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from youlin.parties.models import Organisation
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Community, Compound


def normalise(text) -> str:
    return "".join(str(text or "").split()).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class ResolvedPlace:
    compound: Compound
    building: Building | None
    lon: float | None
    lat: float | None

    @property
    def label(self) -> str:
        return f"{self.compound.name}{self.building.name}" if self.building else self.compound.name


class PlaceResolver:
    """The longest compound name of the community found in the text wins; a building of that compound named
    right after it narrows the place down (``月坛北小街5号院1号楼东侧`` → 5号院 · 1号楼). Two queries."""

    def __init__(self, community: Community | int):
        community_id = community.pk if isinstance(community, Community) else community
        self.compounds = list(Compound.objects.filter(community_id=community_id))
        buildings = Building.objects.filter(compound__community_id=community_id)
        self.buildings: dict[int, list[Building]] = {}
        by_pk = {c.pk: c for c in self.compounds}
        for b in buildings:
            b.compound = by_pk[b.compound_id]
            self.buildings.setdefault(b.compound_id, []).append(b)
        self._names = sorted(((normalise(c.name), c) for c in self.compounds), key=lambda x: -len(x[0]))
        self._points: dict[tuple[str, int], tuple[float, float] | None] = {}

    def _point(self, kind: str, obj) -> tuple[float | None, float | None]:
        key = (kind, obj.pk)
        if key not in self._points:
            point = None
            if obj.geometry:
                p = shape_from_geojson(obj.geometry).representative_point()
                point = (p.x, p.y)
            self._points[key] = point
        point = self._points[key]
        return point if point else (None, None)

    def resolve(self, text) -> ResolvedPlace | None:
        wanted = normalise(text)
        if not wanted:
            return None
        for name, compound in self._names:
            if name and name in wanted:
                rest = wanted.split(name, 1)[1]
                candidates = [b for b in self.buildings.get(compound.pk, []) if rest.startswith(normalise(b.name))]
                if candidates:
                    building = max(candidates, key=lambda b: len(b.name))
                    lon, lat = self._point("building", building)
                    return ResolvedPlace(compound=compound, building=building, lon=lon, lat=lat)
                lon, lat = self._point("compound", compound)
                return ResolvedPlace(compound=compound, building=None, lon=lon, lat=lat)
        return None

    def labels(self) -> list[str]:
        """Every name this resolver knows, for a datalist on the entry form."""
        out = []
        for c in sorted(self.compounds, key=lambda c: c.name):
            out.append(c.name)
            out.extend(f"{c.name}{b.name}" for b in sorted(self.buildings.get(c.pk, []), key=lambda b: b.name))
        return out


def community_parties(community: Community):
    """Organisations a community's ledger may name as responsible: its own, those responsible for its places,
    and its sub-district's departments."""
    return (
        Organisation.objects.filter(
            Q(community_id=community.pk)
            | Q(responsibilities__building__compound__community_id=community.pk)
            | Q(responsibilities__compound__community_id=community.pk)
            | Q(responsibilities__zone__community_id=community.pk)
            | Q(responsibilities__community_id=community.pk)
            | Q(subdistrict_id=community.subdistrict_id)
        )
        .distinct()
        .order_by("name", "pk")
    )


class PartyResolver:
    """Organisation by exact name among the community's parties; a name two parties share is ambiguous."""

    AMBIGUOUS = object()

    def __init__(self, community: Community):
        self.by_name: dict[str, object] = {}
        for org in community_parties(community):
            key = normalise(org.name)
            self.by_name[key] = self.AMBIGUOUS if key in self.by_name else org

    def resolve(self, name):
        return self.by_name.get(normalise(name))
