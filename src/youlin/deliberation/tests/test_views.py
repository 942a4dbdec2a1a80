"""Meeting pages: foreign rows answer 404, lists make a fixed number of queries, steps go through services."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from youlin.deliberation import services
from youlin.deliberation.models import Meeting, Vote
from youlin.deliberation.tests import factories as f

pytestmark = pytest.mark.django_db


def decided(users):
    paving, junk = f.paving_case(users), f.junk_case(users)
    m = f.meeting(users, cases=[paving, junk])
    (wall,) = f.proposals(users, m, "拆墙")
    m.refresh_from_db()
    resolution = services.decision_record(
        actor=users.spk_staff, item=m.agenda_items.get(), expected_version=m.version, method="consensus", proposal=wall
    )
    return m, resolution, junk


def test_foreign_meetings_notices_and_tasks_are_404(client, users):
    m, resolution, junk = decided(users)
    item = services.action_item_add(
        actor=users.spk_staff,
        resolution=resolution,
        title="张贴通知",
        due_on=date(2026, 3, 6),
        assignee_organisation=f.org("天岳恒物业"),
        case=junk,
    )
    notice = services.notice_publish(actor=users.spk_staff, meeting=m)
    client.force_login(users.fwd_staff)  # another community's staff
    for url in (
        reverse("deliberation:detail", args=[m.pk]),
        reverse("deliberation:new-from-case", args=[junk.number]),
        reverse("deliberation:detail", args=[999999]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("deliberation:act", args=[m.pk, "close"]), {"close-minutes": "x"}).status_code == 404
    assert client.post(reverse("deliberation:action-item-complete", args=[item.pk]), {"note": "x"}).status_code == 404
    assert client.get(reverse("deliberation:notice", args=[notice.pk])).status_code == 200  # a notice is public
    # A resident of the community sees the notice but not the meeting she was not invited to.
    client.force_login(users.spk_resident)
    m2 = services.meeting_create(
        actor=users.spk_staff,
        community=m.community,
        title="另一个会",
        kind="coordination",
        starts_at=m.starts_at,
        place="x",
    )
    assert client.get(reverse("deliberation:detail", args=[m2.pk])).status_code == 404
    assert client.get(reverse("deliberation:detail", args=[m.pk])).status_code == 200  # invited
    assert client.get(reverse("deliberation:notice", args=[notice.pk])).status_code == 200


def test_an_invitee_without_a_vote_gets_no_ballot_and_cannot_post_one(client, users):
    m = f.meeting(users)
    f.sign_in_all(users, m)
    (wall,) = f.proposals(users, m, "拆墙")
    client.force_login(users.tyh_property)
    page = client.get(reverse("deliberation:detail", args=[m.pk])).content.decode()
    assert "拆墙" in page and 'data-testid="vote-for"' not in page
    client.post(reverse("deliberation:act", args=[m.pk, "vote"]), {"proposal": wall.pk, "choice": "for"})
    assert not Vote.objects.exists()
    client.force_login(users.spk_committee)
    assert 'data-testid="vote-for"' in client.get(reverse("deliberation:detail", args=[m.pk])).content.decode()
    client.post(reverse("deliberation:act", args=[m.pk, "vote"]), {"proposal": wall.pk, "choice": "for"})
    assert Vote.objects.get().voter == f.person("spk_committee")


def test_convening_from_a_case_through_the_page(client, users):
    paving = f.paving_case(users)
    client.force_login(users.spk_staff)
    page = client.get(reverse("deliberation:new-from-case", args=[paving.number]))
    assert page.status_code == 200 and paving.number in page.content.decode()
    oc = f.org("手帕口南街36号院业主委员会")
    response = client.post(
        reverse("deliberation:new-from-case", args=[paving.number]),
        {
            "title": "",
            "kind": "deliberation",
            "starts_at": "2026-03-03T19:00",
            "place": "议事厅",
            "quorum_percent": 50,
            "pass_percent": 50,
            "extra_cases": "",
            f"org-{oc.pk}": "vote",
            f"person-{f.person('spk_resident').pk}": "invite",
        },
    )
    m = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deliberation:detail", args=[m.pk])
    assert m.source_case == paving and list(m.agenda_items.get().cases.all()) == [paving]
    assert {(str(i), i.can_vote) for i in m.invitations.all()} == {(oc.name, True), ("孙居民", False)}
    junk = f.junk_case(users)  # not flagged: back to the case
    assert client.get(reverse("deliberation:new-from-case", args=[junk.number])).status_code == 302


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_meeting_list_makes_a_fixed_number_of_queries_and_is_keyset_paginated(
    client, users, django_assert_num_queries
):
    client.force_login(users.spk_staff)
    url = reverse("deliberation:list")
    f.meeting(users)
    one = count_queries(client, url)
    for _ in range(4):
        f.meeting(users)
    assert count_queries(client, url) == one
    with django_assert_num_queries(one):
        client.get(url)
    from youlin.deliberation import selectors

    first = selectors.meeting_list(users.spk_staff, limit=3)
    second = selectors.meeting_list(users.spk_staff, cursor=first.next_cursor, limit=3)
    assert len(first.rows) == 3 and len(second.rows) == 2 and second.next_cursor is None
    assert not {m.pk for m in first.rows} & {m.pk for m in second.rows}


def test_the_meeting_page_and_my_tasks_make_a_fixed_number_of_queries(client, users):
    m, resolution, junk = decided(users)
    client.force_login(users.spk_staff)
    page = count_queries(client, reverse("deliberation:detail", args=[m.pk]))
    client.force_login(users.tyh_property)
    tasks = count_queries(client, reverse("deliberation:my-action-items"))
    for n in range(3):
        services.action_item_add(
            actor=users.spk_staff,
            resolution=resolution,
            title=f"任务{n}",
            due_on=date(2026, 3, 6 + n),
            assignee_organisation=f.org("天岳恒物业"),
            case=junk,
        )
    assert count_queries(client, reverse("deliberation:my-action-items")) == tasks
    client.force_login(users.spk_staff)
    assert count_queries(client, reverse("deliberation:detail", args=[m.pk])) == page
