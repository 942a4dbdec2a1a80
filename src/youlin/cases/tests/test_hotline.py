"""The 12345 page, the API, the command line and the reply export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from youlin.cases import services
from youlin.cases.imports import hotline_import
from youlin.cases.imports.replies import HEADERS, hotline_replies_export
from youlin.cases.models import Case, Status
from youlin.cases.tests.test_imports import as_csv, order
from youlin.jobs.models import Job

pytestmark = pytest.mark.django_db


def upload(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("orders.csv", as_csv(rows).encode(), content_type="text/csv")


def test_the_page_imports_a_file_and_shows_the_report_then_the_result(client, users):
    client.force_login(users.spk_staff)
    assert 'data-testid="hotline-link"' in client.get(reverse("cases:list")).content.decode()
    refused = client.post(reverse("cases:hotline"), {"file": upload([order(1), order(2, content="")])}, follow=True)
    body = refused.content.decode()
    assert 'data-status="failed"' in body and 'data-testid="import-error"' in body and "诉求内容" in body
    assert not Case.objects.exists()
    done = client.post(reverse("cases:hotline"), {"file": upload([order(1), order(2)])}, follow=True)
    assert 'data-testid="import-success"' in done.content.decode()
    assert Case.objects.count() == 2
    job = Job.objects.latest("id")
    poll = client.get(reverse("jobs:status", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'data-status="succeeded"' in poll.content.decode()
    page = client.get(reverse("cases:hotline")).content.decode()
    assert "orders.csv" in page and 'data-testid="triage-link"' in page
    sample = client.get(reverse("cases:hotline_sample"))
    assert [c.value for c in load_workbook(io.BytesIO(sample.content)).active[1]][:2] == ["工单编号", "来电时间"]


def test_other_staff_get_404_for_the_job_and_residents_for_the_page(client, users):
    job = Job.objects.get(pk=_job(users).pk)
    client.force_login(users.gy_secretary)
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    client.force_login(users.spk_resident)
    assert client.get(reverse("cases:hotline")).status_code == 404
    assert 'data-testid="hotline-link"' not in client.get(reverse("cases:list")).content.decode()


def _job(users) -> Job:
    from youlin.cases.imports.jobs import hotline_import_start

    return hotline_import_start(
        actor=users.spk_staff, community=None, filename="o.csv", content=as_csv([order(1)]).encode()
    )


def test_the_command_exits_zero_with_counts_and_non_zero_with_the_report(users, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(as_csv([order(1), order(2, address="火星路1号")]), encoding="utf-8")
    call_command("hotline", "import", str(good), "--community", "shoupakou-nanjie")
    assert capsys.readouterr().out.split() == [
        "new",
        "2",
        "updated",
        "0",
        "unchanged",
        "0",
        "dispatched",
        "1",
        "triage",
        "1",
    ]
    call_command("hotline", "import", str(good), "--community", "shoupakou-nanjie")
    assert "unchanged 2" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(as_csv([order(3, content="")]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("hotline", "import", str(bad), "--community", "shoupakou-nanjie")
    assert "row 2\t诉求内容" in capsys.readouterr().err
    with pytest.raises(CommandError):  # several communities and none chosen
        call_command("hotline", "import", str(good))


def _handle(case: Case, users, note: str) -> Case:
    staff, worker = users.spk_staff, users.tyh_property
    case = services.case_accept(actor=worker, case=case, expected_version=case.version)
    case = services.case_start(actor=worker, case=case, expected_version=case.version)
    case = services.case_report_done(actor=worker, case=case, expected_version=case.version, note=note)
    case = services.case_verify(actor=users.spk_grid, case=case, expected_version=case.version, passed=True)
    return services.case_close(actor=staff, case=case, expected_version=case.version)


def test_the_reply_export_reads_back_with_openpyxl(users, clock, tmp_path):
    hotline_import(actor=users.spk_staff, file=as_csv([order(1), order(2), order(3, handling_unit="其他单位")]))
    first, second, third = Case.objects.order_by("hotline_number")
    _handle(first, users, "=已清理楼道堆物，并张贴提示")  # a reply that looks like a formula stays text
    _handle(third, users, "已处理")
    content = hotline_replies_export(users.spk_staff, month=date(2026, 11, 1), unit="广外街道")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1:] == [(first.hotline_number, "已办结", "=已清理楼道堆物，并张贴提示", "2026-11-27 09:00:00")]
    assert sheet["C2"].data_type == "s"
    assert hotline_replies_export(users.spk_staff, month=date(2026, 10, 1)) != content
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(hotline_replies_export(users.gy_secretary, month=date(2026, 11, 1)))
                ).active.iter_rows()
            )
        )
        == 1
    )
    out = tmp_path / "replies.xlsx"
    call_command("hotline", "export", "--month", "2026-11", "-o", str(out))
    assert load_workbook(out).active.max_row == 3  # both closed orders, every unit
    assert Case.objects.get(pk=second.pk).status == Status.DISPATCHED
