"""Only replies written for the public leave the case: Open311 ``status_notes`` and the tracking page show a step's
public reply (``public_note``), never its internal note (a dispatch note naming the caller stays inside)."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from youlin.cases import services, steps
from youlin.cases.tests.factories import register

pytestmark = pytest.mark.django_db

INTERNAL = "来电人钱阿姨 13912345678，物业经理手机 13800001111"
PUBLIC = "已派物业公司处理，预计两天内清理完毕。"


def _dispatched(users):
    case = register(users.spk_grid, channel="resident", reporter_name="钱阿姨", reporter_phone="13912345678")
    return services.case_dispatch(
        actor=users.spk_staff, case=case, expected_version=case.version, note=INTERNAL, public_note=PUBLIC
    )


def test_steps_with_a_public_reply_offer_it_on_the_page_and_in_the_api():
    with_reply = [s for s in steps.STEPS.values() if s.public_reply]
    assert {s.action for s in with_reply} >= {"dispatch", "accept", "start", "report_done", "verify", "close"}
    for step in with_reply:
        assert "public_note" in step.schema.model_fields, step.action
    assert not steps.STEPS["supervise"].public_reply  # 督办 is between the offices


def test_the_page_form_has_the_public_reply(users):
    case = register(users.spk_grid)
    [form] = steps.STEPS["dispatch"].forms_for(case)
    assert isinstance(form.fields["public_note"], forms.CharField)
    assert not form.fields["public_note"].required


def test_open311_status_notes_carry_only_the_public_reply(client, users):
    case = _dispatched(users)
    [answer] = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert answer["status_notes"] == PUBLIC
    assert "13912345678" not in str(answer) and "钱阿姨" not in str(answer)


def test_open311_status_notes_without_a_public_reply_is_the_status_only(client, users):
    case = register(users.spk_grid)
    services.case_dispatch(actor=users.spk_staff, case=case, expected_version=case.version, note=INTERNAL)
    [answer] = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert "13800001111" not in str(answer)
    assert answer["status_notes"] == "派遣"


def test_the_tracking_page_shows_public_replies_not_internal_notes(client, users):
    case = _dispatched(users)
    html = client.get(reverse("track", args=[case.tracking_token])).content.decode()
    assert PUBLIC in html
    assert "13800001111" not in html and INTERNAL not in html


def test_staff_see_both_on_the_case_page(client, users):
    case = _dispatched(users)
    client.force_login(users.spk_staff)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert INTERNAL in html and PUBLIC in html


def test_the_api_step_takes_the_public_reply(client, users):
    from youlin.api.services import token_create

    case = register(users.spk_grid)
    _row, raw = token_create(user=users.spk_staff, name="t")
    response = client.post(
        f"/api/v1/cases/{case.number}/dispatch",
        {"expected_version": case.version, "note": INTERNAL, "public_note": PUBLIC},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    event = case.events.order_by("-at", "-id").first()
    assert event.public_note == PUBLIC and event.note == INTERNAL


def _reported_by_the_resident(users):
    case = register(users.spk_resident, channel="resident", reporter_name="孙居民", reporter_phone="13912345678")
    return services.case_dispatch(
        actor=users.spk_staff, case=case, expected_version=case.version, note=INTERNAL, public_note=PUBLIC
    )


def test_the_signed_in_reporter_reads_the_public_side_of_the_case_page(client, users):
    case = _reported_by_the_resident(users)
    client.force_login(users.spk_resident)
    response = client.get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLIC in html
    assert INTERNAL not in html and "13800001111" not in html
    assert users.spk_staff.display_name not in html  # who took each step is the staff's business


def test_the_api_gives_the_reporter_public_replies_and_the_staff_both(client, users):
    from youlin.api.services import token_create

    case = _reported_by_the_resident(users)
    seen = {}
    for name in ("spk_resident", "spk_staff"):
        _row, raw = token_create(user=getattr(users, name), name="t")
        response = client.get(f"/api/v1/cases/{case.number}", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200, response.content
        seen[name] = {e["kind"]: e for e in response.json()["timeline"]}
    reporter, staff = seen["spk_resident"]["dispatched"], seen["spk_staff"]["dispatched"]
    assert reporter["public_note"] == PUBLIC and reporter["note"] == "" and reporter["actor"] == ""
    assert staff["public_note"] == PUBLIC and staff["note"] == INTERNAL and staff["actor"]
