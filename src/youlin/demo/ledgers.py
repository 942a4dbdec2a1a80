"""Demo ledgers, through the real services: 阜外东社区's six campaigns, its rectification ledger (65 piles of junk
cleared and the work going on) and residents' safety-hazard ledger (13 road repairs, 5 tree pits), the before
and after of 月坛北小街1号院 and 5号院, door-to-door visits, frontage duties; 钢院社区's 13 garden groups' zone
logs. Idempotent: campaigns and ledgers are upserted by name, entries imported by 序号 (a second import changes
nothing), the other rows are written only once. Needs ``youlin.demo.loader.load_demo`` first.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from youlin.ledgers import services
from youlin.ledgers.excel import ledger_import
from youlin.ledgers.models import Campaign, FrontageDuty, Ledger, LedgerEntry, PhotoKind, Visit, ZoneLog
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Community, Zone

FWD = "阜外东社区"
GY = "钢院社区"
OWNER = "中央国家机关某服务中心"
OFFICE = "阜外东社区居委会"

CAMPAIGNS = [
    # title, target, description
    ("规范空架线", 12, "清理、规范楼间和院内的空中架线。"),
    ("铲除小广告、换新破损海报", 20, "铲除楼道、墙面小广告，换新破损宣传海报。"),
    ("劝导文明晾晒", 10, "劝导居民不在楼前通道、绿地晾晒衣物。"),
    ("清理堆物堆料", 80, "月坛北小街1号院、5号院等楼道及楼前堆物堆料专项整治，清理工作仍在持续。"),
    ("落实门前三包", 6, "沿街商户、单位签订并落实门前三包责任书。"),
    ("畅通出行", 8, "规范非机动车停放，畅通居民出行通道。"),
]

JUNK_CAUSES = [
    ("居民长期在楼道堆放旧家具、纸箱", "劝导居民自行清理，无人认领的统一清运"),
    ("装修垃圾未及时清运", "联系产权单位协调清运车辆，一次清运"),
    ("废品收购人员在楼前堆放废品", "劝离并清理，纳入日常巡查"),
    ("自行车棚旁堆放杂物", "发布清理通知，七日后统一清理"),
]


def _photo(rgb: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), rgb)
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 48):
        draw.line([(i, 0), (i + 160, 480)], fill=tuple(max(0, c - 50) for c in rgb), width=8)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _users(*names):
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _rows_fuwaidong(compounds: list[str], today) -> tuple[list[dict], list[dict]]:
    """(rectification ledger rows, hazard ledger rows) keyed by the sheet's headers."""
    rect: list[dict] = []

    def add(rows, **values):
        rows.append({"序号": len(rows) + 1, **values})

    # 清理堆物堆料: 65 piles cleared, 4 still open (the work goes on).
    for n in range(69):
        compound = (
            compounds[n % len(compounds)] if n >= 10 else ("月坛北小街1号院" if n % 2 == 0 else "月坛北小街5号院")
        )
        cause, measure = JUNK_CAUSES[n % len(JUNK_CAUSES)]
        done = n < 65
        owner_compound = compound.startswith("月坛北小街")
        add(
            rect,
            问题位置=f"{compound}1号楼" if n % 3 else compound,
            问题描述=f"楼道及楼前堆物堆料（第 {n + 1} 处）",
            责任单位=OWNER if owner_compound else OFFICE,
            整改措施=measure,
            整改时限=today - timedelta(days=50 - (n % 45)) if done else today + timedelta(days=10 + n % 5),
            整改情况="已整改" if done else ("整改中" if n % 2 else "待整改"),
            问题类别="06080" if n % 2 else "06036",
            调查源头=cause,
            分类施策="清理",
            完成日期=today - timedelta(days=55 - (n % 50)) if done else None,
            阶段性工作重点="清理堆物堆料",
        )
    for n in range(5):
        add(
            rect,
            问题位置=f"{compounds[(n * 3) % len(compounds)]}",
            问题描述="院内空中架线凌乱、部分脱落",
            责任单位=OFFICE,
            整改措施="协调运营商捆扎、入槽，废弃线缆拆除",
            整改时限=today - timedelta(days=20 - n) if n < 3 else today + timedelta(days=15),
            整改情况="已整改" if n < 3 else "整改中",
            问题类别="10002",
            调查源头="运营商弃用线缆未拆除",
            分类施策="规范整理",
            完成日期=today - timedelta(days=25 - n) if n < 3 else None,
            阶段性工作重点="规范空架线",
        )
    for n in range(6):
        add(
            rect,
            问题位置=f"{compounds[(n * 2 + 1) % len(compounds)]}1号楼",
            问题描述="楼道墙面小广告、宣传栏海报破损",
            责任单位=OFFICE,
            整改措施="铲除小广告，换新海报",
            整改时限=today - timedelta(days=30 - n),
            整改情况="已整改",
            问题类别="07001",
            调查源头="开锁、疏通类小广告反复张贴",
            分类施策="清理",
            完成日期=today - timedelta(days=32 - n),
            阶段性工作重点="铲除小广告、换新破损海报",
        )
    for n in range(4):
        add(
            rect,
            问题位置=compounds[(n * 4 + 2) % len(compounds)],
            问题描述="楼前通道拉绳晾晒衣被",
            责任单位=OFFICE,
            整改措施="入户劝导，引导至晾晒区",
            整改时限=today - timedelta(days=12 - n),
            整改情况="已整改" if n < 3 else "待整改",
            问题类别="06007",
            调查源头="缺少集中晾晒区",
            分类施策="劝导",
            完成日期=today - timedelta(days=14 - n) if n < 3 else None,
            阶段性工作重点="劝导文明晾晒",
        )
    for n in range(3):
        add(
            rect,
            问题位置=compounds[(n * 5 + 3) % len(compounds)],
            问题描述="非机动车堵占消防通道",
            责任单位=OFFICE,
            整改措施="施划停车线，集中停放",
            整改时限=today + timedelta(days=7),
            整改情况="已整改" if n < 2 else "整改中",
            问题类别="09010",
            调查源头="缺少停放区",
            分类施策="规范整理",
            完成日期=today - timedelta(days=3 + n) if n < 2 else None,
            阶段性工作重点="畅通出行",
        )
    hazard: list[dict] = []
    for n in range(15):
        done = n < 13
        add(
            hazard,
            问题位置=f"{compounds[n % len(compounds)]}1号楼",
            问题描述="楼前道路破损、坑洼，老人出行有摔倒隐患",
            责任单位=OWNER if compounds[n % len(compounds)].startswith("月坛北小街") else OFFICE,
            整改措施="铣刨重铺破损路面",
            整改时限=today - timedelta(days=40 - n) if done else today + timedelta(days=20),
            整改情况="已整改" if done else "待整改",
            问题类别="06013",
            调查源头="路面老化，雨水长期浸泡",
            分类施策="维修",
            完成日期=today - timedelta(days=45 - n) if done else None,
        )
    for n in range(6):
        done = n < 5
        add(
            hazard,
            问题位置=compounds[(n * 3 + 1) % len(compounds)],
            问题描述="树坑池边石松动、坑池塌陷",
            责任单位=OFFICE,
            整改措施="整修树坑池，加装树篦子",
            整改时限=today - timedelta(days=25 - n) if done else today + timedelta(days=30),
            整改情况="已整改" if done else "待整改",
            问题类别="04080",
            调查源头="树根生长顶起边石",
            分类施策="维修",
            完成日期=today - timedelta(days=28 - n) if done else None,
        )
    return rect, hazard


