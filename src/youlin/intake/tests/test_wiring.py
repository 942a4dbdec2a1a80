"""Intake wired into the case loop: staff corrections are kept, the triage panel offers the suggestions, the
intake forms ask for suggestions and search terms."""

import pytest
from django.urls import reverse

from youlin.cases import services
from youlin.cases.models import Case, Triage
from youlin.cases.tests import factories as f
from youlin.intake.models import CategoryCorrection

pytestmark = pytest.mark.django_db


def test_a_corrected_category_is_kept_for_training(users, clock):
    case = f.register(users.spk_grid, description="楼下一下雨就积水，地砖松动")
    services.case_correct(
        actor=users.spk_staff, case=case, expected_version=case.version, category=f.category("06081"), reason="核实"
    )
    correction = CategoryCorrection.objects.get(case=case)
    assert (correction.from_category.code, correction.to_category.code) == ("06080", "06081")
    assert correction.text == case.description and correction.actor == users.spk_staff


def test_the_triage_panel_offers_the_suggestions_one_click_away(client, users, clock):
    case = f.register(users.spk_grid, description="楼道里电动车飞线充电，很危险")
    Case.objects.filter(pk=case.pk).update(triage=Triage.CATEGORY)
    client.force_login(users.spk_staff)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="triage-suggestions"' in page and "10080" in page
    response = client.post(
        reverse("cases:act", args=[case.number, "correct"]),
        {"correct-expected_version": 1, "correct-category": "matter:10080", "correct-reason": "按智能分类建议确认类别"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category.code == "10080" and case.triage == ""
    # Not in triage: no panel; a resident never sees it.
    assert (
        'data-testid="triage-suggestions"'
        not in client.get(reverse("cases:detail", args=[case.number])).content.decode()
    )


def test_the_intake_forms_ask_for_suggestions_and_terms(client, demo):
    page = client.get(reverse("report")).content.decode()
    assert f'hx-post="{reverse("intake:suggest")}"' in page and 'data-intake-terms="/intake/terms.json"' in page
    terms = client.get(reverse("intake:terms")).json()
    loose = next(pk for pk, text in terms.items() if text.startswith("06081"))
    assert "积水" in terms[loose] or "js" in terms[loose]


def test_the_hotline_import_uses_intake_and_sends_the_unsure_to_triage(users, clock):
    from youlin.cases.imports import hotline_import
    from youlin.cases.models import Triage

    rows = [
        {
            "工单编号": "GD-INTAKE-1",
            "来电时间": "2026-11-27 08:30",
            "诉求地址": "手帕口南街36号院甲楼",
            "诉求内容": "市民来电反映：楼道里堆满了旧家具和纸箱，老人下楼都过不去",
            "诉求类型": "城乡建设",
        },
        {
            "工单编号": "GD-INTAKE-2",
            "来电时间": "2026-11-27 08:40",
            "诉求地址": "手帕口南街36号院甲楼",
            "诉求内容": "市民来电反映情况，请核实处理",
            "诉求类型": "其他",
        },
    ]
    hotline_import(actor=users.spk_staff, rows=rows)
    clear, vague = Case.objects.get(hotline_number="GD-INTAKE-1"), Case.objects.get(hotline_number="GD-INTAKE-2")
    assert clear.category.code == "06080" and clear.triage == "" and clear.status == "dispatched"
    assert vague.triage == Triage.CATEGORY and vague.status == "registered"
