"""12345 work orders through the API: upload, the job's state, errors in the API's shape; callers' names and
phones masked for those who do not manage the case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from youlin.cases.imports import hotline_import
from youlin.cases.models import Case
from youlin.cases.tests.test_imports import as_csv, order

pytestmark = pytest.mark.django_db


def upload(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("orders.csv", as_csv(rows).encode(), content_type="text/csv")


def test_caller_name_and_phone_are_masked_for_those_who_do_not_manage_the_case(client, users, api):
    hotline_import(actor=users.spk_staff, file=as_csv([order(1, caller_name="王小明", caller_phone="13812345678")]))
    case = Case.objects.get()
    client.force_login(users.spk_staff)
    assert "13812345678" in client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert api("spk_staff").get(f"/cases/{case.number}").json()["reporter"]["phone"] == "13812345678"
    client.force_login(users.tyh_property)  # the property company the case is routed to
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "13812345678" not in body and "王小明" not in body and "138" in body
    reporter = api("tyh_property").get(f"/cases/{case.number}").json()["reporter"]
    assert reporter["masked"] is True and reporter["phone"] != "13812345678" and reporter["name"] != "王小明"


def test_the_api_imports_a_file_and_reports_the_job(api, users):
    staff = api("spk_staff")
    refused = staff.post_form("/hotline/imports", {"file": upload([order(1, called_at="x")])})
    assert refused.status_code == 201 and refused.json()["status"] == "failed"
    assert refused.json()["errors"] == [
        {"row": 2, "column": "来电时间", "reason": "来电时间格式应为 2024-05-01 09:30。"}
    ]
    done = staff.post_form("/hotline/imports", {"file": upload([order(1), order(2)]), "community": "shoupakou-nanjie"})
    assert done.status_code == 201 and (done.json()["created"], done.json()["dispatched"]) == (2, 2)
    job_id = done.json()["id"]
    assert staff.get(f"/hotline/imports/{job_id}").json()["status"] == "succeeded"
    assert api("gy_secretary").get(f"/hotline/imports/{job_id}").status_code == 404
    ambiguous = api("district").post_form("/hotline/imports", {"file": upload([order(3)])})
    assert ambiguous.status_code == 422 and ambiguous.json()["code"] == "invalid_input"
    assert "community" in ambiguous.json()["fields"]
    assert "/api/v1/hotline/imports" in str(api(None).get("/openapi.json").json()["paths"])


def test_a_large_upload_is_queued_and_answered_202(api, users, settings, django_capture_on_commit_callbacks):
    settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):
        queued = api("spk_staff").post_form("/hotline/imports", {"file": upload([order(1), order(2)])})
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
