"""A published bulletin for the notice board (#14): its public link for the officer, a QR code made on the server
(SVG, no script), and an A4 sheet to print."""

import io

import pytest
import segno
from django.urls import reverse

from youlin.dashboards import services
from youlin.dashboards.models import Bulletin

pytestmark = pytest.mark.django_db


def bulletin(users, *, publish=True) -> Bulletin:
    from datetime import date

    from youlin.places.models import Community

    b = services.bulletin_draft(
        actor=users.spk_staff,
        title="走社区·看新貌",
        start_day=date(2026, 1, 1),
        end_day=date(2026, 11, 27),
        communities=[Community.objects.get(name="手帕口南街社区")],
    )
    if publish:
        services.bulletin_publish(actor=users.spk_staff, bulletin=b, expected_version=b.version)
    return b


def test_the_officer_sees_the_public_link_and_the_qr_code_once_published(client, users, clock):
    draft = bulletin(users, publish=False)
    client.force_login(users.spk_staff)
    page = client.get(reverse("dashboards:bulletin", args=[draft.pk])).content.decode()
    assert 'data-testid="bulletin-share"' not in page  # a draft has no public link yet
    response = client.post(reverse("dashboards:bulletin-publish", args=[draft.pk]), {"expected_version": 1})
    # Before #14 the officer was sent to the public page and never shown its link.
    assert response["Location"] == reverse("dashboards:bulletin", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    link = f"http://testserver{reverse('bulletin-public', args=[draft.pk])}"
    assert 'data-testid="bulletin-share"' in page and f'value="{link}"' in page
    assert reverse("bulletin-qr", args=[draft.pk]) in page and reverse("bulletin-print", args=[draft.pk]) in page


def test_the_qr_code_is_an_svg_of_the_public_link(client, users, clock):
    b = bulletin(users)
    response = client.get(reverse("bulletin-qr", args=[b.pk]))  # public: no login
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg
    link = f"http://testserver{reverse('bulletin-public', args=[b.pk])}"
    expected = io.BytesIO()
    segno.make(link, error="m").save(expected, kind="svg", scale=4, border=2, xmldecl=False, title=b.title)
    assert svg == expected.getvalue().decode()


def test_the_a4_sheet_prints_the_bulletin_with_its_qr_code(client, users, clock):
    b = bulletin(users)
    page = client.get(reverse("bulletin-print", args=[b.pk])).content.decode()
    assert 'data-testid="bulletin-sheet"' in page and "a4-sheet" in page
    assert reverse("bulletin-qr", args=[b.pk]) in page
    assert f"http://testserver{reverse('bulletin-public', args=[b.pk])}" in page
    assert 'youlin/print.css">' in page and 'media="print"' not in page  # its own print preview
    public = client.get(reverse("bulletin-public", args=[b.pk])).content.decode()
    assert reverse("bulletin-print", args=[b.pk]) in public


def test_drafts_have_no_qr_code_or_sheet(client, users, clock):
    draft = bulletin(users, publish=False)
    assert client.get(reverse("bulletin-qr", args=[draft.pk])).status_code == 404
    assert client.get(reverse("bulletin-print", args=[draft.pk])).status_code == 404
