"""Category data: GB/T 47678.5-2026 codes plus community-level local extensions, with time limits.

Pure data, no ORM: the data migration and ``services.category_load`` both upsert from ``category_rows()``.
The CSV (a third-party transcription of the standard's annexes) lives in ``fixtures/`` so it ships with the
package.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from youlin.cases import workdays

CSV_PATH = Path(__file__).resolve().parent / "fixtures" / "gbt47678.5-matters.csv"
# English names of the same codes (and of their major classes), for the English interface: data, not msgids,
# so that a category added by the loader carries its English name with it.
EN_CSV_PATH = Path(__file__).resolve().parent / "fixtures" / "gbt47678.5-names-en.csv"

COMPONENT = "component"
MATTER = "matter"
KIND_BY_LABEL = {"管理部件": COMPONENT, "管理事项": MATTER}

# Urgency classes and the time limits seen in practice: urgent matters run by the clock, the others on working
# days (weekends and public holidays do not count; 调休 make-up days do).
URGENT = "urgent"  # danger to life or property
UTILITIES = "utilities"  # water, power, gas, heating
GENERAL = "general"
COMPLEX = "complex"
HOURS_UNIT, WORKING_HOURS_UNIT, WORKING_DAYS_UNIT = workdays.HOURS, workdays.WORKING_HOURS, workdays.WORKING_DAYS
LEGACY_HOURS = {URGENT: 2, UTILITIES: 24, GENERAL: 168, COMPLEX: 360}  # before working days (migration 0007)
LIMITS: dict[str, tuple[int, str]] = {
    URGENT: (2, HOURS_UNIT),
    UTILITIES: (24, HOURS_UNIT),
    GENERAL: (5, WORKING_DAYS_UNIT),
    COMPLEX: (15, WORKING_DAYS_UNIT),
}


@dataclass(frozen=True)
class CategoryRow:
    code: str
    kind: str
    major: str
    name: str
    urgency: str
    is_local: bool = False
    name_en: str = ""
    major_en: str = ""

    @property
    def time_limit(self) -> tuple[int, str]:
        return LIMITS[self.urgency]

    @property
    def major_code(self) -> str:
        return self.code[:2]


# Local extensions (minor class 080–999) for problems the standard does not name at community level.
LOCAL_EXTENSIONS: list[tuple[str, str, str, str]] = [
    # code, major, name, urgency
    ("06080", "市容环境类", "楼道堆物", GENERAL),
    ("06081", "市容环境类", "小区地砖松动", GENERAL),
    ("06082", "市容环境类", "卫生死角", GENERAL),
    ("04080", "园林绿化设施类", "树坑破损", GENERAL),
    ("09080", "街面秩序类", "门前三包不落实", GENERAL),
    ("10080", "其他事项类", "电动自行车违规充电", URGENT),
    ("10081", "其他事项类", "居民安全隐患", UTILITIES),
    ("10082", "其他事项类", "物业服务", GENERAL),
    # What a 12345 work order is filed under until staff say what it is (待分拣).
    ("10099", "其他事项类", "其他诉求（待分类）", GENERAL),
]
# Their English names (the major classes' come from the standard's file).
LOCAL_EXTENSION_NAMES_EN: dict[str, str] = {
    "06080": "Clutter in stairwells",
    "06081": "Loose paving in a compound",
    "06082": "Neglected dirty corner",
    "04080": "Damaged tree pit",
    "09080": "Frontage duties not kept",
    "10080": "E-bike charged unsafely",
    "10081": "Safety hazard for residents",
    "10082": "Property management service",
    "10099": "Other request (to be classified)",
}

# Matters where someone can get hurt now: an open manhole, a gas pipe, a fallen cable, a stuck lift.
_URGENT_WORDS = ("井盖", "雨水箅子", "燃气", "输油", "公用电梯", "架空线缆脱落", "道路积雪", "动物尸体")
_UTILITY_WORDS = ("供水", "污水", "雨水", "中水", "电力", "热力", "供热", "路灯", "水井", "排水", "供水器", "水塔")
# Matters that need enforcement, planning or several parties: half a month.
_COMPLEX_NAMES = {
    "私搭乱建",
    "无证建设",
    "违章接坡",
    "违章开设道口",
    "非正规垃圾填埋场",
    "占用河道",
    "堤岸破损",
    "边坡（挡土墙）破损",
    "违规设置停车场",
    "违规占用桥下空间",
    "擅自架设管线、杆线设施",
}


def localized(name: str, name_en: str) -> str:
    """A category's (or major class's) name in the active language: English where the interface is English and an
    English name is known, else the standard's Chinese name."""
    from django.utils.translation import get_language

    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


