"""The demo: 西城区's three seed communities made concrete (places, parties, demo accounts), and
``load_demo``, which loads them and then every part's demo story (``youlin.demo.cases``, ``.deliberation``,
``.ledgers``, ``.volunteers``).

Idempotent: every row is upserted by its natural key, so loading twice changes nothing. Coordinates are
plausible WGS-84 positions near the communities' real locations; outlines are simplified rectangles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from youlin.parties import services as parties
from youlin.parties.models import Organisation, Responsibility, Role
from youlin.places import services as places
from youlin.places.geo import rectangle, square
from youlin.places.models import Compound, NamedPoint

DEMO_PASSWORD = "youlin-demo"  # noqa: S105 - documented in the README; demo accounts work only in demo mode

Kind = Organisation.Kind
Duty = Responsibility.Duty


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    description: str


# Documented in the README, one account per role.
ACCOUNTS = [
    DemoAccount("district", "区级管理员", "district", "西城区：全区数据（超级用户）"),
    DemoAccount("gw_officer", "刘街道", Role.SUBDISTRICT_OFFICER, "广外街道城管办"),
    DemoAccount("spk_secretary", "王书记", Role.COMMUNITY_SECRETARY, "手帕口南街社区党委书记"),
    DemoAccount("spk_staff", "陈社工", Role.COMMUNITY_STAFF, "手帕口南街社区工作者"),
    DemoAccount("spk_grid", "李网格", Role.GRID_WORKER, "手帕口南街社区第一网格网格员"),
    DemoAccount("spk_captain", "赵楼长", Role.BUILDING_CAPTAIN, "36号院甲楼楼门长"),
    DemoAccount("spk_resident", "孙居民", Role.RESIDENT, "36号院甲楼居民"),
    DemoAccount("tyh_property", "周物业", Role.PROPERTY_STAFF, "天岳恒物业（36号院甲楼）"),
    DemoAccount("spk_committee", "吴委员", Role.COMMITTEE_MEMBER, "36号院业主委员会委员"),
    DemoAccount("builder", "郑队长", Role.CONTRACTOR_STAFF, "京西市政施工队"),
    DemoAccount("zl_officer", "冯街道", Role.SUBDISTRICT_OFFICER, "展览路街道城管办"),
    DemoAccount("fwd_secretary", "程书记", Role.COMMUNITY_SECRETARY, "阜外东社区党委书记"),
    DemoAccount("fwd_staff", "高社工", Role.COMMUNITY_STAFF, "阜外东社区工作者"),
    DemoAccount("fwd_captain", "薛楼长", Role.BUILDING_CAPTAIN, "月坛北小街1号院楼门长"),
    DemoAccount("fwd_volunteer", "林老师", Role.VOLUNTEER, "阜成门外第一小学志愿服务队"),
    DemoAccount("nj_officer", "马街道", Role.SUBDISTRICT_OFFICER, "牛街街道城管办"),
    DemoAccount("gy_secretary", "张书记", Role.COMMUNITY_SECRETARY, "钢院社区党委书记"),
    DemoAccount("gy_branch", "何书记", Role.BRANCH_SECRETARY, "钢院社区第一党支部书记、第1花园管理小组组长"),
]


def _user(username: str, name: str, *, superuser: bool = False, staff: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, display_name=name, is_demo=True, is_staff=staff or superuser, is_superuser=superuser
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
    wanted = {"display_name": name, "is_demo": True, "is_staff": staff or superuser, "is_superuser": superuser}
    changed = [f for f, v in wanted.items() if getattr(user, f) != v]
    for f in changed:
        setattr(user, f, wanted[f])
    if changed:
        user.save(update_fields=changed)
    return user


def _grid_strips(community, code_prefix: str, box: tuple[float, float, float, float], count: int, names):
    min_lon, min_lat, max_lon, max_lat = box
    step = (max_lon - min_lon) / count
    grids = []
    for i in range(count):
        grids.append(
            places.grid_ensure(
                community=community,
                code=f"{code_prefix}{i + 1:03d}",
                name=names[i],
                geometry=rectangle(min_lon + i * step, min_lat, min_lon + (i + 1) * step, max_lat),
            )
        )
    return grids


def _layout(box, rows: int, cols: int, margin: float = 0.12):
    """Cell centres and half-sizes (degrees) for laying compounds out on a grid inside a box."""
    min_lon, min_lat, max_lon, max_lat = box
    w = (max_lon - min_lon) / cols
    h = (max_lat - min_lat) / rows
    cells = []
    for r in range(rows):
        for c in range(cols):
            cells.append((min_lon + (c + 0.5) * w, min_lat + (r + 0.5) * h, w * (0.5 - margin), h * (0.5 - margin)))
    return cells


def _cell_rect(cell):
    lon, lat, hw, hh = cell
    return rectangle(lon - hw, lat - hh, lon + hw, lat + hh)


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def load_shoupakou(guangwai, xicheng):
    box = (116.3300, 39.8760, 116.3400, 39.8820)
    community = places.community_ensure(
        subdistrict=guangwai,
        code="110102019003",
        name="手帕口南街社区",
        slug="shoupakou-nanjie",
        case_prefix="SPK",
        households=1412,
        geometry=rectangle(*box),
        address="西城区手帕口南街",
        summary="6 个小区、11 个平房院落；“友邻+”议事厅协调多方力量。",
    )
    grids = _grid_strips(community, "110102019003", box, 3, ["第一网格", "第二网格", "第三网格"])
    cells = _layout(box, 3, 6)
    # 36号院: three buildings, each with its own owner unit and property manager.
    c36 = places.compound_ensure(
        community=community,
        name="手帕口南街36号院",
        kind=Compound.Kind.ESTATE,
        households=96,
        geometry=_cell_rect(cells[0]),
        address="手帕口南街36号",
    )
    lon, lat, hw, hh = cells[0]
    buildings = {}
    for i, label in enumerate(["甲楼", "乙楼", "丙楼"]):
        b_lon = lon - hw + (i + 0.5) * (2 * hw / 3)
        b = places.building_ensure(
            compound=c36,
            name=label,
            households=32,
            floors=6,
            address=f"手帕口南街36号院{label}",
            geometry=rectangle(b_lon - hw / 8, lat - hh / 3, b_lon + hw / 8, lat + hh / 6),
        )
        for n in (1, 2):
            places.entrance_ensure(building=b, name=f"{n}单元", households=16)
        buildings[label] = b
    jia = buildings["甲楼"]
    jia_lon = lon - hw + 0.5 * (2 * hw / 3)
    places.named_point_ensure(
        community=community,
        compound=c36,
        name="36号院北侧停车区",
        kind=NamedPoint.Kind.PARKING_AREA,
        geometry=_point(lon, lat + hh * 0.75),
    )
    places.named_point_ensure(
        community=community,
        compound=c36,
        name="甲楼门前电动自行车充电柜",
        kind=NamedPoint.Kind.CHARGING_CABINET,
        geometry=_point(jia_lon, lat - hh * 0.55),
    )
    estates = ["手帕口南街甲1号院", "手帕口南街12号院", "手帕口南街20号院", "广外南街5号院", "手帕口北街3号院"]
    for i, name in enumerate(estates, start=1):
        comp = places.compound_ensure(
            community=community, name=name, kind=Compound.Kind.ESTATE, households=180, geometry=_cell_rect(cells[i])
        )
        c_lon, c_lat, c_hw, c_hh = cells[i]
        for n in (1, 2):
            places.building_ensure(
                compound=comp,
                name=f"{n}号楼",
                households=90,
                floors=6,
                geometry=rectangle(
                    c_lon - c_hw * 0.8, c_lat + (n - 1.5) * c_hh, c_lon + c_hw * 0.8, c_lat + (n - 1.2) * c_hh
                ),
            )
    for j in range(11):
        places.compound_ensure(
            community=community,
            name=f"手帕口南街平房{j + 1}号院",
            kind=Compound.Kind.COURTYARD,
            households=20,
            geometry=_cell_rect(cells[6 + j]),
        )

    owner_units = ["京广物资公司", "市政工程研究院", "广外房管所"]
    managers = ["天岳恒物业", "金盾物业服务公司", "安居物业服务公司"]
    for (label, b), owner, manager in zip(buildings.items(), owner_units, managers, strict=True):
        ou = parties.organisation_ensure(
            name=f"{owner}", kind=Kind.OWNER_UNIT, community=community, description=f"36号院{label}产权单位"
        )
        pm = parties.organisation_ensure(
            name=manager, kind=Kind.PROPERTY_MANAGER, community=community, phone="010-6332" + str(1000 + len(label) * 7)
        )
        parties.responsibility_ensure(organisation=ou, duty=Duty.OWNER_UNIT, building=b)
        parties.responsibility_ensure(organisation=pm, duty=Duty.PROPERTY_MANAGER, building=b)
    oc = parties.organisation_ensure(name="手帕口南街36号院业主委员会", kind=Kind.OWNERS_COMMITTEE, community=community)
    mc = parties.organisation_ensure(
        name="手帕口南街36号院物业管理委员会", kind=Kind.MANAGEMENT_COMMITTEE, community=community
    )
    parties.responsibility_ensure(organisation=oc, duty=Duty.OWNERS_COMMITTEE, compound=c36)
    parties.responsibility_ensure(organisation=mc, duty=Duty.MANAGEMENT_COMMITTEE, compound=c36)
    party = parties.organisation_ensure(name="手帕口南街社区党委", kind=Kind.PARTY_COMMITTEE, community=community)
    office = parties.organisation_ensure(name="手帕口南街社区居委会", kind=Kind.COMMUNITY_OFFICE, community=community)
    contractor = parties.organisation_ensure(name="京西市政施工队", kind=Kind.CONTRACTOR, subdistrict=guangwai)

    people = {}
    people["spk_secretary"] = ("王书记", {"community": community, "organisation": party}, Role.COMMUNITY_SECRETARY)
    people["spk_staff"] = ("陈社工", {"community": community, "organisation": office}, Role.COMMUNITY_STAFF)
    people["spk_grid"] = ("李网格", {"grid": grids[0]}, Role.GRID_WORKER)
    people["spk_captain"] = ("赵楼长", {"building": jia}, Role.BUILDING_CAPTAIN)
    people["spk_resident"] = ("孙居民", {"building": jia}, Role.RESIDENT)
    people["tyh_property"] = (
        "周物业",
        {"organisation": Organisation.objects.get(name="天岳恒物业")},
        Role.PROPERTY_STAFF,
    )
    people["spk_committee"] = ("吴委员", {"organisation": oc}, Role.COMMITTEE_MEMBER)
    people["builder"] = ("郑队长", {"organisation": contractor}, Role.CONTRACTOR_STAFF)
    for username, (name, scope, role) in people.items():
        user = _user(username, name, staff=role in {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})
        person = parties.person_ensure(
            name=name, user=user, community=community, phone=f"1380000{1000 + len(people) + len(username):04d}"
        )
        parties.membership_ensure(person=person, role=role, **scope)
    # Grid workers of the other two grids (no login).
    for grid, name in zip(grids[1:], ["钱网格", "冯网格"], strict=True):
        person = parties.person_ensure(name=name, community=community, phone="13900001111")
        parties.membership_ensure(person=person, role=Role.GRID_WORKER, grid=grid)
    return community


def load_fuwaidong(zhanlanlu):
    box = (116.3400, 39.9220, 116.3500, 39.9280)
    community = places.community_ensure(
        subdistrict=zhanlanlu,
        code="110102008012",
        name="阜外东社区",
        slug="fuwai-dong",
        case_prefix="FWD",
        households=2100,
        geometry=rectangle(*box),
        address="西城区阜外大街",
        summary="17 个老旧小区：央产小区多、老旧楼房多、老年人多。",
    )
    grids = _grid_strips(community, "110102008012", box, 4, ["第一网格", "第二网格", "第三网格", "第四网格"])
    cells = _layout(box, 3, 6)
    names = ["月坛北小街1号院", "月坛北小街5号院"] + [f"阜外东{n}号院" for n in range(2, 17)]
    compounds = {}
    for cell, name in zip(cells, names, strict=False):
        comp = places.compound_ensure(
            community=community, name=name, kind=Compound.Kind.ESTATE, households=120, geometry=_cell_rect(cell)
        )
        c_lon, c_lat, c_hw, c_hh = cell
        places.building_ensure(
            compound=comp,
            name="1号楼",
            households=60,
            floors=5,
            geometry=rectangle(c_lon - c_hw * 0.7, c_lat - c_hh * 0.5, c_lon + c_hw * 0.7, c_lat + c_hh * 0.1),
        )
        compounds[name] = comp
    owner = parties.organisation_ensure(
        name="中央国家机关某服务中心", kind=Kind.OWNER_UNIT, description="月坛北小街央产楼产权单位"
    )
    for name in ("月坛北小街1号院", "月坛北小街5号院"):
        parties.responsibility_ensure(organisation=owner, duty=Duty.OWNER_UNIT, compound=compounds[name])
    party = parties.organisation_ensure(name="阜外东社区党委", kind=Kind.PARTY_COMMITTEE, community=community)
    office = parties.organisation_ensure(name="阜外东社区居委会", kind=Kind.COMMUNITY_OFFICE, community=community)
    school = parties.organisation_ensure(
        name="阜成门外第一小学", kind=Kind.PARTNER_UNIT, community=community, description="红墙先锋结对单位"
    )
    team = parties.organisation_ensure(
        name="红墙小先锋志愿服务队", kind=Kind.VOLUNTEER_TEAM, community=community, description="阜成门外第一小学师生"
    )
    first = compounds["月坛北小街1号院"]
    people = {
        "fwd_secretary": ("程书记", {"community": community, "organisation": party}, Role.COMMUNITY_SECRETARY),
        "fwd_staff": ("高社工", {"community": community, "organisation": office}, Role.COMMUNITY_STAFF),
        "fwd_captain": ("薛楼长", {"building": first.buildings.get(name="1号楼")}, Role.BUILDING_CAPTAIN),
        "fwd_volunteer": ("林老师", {"organisation": team}, Role.VOLUNTEER),
    }
    for username, (name, scope, role) in people.items():
        user = _user(username, name, staff=role in {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})
        person = parties.person_ensure(name=name, user=user, community=community, phone="13700002222")
        parties.membership_ensure(person=person, role=role, **scope)
    for grid, name in zip(grids, ["韩网格", "杨网格", "朱网格", "秦网格"], strict=True):
        person = parties.person_ensure(name=name, community=community, phone="13900002222")
        parties.membership_ensure(person=person, role=Role.GRID_WORKER, grid=grid)
    parties.membership_ensure(
        person=parties.person_ensure(
            name="林老师", user=_user("fwd_volunteer", "林老师"), community=community, phone="13700002222"
        ),
        role=Role.VOLUNTEER,
        organisation=school,
        title="带队教师",
    )
    return community


def load_gangyuan(niujie):
    box = (116.3560, 39.8800, 116.3640, 39.8860)
    community = places.community_ensure(
        subdistrict=niujie,
        code="110102017006",
        name="钢院社区",
        slug="gangyuan",
        case_prefix="GY",
        households=1800,
        geometry=rectangle(*box),
        address="西城区白广路",
        summary="13 个花园管理小组分片包干，支部书记任组长。",
    )
    grids = _grid_strips(community, "110102017006", box, 3, ["第一网格", "第二网格", "第三网格"])
    cells = _layout(box, 3, 5, margin=0.05)
    for i, cell in enumerate(cells[:6]):
        comp = places.compound_ensure(
            community=community,
            name=f"钢院{i + 1}区",
            kind=Compound.Kind.ESTATE,
            households=300,
            geometry=_cell_rect(cell),
        )
        c_lon, c_lat, c_hw, c_hh = cell
        places.building_ensure(
            compound=comp,
            name="1号楼",
            households=150,
            floors=6,
            geometry=rectangle(c_lon - c_hw * 0.6, c_lat, c_lon + c_hw * 0.6, c_lat + c_hh * 0.6),
        )
    party = parties.organisation_ensure(name="钢院社区党委", kind=Kind.PARTY_COMMITTEE, community=community)
    secretary = parties.person_ensure(
        name="张书记", user=_user("gy_secretary", "张书记", staff=True), community=community, phone="13600003333"
    )
    parties.membership_ensure(person=secretary, role=Role.COMMUNITY_SECRETARY, community=community, organisation=party)
    surnames = "何许吕施曹袁邓彭潘田董姚谭"
    min_lon, min_lat, max_lon, max_lat = box
    for n in range(13):
        zlon = min_lon + (n % 5 + 0.5) * (max_lon - min_lon) / 5
        zlat = min_lat + (n // 5 + 0.5) * (max_lat - min_lat) / 3
        zone = places.zone_ensure(community=community, name=f"第{n + 1}片区绿地", geometry=square(zlon, zlat, 60))
        group = parties.organisation_ensure(
            name=f"钢院社区第{n + 1}花园管理小组", kind=Kind.GARDEN_GROUP, community=community
        )
        branch = parties.organisation_ensure(
            name=f"钢院社区第{n + 1}党支部", kind=Kind.PARTY_BRANCH, community=community
        )
        parties.responsibility_ensure(organisation=group, duty=Duty.GARDEN_GROUP, zone=zone)
        name = f"{surnames[n]}书记"
        user = _user("gy_branch", name) if n == 0 else None
        person = parties.person_ensure(name=name, user=user, community=community, phone="13600004444")
        parties.membership_ensure(person=person, role=Role.BRANCH_SECRETARY, organisation=branch, title="支部书记")
        parties.membership_ensure(
            person=person, role=Role.BRANCH_SECRETARY, organisation=group, title="组长", zone=zone
        )
    for grid, name in zip(grids, ["鲁网格", "齐网格", "魏网格"], strict=True):
        person = parties.person_ensure(name=name, community=community, phone="13900003333")
        parties.membership_ensure(person=person, role=Role.GRID_WORKER, grid=grid)
    return community


@transaction.atomic
def load_demo(*, with_cases: bool = True, with_history: bool = False, progress=None) -> None:
    """The demo: places, parties and accounts; with ``with_cases`` the seed's stories; with ``with_history`` a
    year of cases before them (``youlin loaddemo`` and ``youlin demo``; tests leave it out). Idempotent.
    ``progress(message)`` is told what is being loaded."""
    from youlin.cases import services as cases
    from youlin.cases.models import Category, RoutingRule

    say = progress or (lambda message: None)
    say("places, parties and accounts of the three communities …")

    # A data migration loads these; a flushed database (transactional tests) needs them again.
    if not Category.objects.exists():
        cases.category_load()
    if not RoutingRule.objects.exists():
        cases.routing_rule_seed_defaults()
    xicheng = places.district_ensure(code="110102", name="西城区")
    guangwai = places.subdistrict_ensure(district=xicheng, code="110102019", name="广外街道")
    zhanlanlu = places.subdistrict_ensure(district=xicheng, code="110102008", name="展览路街道")
    niujie = places.subdistrict_ensure(district=xicheng, code="110102017", name="牛街街道")
    load_shoupakou(guangwai, xicheng)
    load_fuwaidong(zhanlanlu)
    load_gangyuan(niujie)
    for subdistrict, username, name in (
        (guangwai, "gw_officer", "刘街道"),
        (zhanlanlu, "zl_officer", "冯街道"),
        (niujie, "nj_officer", "马街道"),
    ):
        office = parties.organisation_ensure(
            name=f"{subdistrict.name}城管办", kind=Kind.DEPARTMENT, subdistrict=subdistrict
        )
        parties.responsibility_ensure(organisation=office, duty=Duty.URBAN_MANAGEMENT, subdistrict=subdistrict)
        person = parties.person_ensure(name=name, user=_user(username, name, staff=True), phone="13500005555")
        parties.membership_ensure(
            person=person, role=Role.SUBDISTRICT_OFFICER, subdistrict=subdistrict, organisation=office
        )
    _user("district", "区级管理员", superuser=True)
    if with_history:
        from youlin.demo.history import load_demo_history

        # Before the seed's stories: the year ends this morning, and the stories happen now.
        say("a year of history (a few hundred cases through the real services; about a minute) …")
        load_demo_history(progress=say)
    if with_cases:
        from youlin.demo.cases import load_demo_cases
        from youlin.demo.deliberation import load_demo_deliberation
        from youlin.demo.ledgers import load_demo_ledgers
        from youlin.demo.volunteers import load_demo_volunteers

        say("the seed's stories: 36号院, 阜外东's campaigns and ledgers, 钢院's gardens …")
        load_demo_cases()
        load_demo_deliberation()
        load_demo_ledgers()
        load_demo_volunteers()
