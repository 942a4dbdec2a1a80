"""The places and parties of a synthetic city, written with ``bulk_create``.

Layout: sub-districts sit side by side in a square block around central Beijing; each is tiled by its
communities (squares of ``COMMUNITY_SIDE_M``); each community is tiled exactly by its unit grids (单元网格),
holds compounds (estates with buildings and entrances, and single-storey courtyards) and one green zone.
Parties: a sub-district urban-management office, a community office and party committee, a property
manager and an owner unit per estate, a housing office for courtyards, a garden group per zone. People: a
grid worker per grid, a staff member per community, a sub-district officer (with a login) per sub-district.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from youlin.parties.models import Membership, Organisation, Person, Responsibility, Role
from youlin.places.geo import rectangle
from youlin.places.models import Building, Community, Compound, District, Entrance, Grid, Subdistrict, Zone

COMMUNITY_SIDE_M = 900.0
CENTRE = (116.40, 39.90)
KX = 111_320.0 * math.cos(math.radians(CENTRE[1]))
KY = 110_540.0

Kind = Organisation.Kind
Duty = Responsibility.Duty

SYLLABLES = "安宁和平永定广福康乐德胜新兴长春太平丰盛金融展览月坛白纸坊椿树陶然天桥西长大栅栏东华朝阳光明建国育才文华"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文海燕"


def _name(rng, n: int) -> str:
    return "".join(SYLLABLES[rng.randrange(len(SYLLABLES))] for _ in range(n))


def person_name(rng) -> str:
    return SURNAMES[rng.randrange(len(SURNAMES))] + "".join(GIVEN[rng.randrange(len(GIVEN))] for _ in range(2))


Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def _box(x0_m: float, y0_m: float, x1_m: float, y1_m: float) -> Box:
    lon0, lat0 = CENTRE
    return (lon0 + x0_m / KX, lat0 + y0_m / KY, lon0 + x1_m / KX, lat0 + y1_m / KY)


def _sub(box: Box, fx0: float, fy0: float, fx1: float, fy1: float) -> Box:
    w, h = box[2] - box[0], box[3] - box[1]
    return (box[0] + fx0 * w, box[1] + fy0 * h, box[0] + fx1 * w, box[1] + fy1 * h)


def _rect(box: Box) -> dict:
    return rectangle(*box)


def _tiles(count: int) -> list[tuple[float, float, float, float]]:
    """``count`` cells (fractions of a box) that tile it exactly: rows of equal height, the last row stretched."""
    cols = max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / cols)
    cells = []
    for r in range(rows):
        in_row = cols if r < rows - 1 else count - cols * (rows - 1)
        for c in range(in_row):
            cells.append((c / in_row, r / rows, (c + 1) / in_row, (r + 1) / rows))
    return cells


@dataclass
class CompoundInfo:
    id: int
    kind: str
    box: Box
    name: str = ""
    buildings: list[tuple[int, Box, str]] = field(default_factory=list)
    organisation_id: int = 0  # who a case here is routed to
    duty: str = ""


@dataclass
class CommunityInfo:
    id: int
    subdistrict_id: int
    name: str
    prefix: str
    box: Box
    weight: float
    compounds: list[CompoundInfo] = field(default_factory=list)
    zone: tuple[int, Box, int] | None = None  # zone id, box, garden group id


@dataclass
class CityPlaces:
    district: District
    subdistricts: list[Subdistrict]
    communities: list[CommunityInfo]
    offices: dict[int, int]  # sub-district id → urban-management office id
    counts: dict[str, int]


def build_places(
    rng,
    *,
    district_code: str,
    subdistricts: int,
    communities_per: int,
    grids_per: int,
    compounds_per: int,
    buildings_per: int,
) -> CityPlaces:
    """Write the places and parties; return what the case generator needs to know about them."""
    district = District.objects.create(code=district_code, name=f"合成{district_code}区")
    sd_cols = max(1, math.ceil(math.sqrt(subdistricts)))
    c_cols = max(1, math.ceil(math.sqrt(communities_per)))
    c_rows = math.ceil(communities_per / c_cols)
    side = COMMUNITY_SIDE_M
    sd_w, sd_h = c_cols * side, c_rows * side
    origin_x = -sd_cols * sd_w / 2
    origin_y = -math.ceil(subdistricts / sd_cols) * sd_h / 2

    sd_rows, sd_boxes = [], []
    for s in range(subdistricts):
        x0 = origin_x + (s % sd_cols) * sd_w
        y0 = origin_y + (s // sd_cols) * sd_h
        box = _box(x0, y0, x0 + sd_w, y0 + sd_h)
        sd_boxes.append((x0, y0))
        sd_rows.append(
            Subdistrict(
                district=district,
                code=f"{district_code}{s + 1:03d}",
                name=f"{_name(rng, 2)}街道{s + 1}",
                geometry=_rect(box),
            )
        )
    sds = Subdistrict.objects.bulk_create(sd_rows)

    community_rows, community_boxes = [], []
    for s, sd in enumerate(sds):
        x0, y0 = sd_boxes[s]
        for c in range(communities_per):
            cx, cy = x0 + (c % c_cols) * side, y0 + (c // c_cols) * side
            box = _box(cx, cy, cx + side, cy + side)
            community_rows.append(
                Community(
                    subdistrict=sd,
                    code=f"{sd.code}{c + 1:03d}",
                    name=f"{_name(rng, 2)}{c + 1}社区",
                    slug=f"g{sd.code}{c + 1:03d}",
                    case_prefix=f"Z{district_code[-1]}{s + 1:03d}{c + 1:03d}",
                    households=rng.randrange(800, 3500),
                    geometry=_rect(box),
                )
            )
            community_boxes.append(box)
    communities = Community.objects.bulk_create(community_rows, batch_size=2000)

    grid_rows, compound_rows, compound_meta, zone_rows, zone_boxes = [], [], [], [], []
    tiles = _tiles(grids_per)
    estates_cells = _tiles(compounds_per)
    for community, box in zip(communities, community_boxes, strict=True):
        for g, cell in enumerate(tiles):
            grid_rows.append(
                Grid(
                    community=community,
                    code=f"{community.code}{g + 1:03d}",
                    name=f"第{g + 1}网格",
                    geometry=_rect(_sub(box, *cell)),
                )
            )
        # Compounds in the lower 80 % of the community, a green zone in the top strip.
        for k, (fx0, fy0, fx1, fy1) in enumerate(estates_cells):
            margin = 0.12
            w, h = fx1 - fx0, (fy1 - fy0) * 0.8
            cbox = _sub(box, fx0 + margin * w, fy0 * 0.8 + margin * h, fx1 - margin * w, fy0 * 0.8 + h - margin * h)
            kind = Compound.Kind.COURTYARD if rng.random() < 0.3 else Compound.Kind.ESTATE
            label = "平房" if kind == Compound.Kind.COURTYARD else ""
            compound_rows.append(
                Compound(
                    community=community,
                    name=f"{community.name}{label}{k + 1}号院",
                    kind=kind,
                    households=rng.randrange(20, 60) if label else rng.randrange(120, 600),
                    geometry=_rect(cbox),
                )
            )
            compound_meta.append((community.pk, kind, cbox))
        zbox = _sub(box, 0.1, 0.84, 0.9, 0.96)
        zone_boxes.append(zbox)
        zone_rows.append(Zone(community=community, name="社区绿地", geometry=_rect(zbox)))
    Grid.objects.bulk_create(grid_rows, batch_size=5000)
    compounds = Compound.objects.bulk_create(compound_rows, batch_size=5000)
    zones = Zone.objects.bulk_create(zone_rows, batch_size=5000)

    building_rows, building_meta = [], []
    for compound, (_cid, kind, cbox) in zip(compounds, compound_meta, strict=True):
        if kind != Compound.Kind.ESTATE:
            continue
        for b in range(buildings_per):
            fx0, fx1 = b / buildings_per, (b + 1) / buildings_per
            bbox = _sub(cbox, fx0 + 0.15 * (fx1 - fx0), 0.2, fx1 - 0.15 * (fx1 - fx0), 0.8)
            building_rows.append(
                Building(
                    compound=compound,
                    name=f"{b + 1}号楼",
                    households=rng.randrange(24, 120),
                    floors=rng.choice((5, 6, 6, 12, 18)),
                    geometry=_rect(bbox),
                )
            )
            building_meta.append((compound.pk, bbox, f"{b + 1}号楼"))
    buildings = Building.objects.bulk_create(building_rows, batch_size=5000)
    Entrance.objects.bulk_create(
        [Entrance(building=b, name=f"{n}单元", households=b.households // 2) for b in buildings for n in (1, 2)],
        batch_size=10000,
    )

    # Parties. Organisation names are unique per kind: they carry the place's code.
    orgs: list[Organisation] = []
    office_of: dict[int, int] = {}
    for sd in sds:
        orgs.append(Organisation(name=f"{sd.name}城管办", kind=Kind.DEPARTMENT, subdistrict=sd))
    for community in communities:
        orgs.append(
            Organisation(
                name=f"{community.name}居委会·{community.code}", kind=Kind.COMMUNITY_OFFICE, community=community
            )
        )
        orgs.append(
            Organisation(name=f"{community.name}党委·{community.code}", kind=Kind.PARTY_COMMITTEE, community=community)
        )
        orgs.append(
            Organisation(name=f"{community.name}房管所·{community.code}", kind=Kind.OWNER_UNIT, community=community)
        )
    for zone in zones:
        orgs.append(
            Organisation(
                name=f"花园管理小组·{zone.community_id}", kind=Kind.GARDEN_GROUP, community_id=zone.community_id
            )
        )
    estate_compounds = [c for c in compounds if c.kind == Compound.Kind.ESTATE]
    for c in estate_compounds:
        orgs.append(Organisation(name=f"{c.name}物业·{c.pk}", kind=Kind.PROPERTY_MANAGER, community_id=c.community_id))
        orgs.append(Organisation(name=f"{c.name}产权单位·{c.pk}", kind=Kind.OWNER_UNIT, community_id=c.community_id))
    orgs = Organisation.objects.bulk_create(orgs, batch_size=5000)
    it = iter(orgs)
    responsibilities = []
    for sd in sds:
        office = next(it)
        office_of[sd.pk] = office.pk
        responsibilities.append(Responsibility(organisation=office, duty=Duty.URBAN_MANAGEMENT, subdistrict=sd))
    community_offices, housing_office = {}, {}
    for community in communities:
        community_offices[community.pk] = next(it)
        next(it)  # party committee
        housing_office[community.pk] = next(it)
    garden_of = {}
    for zone in zones:
        group = next(it)
        garden_of[zone.pk] = group.pk
        responsibilities.append(Responsibility(organisation=group, duty=Duty.GARDEN_GROUP, zone=zone))
    manager_of = {}
    for c in estate_compounds:
        pm, owner = next(it), next(it)
        manager_of[c.pk] = pm.pk
        responsibilities.append(Responsibility(organisation=pm, duty=Duty.PROPERTY_MANAGER, compound=c))
        responsibilities.append(Responsibility(organisation=owner, duty=Duty.OWNER_UNIT, compound=c))
    for c in compounds:
        if c.kind == Compound.Kind.COURTYARD:
            responsibilities.append(
                Responsibility(organisation=housing_office[c.community_id], duty=Duty.OWNER_UNIT, compound=c)
            )
    Responsibility.objects.bulk_create(responsibilities, batch_size=5000)

    # People: a grid worker per grid, a staff member per community, an officer (with a login) per sub-district.
    grids = list(Grid.objects.filter(community__subdistrict__district=district).only("id", "community_id"))
    people = [
        Person(name=person_name(rng), phone=f"139{rng.randrange(10**8):08d}", community_id=g.community_id)
        for g in grids
    ]
    people += [Person(name=person_name(rng), phone=f"136{rng.randrange(10**8):08d}", community=c) for c in communities]
    User = get_user_model()
    officers = []
    for sd in sds:
        user = User(username=f"gen{sd.code}", display_name=f"{sd.name}工作人员")
        user.set_unusable_password()
        officers.append(user)
    officers = User.objects.bulk_create(officers)
    people += [Person(name=user.display_name, user=user) for user in officers]
    people = Person.objects.bulk_create(people, batch_size=10000)
    memberships = [Membership(person=p, role=Role.GRID_WORKER, grid=g) for p, g in zip(people, grids, strict=False)]
    staff = people[len(grids) : len(grids) + len(communities)]
    memberships += [
        Membership(person=p, role=Role.COMMUNITY_STAFF, community=c, organisation=community_offices[c.pk])
        for p, c in zip(staff, communities, strict=True)
    ]
    memberships += [
        Membership(person=p, role=Role.SUBDISTRICT_OFFICER, subdistrict=sd, organisation_id=office_of[sd.pk])
        for p, sd in zip(people[len(grids) + len(communities) :], sds, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=10000)

    # What the case generator needs: boxes, and who a case at each kind of place is routed to.
    by_community: dict[int, CommunityInfo] = {}
    for community, box in zip(communities, community_boxes, strict=True):
        by_community[community.pk] = CommunityInfo(
            id=community.pk,
            subdistrict_id=community.subdistrict_id,
            name=community.name,
            prefix=community.case_prefix,
            box=box,
            weight=rng.lognormvariate(0, 0.5),
        )
    compound_info = {}
    for compound, (_cid, kind, cbox) in zip(compounds, compound_meta, strict=True):
        if kind == Compound.Kind.ESTATE:
            org, duty = manager_of[compound.pk], Duty.PROPERTY_MANAGER
        else:
            org, duty = housing_office[compound.community_id].pk, Duty.OWNER_UNIT
        info = CompoundInfo(id=compound.pk, kind=kind, box=cbox, name=compound.name, organisation_id=org, duty=duty)
        compound_info[compound.pk] = info
        by_community[compound.community_id].compounds.append(info)
    for building, (compound_id, bbox, name) in zip(buildings, building_meta, strict=True):
        compound_info[compound_id].buildings.append((building.pk, bbox, name))
    for zone, zbox in zip(zones, zone_boxes, strict=True):
        by_community[zone.community_id].zone = (zone.pk, zbox, garden_of[zone.pk])
    counts = {
        "subdistricts": len(sds),
        "communities": len(communities),
        "grids": len(grid_rows),
        "compounds": len(compounds),
        "buildings": len(buildings),
        "zones": len(zones),
        "organisations": len(orgs),
        "people": len(people),
    }
    return CityPlaces(
        district=district,
        subdistricts=list(sds),
        communities=list(by_community.values()),
        offices=office_of,
        counts=counts,
    )
