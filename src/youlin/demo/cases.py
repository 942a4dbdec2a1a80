"""The seed's cases, through the real services (after ``youlin.demo.loader`` has made the communities)."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from youlin.cases import services as cases
from youlin.cases.models import Case, Category
from youlin.places.models import Building, NamedPoint


def _demo_photo(rgb: tuple[int, int, int], name: str):
    """A plain generated picture standing in for a site photo (the demo ships no real photos)."""
    image = Image.new("RGB", (640, 480), rgb)
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 40):
        draw.line([(i, 0), (i + 200, 480)], fill=tuple(max(0, c - 40) for c in rgb), width=6)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def load_demo_cases() -> None:
    """The seed's cases, through the real services: 36号院's paving (needs deliberation) and junk corner
    (fixed, rated), and the junk piles of 月坛北小街1号院 and 5号院. Skipped once a demo case exists."""
    if Case.objects.filter(description__startswith="【演示】").exists():
        return
    User = get_user_model()
    u = {
        x.username: x
        for x in User.objects.filter(username__in=["spk_grid", "spk_staff", "tyh_property", "fwd_captain", "fwd_staff"])
    }

    def point(name):
        return NamedPoint.objects.get(name=name).geometry["coordinates"]

    def category(code):
        return Category.objects.get(kind=Category.Kind.MATTER, code=code)

    lon, lat = point("36号院北侧停车区")
    cases.case_register(
        actor=u["spk_grid"],
        category=category("06081"),
        lon=lon,
        lat=lat,
        channel="patrol",
        description="【演示】北侧停车区部分地砖松动、粉化，老人常在此闲坐遛弯，有摔倒隐患。",
        photos=[_demo_photo((150, 150, 150), "paving.jpg")],
    )
    lon, lat = point("甲楼门前电动自行车充电柜")
    junk = cases.case_register(
        actor=u["spk_grid"],
        category=category("06082"),
        lon=lon,
        lat=lat,
        channel="patrol",
        description="【演示】甲楼门前充电柜旁死角堆放杂物，屡次反弹，居民担忧安全。",
        photos=[_demo_photo((110, 80, 40), "junk-before.jpg")],
    )
    junk = cases.case_dispatch(
        actor=u["spk_staff"], case=junk, expected_version=junk.version, note="请天岳恒物业张贴通知，督促堆物住户清理。"
    )
    junk = cases.case_accept(actor=u["tyh_property"], case=junk, expected_version=junk.version)
    junk = cases.case_start(
        actor=u["tyh_property"], case=junk, expected_version=junk.version, note="已张贴通知，要求堆物住户及时清理。"
    )
    junk = cases.case_report_done(
        actor=u["tyh_property"],
        case=junk,
        expected_version=junk.version,
        note="杂物已清理完毕。",
        photos=[_demo_photo((90, 170, 90), "junk-after.jpg")],
    )
    junk = cases.case_verify(
        actor=u["spk_grid"], case=junk, expected_version=junk.version, passed=True, note="现场核查：已清理干净。"
    )
    cases.case_close(actor=u["spk_staff"], case=junk, expected_version=junk.version)
    for compound in ("月坛北小街1号院", "月坛北小街5号院"):
        ring = Building.objects.get(compound__name=compound, name="1号楼").geometry["coordinates"][0]
        b_lon = sum(p[0] for p in ring[:4]) / 4
        b_lat = sum(p[1] for p in ring[:4]) / 4
        case = cases.case_register(
            actor=u["fwd_captain"],
            category=category("06080"),
            lon=b_lon,
            lat=b_lat,
            channel="door_to_door",
            description=f"【演示】{compound}楼道及楼前堆物堆料，难清理。",
        )
        cases.case_dispatch(
            actor=u["fwd_staff"],
            case=case,
            expected_version=case.version,
            note="已召开产权单位及物业企业专项问题整治沟通协调会，压实责任。",
        )
