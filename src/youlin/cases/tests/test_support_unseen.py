"""+1 on a case number one may not open answers exactly as on a number that does not exist: case numbers are
sequential, so any difference would let a caller list another community's cases. The +1 still counts (a nearby
duplicate offered on the report page may be another community's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from youlin.cases.models import Case
from youlin.cases.tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_case(demo_cases):
    """A case of 阜外东社区, which the resident of 手帕口南街社区 may not open."""
    return Case.objects.filter(community__slug="fuwai-dong").exclude(status__in=["voided", "merged"]).first()


def _missing_number(case: Case) -> str:
    return case.number[:-3] + "999"


def test_the_page_answers_a_foreign_case_as_a_missing_one(client, users, foreign_case):
    client.force_login(users.spk_resident)
    from django.contrib.messages import get_messages

    foreign = client.post(reverse("cases:support", args=[foreign_case.number]))
    said_foreign = [str(m) for m in get_messages(foreign.wsgi_request)]
    missing = client.post(reverse("cases:support", args=[_missing_number(foreign_case)]))
    said_missing = [str(m) for m in get_messages(missing.wsgi_request)]
    assert foreign.status_code == missing.status_code == 302
    assert foreign["Location"] == missing["Location"] == reverse("report")
    assert foreign.content == missing.content
    assert said_foreign and said_missing[-1] == said_foreign[-1]  # the same words (unread messages pile up)
    foreign_case.refresh_from_db()
    assert foreign_case.support_count == 1


def test_the_api_answers_a_foreign_case_as_a_missing_one(client, users, foreign_case):
    from youlin.api.services import token_create

    _row, raw = token_create(user=users.spk_resident, name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    foreign = client.post(f"/api/v1/cases/{foreign_case.number}/support", headers=headers)
    missing_number = _missing_number(foreign_case)
    missing = client.post(f"/api/v1/cases/{missing_number}/support", headers=headers)
    assert foreign.status_code == missing.status_code == 200
    assert foreign.content.replace(foreign_case.number.encode(), b"N") == missing.content.replace(
        missing_number.encode(), b"N"
    )
    assert foreign.json()["support_count"] is None


def test_a_case_one_sees_still_answers_with_its_count(client, users):
    case = register(users.spk_grid)
    client.force_login(users.spk_staff)
    response = client.post(reverse("cases:support", args=[case.number]))
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    case.refresh_from_db()
    assert case.support_count == 1
