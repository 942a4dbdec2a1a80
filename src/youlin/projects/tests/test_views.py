"""Project pages: who sees what (404 for the others), the review buttons, and a pinned list query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from youlin.projects.tests.test_services import applied, surveyed

pytestmark = pytest.mark.django_db


def status(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


def test_who_sees_a_project(client, users, clock):
    project = applied(users)
    url = reverse("projects:detail", args=[project.pk])
    assert status(client, users.spk_staff, url) == 200
    assert status(client, users.gw_officer, url) == 200
    for outsider in (users.zl_officer, users.fwd_staff, users.builder, users.spk_resident):
        assert status(client, outsider, url) == 404
    assert client.post(reverse("projects:act", args=[project.pk, "review"]), {"decision": "approve"}).status_code == 404


def test_residents_see_it_once_approved_and_the_contractor_once_chosen(client, users, clock):
    project = surveyed(users, clock)
    url = reverse("projects:detail", args=[project.pk])
    assert status(client, users.builder, url) == 200
    client.force_login(users.spk_resident)
    page = client.get(url).content.decode()
    assert project.title in page and 'data-testid="plan-version"' not in page  # the public view
    assert status(client, users.fwd_captain, url) == 404


def test_only_the_sub_district_gets_the_review_buttons_and_can_use_them(client, users, clock):
    project = applied(users)
    url = reverse("projects:detail", args=[project.pk])
    act = reverse("projects:act", args=[project.pk, "review"])
    client.force_login(users.spk_staff)
    assert 'data-testid="review-form"' not in client.get(url).content.decode()
    client.post(act, {"decision": "approve", "expected_version": project.version})
    project.refresh_from_db()
    assert project.status == "applied"
    client.force_login(users.gw_officer)
    assert 'data-testid="review-form"' in client.get(url).content.decode()
    client.post(act, {"decision": "approve", "expected_version": project.version})
    project.refresh_from_db()
    assert project.status == "approved"


def test_the_project_list_makes_a_fixed_number_of_queries(client, users, clock):
    applied(users)
    client.force_login(users.gw_officer)
    url = reverse("projects:list")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count('data-testid="project-row"')

    queries, rows = count()
    assert rows == 1
    from youlin.deliberation.tests.factories import paving_case
    from youlin.projects import services

    for n in range(3):
        services.project_apply(
            actor=users.spk_staff, cases_=[paving_case(users)], title=f"项目{n}", scope="s", plan="p", budget=1
        )
    assert count() == (queries, 4)