def classify(kind: str, name: str) -> str:
    """The urgency class of a standard code, from its name (components are only ever 'general')."""
    if kind == COMPONENT:
        return GENERAL
    if any(word in name for word in _URGENT_WORDS):
        return URGENT
    if name in _COMPLEX_NAMES:
        return COMPLEX
    if any(word in name for word in _UTILITY_WORDS):
        return UTILITIES
    return GENERAL


def english_names(path: Path = EN_CSV_PATH) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(kind, code) → English name, and Chinese major class → English major class."""
    names: dict[tuple[str, str], str] = {}
    majors: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            names[(KIND_BY_LABEL[record["kind"].strip()], record["code"].strip())] = record["name_en"].strip()
            majors[record["major"].strip()] = record["major_en"].strip()
    return names, majors


def category_rows(path: Path = CSV_PATH, en_path: Path = EN_CSV_PATH) -> list[CategoryRow]:
    names_en, majors_en = english_names(en_path)
    rows: list[CategoryRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            kind = KIND_BY_LABEL[record["kind"].strip()]
            code = record["code"].strip()
            name = record["name"].strip()
            major = record["major"].strip()
            urgency = classify(kind, name)
            rows.append(
                CategoryRow(
                    code=code,
                    kind=kind,
                    major=major,
                    name=name,
                    urgency=urgency,
                    name_en=names_en.get((kind, code), ""),
                    major_en=majors_en.get(major, ""),
                )
            )
    for code, major, name, urgency in LOCAL_EXTENSIONS:
        rows.append(
            CategoryRow(
                code,
                MATTER,
                major,
                name,
                urgency,
                is_local=True,
                name_en=LOCAL_EXTENSION_NAMES_EN.get(code, ""),
                major_en=majors_en.get(major, ""),
            )
        )
    return rows


def upsert_categories(model) -> int:
    """Create or refresh every category in ``model`` (a real or historical model class); returns rows changed.

    Two queries plus one bulk write each for new and changed rows, so it is cheap to run on every deploy.
    """
    rows = category_rows()
    existing = {(c.kind, c.code): c for c in model.objects.all()}
    field_names = {f.name for f in model._meta.get_fields()}
    # Urgency and time limit are set once; staff may tune them in the admin and a reload keeps that.
    fields = tuple(f for f in ("major_code", "major", "name", "is_local", "name_en", "major_en") if f in field_names)
    to_create, to_update = [], []
    for row in rows:
        values = {"major_code": row.major_code, "major": row.major, "name": row.name, "is_local": row.is_local}
        if "name_en" in field_names:  # not in the historical models of migrations before 0009
            values.update(name_en=row.name_en, major_en=row.major_en)
        current = existing.get((row.kind, row.code))
        if current is None:
            amount, unit = row.time_limit
            if "time_limit_unit" in field_names:
                limit = {"time_limit": amount, "time_limit_unit": unit}
            else:  # the model as it was before working days (an early migration): limits in hours
                limit = {"time_limit_hours": LEGACY_HOURS[row.urgency]}
            to_create.append(model(kind=row.kind, code=row.code, urgency=row.urgency, **limit, **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
    model.objects.bulk_create(to_create)
    model.objects.bulk_update(to_update, fields)
    return len(to_create) + len(to_update)
