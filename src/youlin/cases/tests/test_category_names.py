"""Category names and system-written timeline notes in the active language: the GB/T 47678.5 names have
English names (data, filled by the loader and migration 0009), shown wherever a category is named."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from youlin.cases import categories, services
from youlin.cases.models import Category
from youlin.cases.notes import SystemNote
from youlin.cases.tests.factories import category, register

pytestmark = pytest.mark.django_db


def test_the_english_file_names_every_code_of_the_standard():
    with categories.CSV_PATH.open(encoding="utf-8") as a, categories.EN_CSV_PATH.open(encoding="utf-8") as b:
        standard, english = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert [(r["code"], r["kind"], r["major"], r["name"]) for r in standard] == [
        (r["code"], r["kind"], r["major"], r["name"]) for r in english
    ]
    assert all(r["name_en"].strip() and r["major_en"].strip() for r in english)
    assert all(r["name_en"].isascii() and r["major_en"].isascii() for r in english)
    assert set(categories.LOCAL_EXTENSION_NAMES_EN) == {code for code, *_rest in categories.LOCAL_EXTENSIONS}


def test_every_category_in_the_database_has_its_english_name():
    rows = list(Category.objects.all())
    assert len(rows) == len(categories.category_rows()) == 412
    assert [c.code for c in rows if not c.name_en or not c.major_en] == []
    assert category("06080").name_en == "Clutter in stairwells"
    assert category("01001", Category.Kind.COMPONENT).name_en == "Water supply manhole cover"
    assert category("01001").name_en == "Water supply manhole cover problem"
    assert category("06013").major_en == "City appearance and environment"


def test_the_loader_refills_english_names():
    Category.objects.filter(code="06080").update(name_en="", major_en="")
    assert services.category_load() == 1
    assert category("06080").name_en == "Clutter in stairwells"
    assert services.category_load() == 0


def test_label_follows_the_active_language():
    c = category("06013")
    assert c.label == "道路破损" and c.major_label == "市容环境类"
    with translation.override("en"):
        assert c.label == "Damaged road" and c.major_label == "City appearance and environment"
        assert str(c) == "06013 Damaged road"
    c.name_en = ""
    with translation.override("en"):
        assert c.label == "道路破损"  # no English known: the standard's name


def test_case_page_list_and_intake_in_english(client, users):
    case = register(users.spk_grid)
    client.force_login(users.spk_staff)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.get(reverse("cases:detail", args=[case.number]), **english).content.decode()
    assert "Clutter in stairwells" in page and "楼道堆物" not in page
    listing = client.get(reverse("cases:list"), **english).content.decode()
    assert "Clutter in stairwells" in listing
    intake = client.get(reverse("cases:new"), **english).content.decode()
    assert "06013 Damaged road" in intake and 'label="06 City appearance and environment"' in intake
    chinese = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "楼道堆物" in chinese and "Clutter in stairwells" not in chinese


def test_dashboard_export_in_the_exports_language(client, users):
    from openpyxl import load_workbook

    register(users.spk_grid)
    client.force_login(users.spk_staff)
    url = reverse("dashboards:export", args=["categories"])
    english = load_workbook(io.BytesIO(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)).active
    assert ["Clutter in stairwells", 1] in [[c.value for c in row] for row in english.iter_rows(min_row=3)]
    chinese = load_workbook(io.BytesIO(client.get(url).content)).active
    assert ["楼道堆物", 1] in [[c.value for c in row] for row in chinese.iter_rows(min_row=3)]


def test_a_system_note_is_shown_in_the_readers_language(client, users):
    case = register(users.spk_grid)
    event = services.case_annotate(
        actor=users.spk_staff,
        case=case,
        kind="escalated",
        note=SystemNote(gettext_noop("申报专项：%(title)s"), {"title": "36号院停车治理"}),
    )
    assert event.note == "申报专项：36号院停车治理"  # the note column keeps the Chinese sentence
    with translation.override("en"):
        assert event.display_note == "Project application: 36号院停车治理"
    client.force_login(users.spk_staff)
    page = client.get(reverse("cases:detail", args=[case.number]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Project application: 36号院停车治理" in page
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "申报专项：36号院停车治理" in page


def test_a_persons_note_stays_as_written():
    from youlin.cases.notes import display

    assert display("堆物已清理", {}) == "堆物已清理"
    assert display("x", {"system_note": {"msgid": "申报专项：%(title)s", "values": {}}}) == "申报专项：%(title)s"


def test_the_overdue_sweep_is_named_in_the_readers_language(users, clock):
    from youlin.cases.models import CaseEvent, EventKind

    case = register(users.spk_grid)
    clock.advance(days=30)
    services.case_escalate_overdue(case=case, expected_version=case.version)
    event = CaseEvent.objects.filter(case=case, kind=EventKind.SUPERVISED).first()
    assert event.actor_label == "系统"
    with translation.override("en"):
        assert event.display_actor == "System"
