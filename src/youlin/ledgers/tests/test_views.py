"""Ledger pages: who sees what (foreign rows are 404), the list's fixed query count, upload and export."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from youlin.jobs.models import Job
from youlin.ledgers import services
from youlin.ledgers.excel import ledger_import
from youlin.ledgers.models import Ledger, LedgerEntry
from youlin.ledgers.tests.conftest import row, sheet
from youlin.parties import services as parties
from youlin.parties.models import Organisation, Role


@pytest.fixture
def entries(users, ledger):
    ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(n) for n in range(1, 41)]))
    return ledger


def test_staff_see_the_ledger_with_filters_and_keyset_pages(client, users, entries):
    client.force_login(users.fwd_staff)
    url = reverse("ledgers:ledger", args=[entries.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="entry-row"') == 30
    more = client.get(url, {"after": 11}, headers={"HX-Request": "true"})
    assert more.content.decode().count('data-testid="entry-row"') == 10
    filtered = client.get(url, {"q": "楼道堆物 7"})
    assert filtered.content.decode().count('data-testid="entry-row"') == 1


def test_the_entry_list_makes_a_fixed_number_of_queries(users, entries, django_assert_num_queries):
    from youlin.ledgers.selectors import entry_search

    staff = users.fwd_staff
    from youlin.access.policy import jurisdiction_of

    jurisdiction_of(staff)
    with django_assert_num_queries(1):
        page = entry_search(staff, entries, {"status": "open"})
        assert [e.responsible_party.name for e in page.rows][:1] == ["中央国家机关某服务中心"]
    with django_assert_num_queries(1):
        entry_search(staff, entries, {}, cursor=page.next_cursor)


def test_the_list_page_query_count_does_not_grow_with_rows(client, users, entries, django_assert_max_num_queries):
    client.force_login(users.fwd_staff)
    url = reverse("ledgers:ledger", args=[entries.pk])
    with django_assert_max_num_queries(14) as few:
        client.get(url, {"status": "open"})
    ledger_import(actor=users.fwd_staff, ledger=entries, file=sheet([row(n) for n in range(41, 81)]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"status": "open"})


@pytest.mark.parametrize("username", ["gy_secretary", "spk_staff", "fwd_volunteer", "tyh_property"])
def test_url_guessing_across_communities_is_404(client, users, entries, username):
    entry = LedgerEntry.objects.filter(ledger=entries).first()
    client.force_login(getattr(users, username))
    for url in (
        reverse("ledgers:ledger", args=[entries.pk]),
        reverse("ledgers:entry", args=[entry.pk]),
        reverse("ledgers:export", args=[entries.pk]),
        reverse("ledgers:import", args=[entries.pk]),
        reverse("ledgers:entry_new", args=[entries.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("ledgers:entry_act", args=[entry.pk, "complete"])).status_code == 404


def test_captain_reads_but_does_not_write_the_ledger(client, users, entries):
    client.force_login(users.fwd_captain)
    assert client.get(reverse("ledgers:ledger", args=[entries.pk])).status_code == 200
    assert client.get(reverse("ledgers:import", args=[entries.pk])).status_code == 404
    entry = LedgerEntry.objects.filter(ledger=entries).first()
    assert client.post(reverse("ledgers:entry_act", args=[entry.pk, "start"])).status_code == 404


def test_a_property_company_sees_only_the_entries_it_answers_for(client, users, ledger, fwd):
    company = parties.organisation_ensure(name="月坛物业", kind=Organisation.Kind.PROPERTY_MANAGER, community=fwd)
    person = parties.person_ensure(name="钱物业", user=users.tyh_property)
    parties.membership_ensure(person=person, role=Role.PROPERTY_STAFF, organisation=company)
    ledger_import(actor=users.fwd_staff, ledger=ledger, file=sheet([row(1), row(2, 责任单位="月坛物业"), row(3)]))
    from youlin.access.policy import jurisdiction_of

    users.tyh_property._youlin_jurisdiction = None
    user = users.tyh_property
    assert company.pk in jurisdiction_of(user).organisation_ids
    client.force_login(user)
    page = client.get(reverse("ledgers:ledger", args=[ledger.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="entry-row"') == 1
    mine = LedgerEntry.objects.get(ledger=ledger, responsible_party=company)
    other = LedgerEntry.objects.filter(ledger=ledger).exclude(pk=mine.pk).first()
    assert client.get(reverse("ledgers:entry", args=[mine.pk])).status_code == 200
    assert client.get(reverse("ledgers:entry", args=[other.pk])).status_code == 404
    assert client.post(reverse("ledgers:entry_act", args=[mine.pk, "complete"])).status_code == 404
    exported = load_workbook(io.BytesIO(client.get(reverse("ledgers:export", args=[ledger.pk])).content)).active
    assert exported.max_row == 3  # title, header, its one entry


def test_upload_shows_the_report_then_imports(client, users, ledger):
    client.force_login(users.fwd_staff)
    url = reverse("ledgers:import", args=[ledger.pk])
    bad = SimpleUploadedFile("t.xlsx", sheet([row(1), row(2, 责任单位="不存在")]))
    response = client.post(url, {"file": bad}, follow=True)
    body = response.content.decode()
    assert 'data-testid="import-error"' in body and "责任单位" in body
    assert LedgerEntry.objects.count() == 0
    good = SimpleUploadedFile("t.xlsx", sheet([row(1), row(2)]))
    response = client.post(url, {"file": good}, follow=True)
    assert 'data-testid="import-success"' in response.content.decode()
    assert LedgerEntry.objects.count() == 2
    job = Job.objects.latest("id")
    poll = client.get(reverse("ledgers:import_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'data-status="succeeded"' in poll.content.decode()
    client.force_login(users.gy_secretary)
    assert client.get(reverse("ledgers:import_status", args=[job.pk])).status_code == 404


def test_export_downloads_a_filtered_xlsx(client, users, entries):
    LedgerEntry.objects.filter(ledger=entries, seq__lte=5).update(status="done", done_on=date(2026, 1, 1))
    client.force_login(users.fwd_staff)
    response = client.get(reverse("ledgers:export", args=[entries.pk]), {"status": "done"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)] == [1, 2, 3, 4, 5]


def test_campaign_page_shows_progress_bars_and_staff_create(client, users, fwd):
    client.force_login(users.fwd_staff)
    response = client.post(
        reverse("ledgers:campaigns"), {"title": "畅通出行", "starts_on": "2026-03-01", "target_count": 8}, follow=True
    )
    assert 'data-title="畅通出行"' in response.content.decode()
    assert 'role="progressbar"' in response.content.decode()
    client.force_login(users.fwd_captain)
    assert client.post(reverse("ledgers:campaigns"), {"title": "x", "starts_on": "2026-03-01"}).status_code == 404


def test_visit_form_and_finding_to_case_on_a_phone(client, users, fwd):
    from youlin.cases.models import Category
    from youlin.places.models import Building

    building = Building.objects.get(compound__name="月坛北小街1号院", name="1号楼")
    client.force_login(users.fwd_captain)
    response = client.post(
        reverse("ledgers:visits"),
        {
            "building": building.pk,
            "visited_on": timezone.localdate().isoformat(),
            "households_reached": 8,
            "findings": "楼道灯坏了",
        },
        follow=True,
    )
    assert 'data-testid="finding"' in response.content.decode()
    finding = response.context["visit"].findings.get()
    category = Category.objects.get(kind="matter", code="06080")
    response = client.post(
        reverse("ledgers:finding_act", args=[finding.pk, "case"]), {"category": category.pk}, follow=True
    )
    assert 'data-testid="finding-case"' in response.content.decode()
    client.force_login(users.gy_branch)
    assert client.get(reverse("ledgers:visit", args=[finding.visit_id])).status_code == 404


def test_zone_pages_for_a_garden_group_leader(client, users, gy):
    from youlin.places.models import Zone

    zones = list(Zone.objects.filter(community=gy).order_by("pk"))
    client.force_login(users.gy_branch)
    response = client.post(reverse("ledgers:zone", args=[zones[0].pk]), {"kind": "patrol", "note": "巡查"}, follow=True)
    assert 'data-testid="zone-log"' in response.content.decode()
    assert client.post(reverse("ledgers:zone", args=[zones[1].pk]), {"kind": "patrol"}).status_code == 404
    page = client.get(reverse("ledgers:zones"), {"days": 7}).content.decode()
    assert page.count('data-testid="zone-uncovered"') == 12 and page.count('data-testid="zone-covered"') == 1
    client.force_login(users.fwd_staff)
    assert client.get(reverse("ledgers:zone", args=[zones[0].pk])).status_code == 404


def test_ledger_of_another_kind_is_created_by_staff_only(users, fwd):
    ledger = services.ledger_create(actor=users.fwd_staff, community=fwd, name="楼道安全台账")
    assert ledger.kind == Ledger.Kind.CUSTOM
    with pytest.raises(services.LedgerError) as caught:
        services.ledger_create(actor=users.fwd_captain, community=fwd, name="x")
    assert caught.value.code == "permission_denied"
