import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from youlin.ledgers import services
from youlin.ledgers.models import Ledger
from youlin.places.models import Community


@pytest.fixture
def fwd(demo):
    return Community.objects.get(name="阜外东社区")


@pytest.fixture
def gy(demo):
    return Community.objects.get(name="钢院社区")


@pytest.fixture
def ledger(fwd):
    return services.ledger_ensure(community=fwd, kind=Ledger.Kind.RECTIFICATION, name="整治台账")


def photo(color=(120, 90, 50), name="p.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


HEADERS = ["序号", "问题位置", "问题描述", "责任单位", "整改措施", "整改时限", "整改情况", "照片"]


def row(n: int, **overrides) -> dict:
    values = {
        "序号": "",
        "问题位置": "月坛北小街1号院1号楼" if n % 2 else "月坛北小街5号院",
        "问题描述": f"楼道堆物 {n}",
        "责任单位": "中央国家机关某服务中心",
        "整改措施": "清理",
        "整改时限": date(2026, 12, 1 + n % 28),
        "整改情况": "待整改",
        "照片": "",
    }
    values.update(overrides)
    return values


def sheet(rows: list[dict], *, headers=HEADERS, title: str | None = "阜外东社区整治台账") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
