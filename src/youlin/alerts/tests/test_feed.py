"""The community's Atom feed, read back with feedparser as a feed reader would: valid Atom, new cases without
personal data, notices, completed projects and bulletins; advertised on the public community page."""

from datetime import date

import feedparser
import pytest
from django.urls import reverse

from youlin.cases.tests.factories import register, spk

pytestmark = pytest.mark.django_db


def read(client, slug):
    response = client.get(reverse("community-feed", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, feedparser.parse(response.content)


def test_the_feed_is_valid_atom_without_personal_data(client, users, clock):
    from youlin.dashboards import services as dashboards

    case = register(
        users.spk_staff,
        channel="resident",
        reporter_name="钱阿姨",
        reporter_phone="13912345678",
        description="我家502门口堆了旧家具",
        address="甲楼3单元502",
    )
    clock.advance(hours=1)
    bulletin = dashboards.bulletin_draft(
        actor=users.spk_staff,
        title="走社区·看新貌",
        start_day=date(2026, 1, 1),
        end_day=clock.now.date(),
        communities=[spk()],
    )
    dashboards.bulletin_publish(actor=users.spk_staff, bulletin=bulletin, expected_version=bulletin.version)
    response, feed = read(client, spk().slug)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "手帕口南街社区动态"
    assert feed.feed.link.endswith(reverse("community-public", args=[spk().slug]))
    titles = [e.title for e in feed.entries]
    assert titles[0] == "简报：走社区·看新貌"  # newest first
    entry = feed.entries[1]
    assert entry.title == "新的诉求：楼道堆物 · 手帕口南街36号院甲楼"
    assert entry.link.endswith(reverse("cases:detail", args=[case.number]))
    assert entry.id and entry.updated_parsed and entry.tags[0].term == "case"
    text = response.content.decode()
    for private in ("钱阿姨", "13912345678", "502", "我家"):
        assert private not in text


def test_the_feed_in_english_and_for_an_unknown_community(client, users):
    register(users.spk_grid)
    response = client.get(reverse("community-feed", args=[spk().slug]), HTTP_ACCEPT_LANGUAGE="en")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert "Clutter in stairwells" in feed.entries[0].title
    assert client.get(reverse("community-feed", args=["no-such-place"])).status_code == 404


def test_completed_projects_and_notices_are_in_the_feed(client, users, clock):
    from youlin.deliberation import services as deliberation
    from youlin.deliberation.tests.test_services import adopted

    m, _resolution, _junk = adopted(users)
    notice = deliberation.notice_publish(actor=users.spk_staff, meeting=m, days=5)
    _response, feed = read(client, spk().slug)
    entries = {e.title: e for e in feed.entries}
    assert f"公示：{notice.title}" in entries
    assert entries[f"公示：{notice.title}"].link.endswith(reverse("deliberation:notice", args=[notice.pk]))


def test_the_public_page_advertises_the_feed_and_the_subscription(client, users):
    html = client.get(reverse("community-public", args=[spk().slug])).content.decode()
    feed_url = reverse("community-feed", args=[spk().slug])
    assert f'<link rel="alternate" type="application/atom+xml" title="手帕口南街社区动态" href="{feed_url}">' in html
    assert reverse("alerts:subscribe", args=[spk().slug]) in html


def test_a_completed_project_links_to_its_public_page(client, users, clock):
    from youlin.projects.tests.test_public import accepted

    project = accepted(users, clock)
    _response, feed = read(client, project.community.slug)
    entry = next(e for e in feed.entries if project.title in e.title)
    path = reverse("project-public", args=[project.community.slug, project.pk])
    assert entry.link.endswith(path)
    assert client.get(path).status_code == 200  # anonymous readers of the feed can open it