@transaction.atomic
def load_demo_ledgers() -> None:
    """阜外东社区's campaigns, ledgers, visits and frontage duties; 钢院社区's zone logs."""
    community = Community.objects.filter(name=FWD).first()
    if community is None:
        return
    u = _users("fwd_staff", "fwd_captain", "gy_secretary", "gy_branch")
    staff = u["fwd_staff"]
    today = timezone.localdate()
    start = today - timedelta(days=60)
    for title, target, description in CAMPAIGNS:
        if not Campaign.objects.filter(community=community, title=title).exists():
            services.campaign_create(
                actor=staff,
                community=community,
                title=title,
                starts_on=start,
                ends_on=today + timedelta(days=240),
                target_count=target,
                description=description,
            )
    rect = services.ledger_ensure(
        community=community,
        kind=Ledger.Kind.RECTIFICATION,
        name="整治台账",
        description="调查源头、分类施策：堆物堆料、空架线、小广告、晾晒、出行。",
    )
    hazard = services.ledger_ensure(
        community=community,
        kind=Ledger.Kind.HAZARD,
        name="居民安全隐患台账",
        description="楼门长和热心居民下户进门发现的安全隐患。",
    )
    services.ledger_ensure(community=community, kind=Ledger.Kind.CUSTOM, name="文明实践活动台账")
    compounds = list(community.compounds.order_by("name").values_list("name", flat=True))
    rect_rows, hazard_rows = _rows_fuwaidong(compounds, today)
    ledger_import(actor=staff, ledger=rect, rows=rect_rows)
    ledger_import(actor=staff, ledger=hazard, rows=hazard_rows)
    _before_after(staff, rect)
    _visits(community, u.get("fwd_captain"), staff, hazard)
    _frontage(community, staff)
    _zone_logs(u.get("gy_secretary"), u.get("gy_branch"))


def _before_after(staff, ledger: Ledger) -> None:
    """月坛北小街1号院 and 5号院: the first junk entries with before and after photos, linked to the seed's cases."""
    from youlin.cases.models import Case

    for seq, compound, colours in (
        (1, "月坛北小街1号院", ((120, 90, 50), (90, 170, 90))),
        (2, "月坛北小街5号院", ((110, 80, 40), (100, 180, 110))),
    ):
        entry = LedgerEntry.objects.get(ledger=ledger, seq=seq)
        if entry.photos.exists():
            continue
        services.ledger_entry_photo_add(
            actor=staff, entry=entry, kind=PhotoKind.BEFORE, photos=[_photo(colours[0], f"{seq}-before.jpg")]
        )
        services.ledger_entry_photo_add(
            actor=staff, entry=entry, kind=PhotoKind.AFTER, photos=[_photo(colours[1], f"{seq}-after.jpg")]
        )
        case = Case.objects.filter(description__startswith=f"【演示】{compound}").first()
        if case is not None and entry.case_id is None:
            LedgerEntry.objects.filter(pk=entry.pk).update(case=case)
            campaign = entry.campaign
            if campaign is not None:
                services.campaign_case_link(actor=staff, campaign=campaign, case=case)


def _visits(community, captain, staff, hazard: Ledger) -> None:
    if captain is None or Visit.objects.filter(community=community).exists():
        return
    building = Building.objects.get(compound__community=community, compound__name="月坛北小街1号院", name="1号楼")
    today = timezone.localdate()
    services.visit_record(
        actor=captain,
        building=building,
        visited_on=today - timedelta(days=9),
        households_reached=18,
        note="走访 18 户，宣传垃圾分类和楼道堆物清理。",
        findings=[],
    )
    visit = services.visit_record(
        actor=captain,
        building=building,
        visited_on=today - timedelta(days=2),
        households_reached=12,
        note="重点走访独居老人，查看楼道和楼前通行。",
        findings=["3 单元楼道声控灯损坏，老人夜间上下楼不便", "楼前便道地砖缺失一块"],
    )
    finding = visit.findings.order_by("id").last()
    services.finding_to_entry(
        actor=staff,
        finding=finding,
        ledger=hazard,
        measure_class="repair",
        measure="补铺地砖",
        deadline=today + timedelta(days=7),
    )


def _frontage(community, staff) -> None:
    if FrontageDuty.objects.filter(community=community).exists():
        return
    building = Building.objects.get(compound__community=community, compound__name="月坛北小街5号院", name="1号楼")
    centre = shape_from_geojson(community.geometry).representative_point()
    b = shape_from_geojson(building.geometry).representative_point()
    shops = [
        ("阜外大街便民超市", "阜外大街12号门前", "刘店长", (centre.x, centre.y)),
        ("老北京早点铺", "阜外大街18号门前", "马师傅", (b.x, b.y)),
        ("阜外东社区卫生服务站", "月坛北小街5号院东门", "周主任", (b.x + 0.0001, b.y)),
    ]
    now = timezone.now()
    for i, (name, address, person, (lon, lat)) in enumerate(shops):
        duty = services.frontage_duty_create(
            actor=staff,
            name=name,
            address=address,
            lon=lon,
            lat=lat,
            responsible_person=person,
            responsible_phone="1380000000" + str(i),
            signed_on=timezone.localdate() - timedelta(days=50),
        )
        services.frontage_inspect(actor=staff, duty=duty, note="门前整洁", now=now - timedelta(days=30))
        if i == 1:  # two failures in 60 days: one more and a case opens by itself
            services.frontage_inspect(
                actor=staff, duty=duty, sanitation_ok=False, note="门前油污、垃圾未清", now=now - timedelta(days=12)
            )
            services.frontage_inspect(
                actor=staff, duty=duty, order_ok=False, note="店外摆放桌椅占道", now=now - timedelta(days=4)
            )


def _zone_logs(secretary, branch) -> None:
    """Every zone of 钢院社区 patrolled and maintained lately, except zones 12 and 13 (nothing for three weeks)."""
    zones = list(Zone.objects.filter(community__name=GY).order_by("pk"))
    if not zones or secretary is None or ZoneLog.objects.filter(zone__in=zones).exists():
        return
    now = timezone.now()
    for i, zone in enumerate(zones):
        actor = branch if i == 0 and branch is not None else secretary
        quiet = i >= 11
        for days, kind, note in (
            (2 + i % 4, "patrol", "巡查绿地，劝导遛狗不牵绳"),
            (6 + i % 5, "maintenance", "补种花草、清理枯枝"),
        ):
            offset = days + (21 if quiet else 0)
            when = timezone.make_aware(datetime.combine(timezone.localdate(now) - timedelta(days=offset), time(9, 30)))
            services.zone_log_record(actor=actor, zone=zone, kind=kind, note=note, logged_at=when)
    services.zone_log_record(
        actor=branch or secretary,
        zone=zones[0],
        kind="maintenance",
        note="花园治理：种植植被美化",
        photos=[_photo((80, 160, 80), "garden.jpg")],
        logged_at=now - timedelta(hours=3),
    )
