"""Service hours read as people write them (21.6, not "21.6000000000000") on every page that shows them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from youlin.core.numbers import hours_text, hours_value
from youlin.volunteers import selectors, services
from youlin.volunteers.tests.test_services import pupils

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (Decimal("21.6000000000000"), "21.6"),  # SQLite's SUM of a decimal column
        (Decimal("21.60"), "21.6"),  # PostgreSQL's
        (Decimal("2.25"), "2.25"),
        (Decimal("3.00"), "3"),
        (Decimal("0E-10"), "0"),
        (None, "0"),
        (7.2, "7.2"),
    ],
)
def test_hours_text(raw, shown):
    assert hours_text(raw) == shown
    assert Template("{% load youlin %}{{ h|hours }}").render(Context({"h": raw})) == shown


def test_hours_value_is_to_the_hundredth():
    assert hours_value(Decimal("21.6000000000000")) == Decimal("21.60")
    assert str(hours_value(Decimal("1.005"))) == "1.01"


def _served_three_times(users, activity_factory):
    """Three sign-ups of 7.2 hours each: 21.6 hours for the team, a sum SQLite prints with 13 decimals."""
    from youlin.volunteers.tests.conftest import START

    people = pupils(users, 3)
    activity = activity_factory(capacity=5, ends_at=START + timedelta(hours=12, minutes=12))
    for person in people:
        s = services.activity_signup(actor=users.fwd_staff, activity=activity, person=person)
        s = services.activity_check_in(actor=users.fwd_staff, signup=s, now=activity.starts_at)
        services.activity_check_out(actor=users.fwd_staff, signup=s, now=activity.ends_at)
    return activity


def test_hours_pages_and_the_dashboard_show_plain_numbers(client, users, clock, activity_factory):
    _served_three_times(users, activity_factory)
    (team,) = selectors.hours_by_team(users.fwd_staff)
    assert team.hours == Decimal("21.60")
    client.force_login(users.fwd_staff)
    page = client.get(reverse("volunteers:hours")).content.decode()
    assert "<td>21.6</td>" in page and "<td>7.2</td>" in page
    assert "21.60000" not in page
    board = client.get(reverse("dashboards:dashboard"), {"start": "2026-01-01", "end": "2026-12-31"})
    html = board.content.decode()
    assert "<td>21.6</td>" in html and "21.60000" not in html


def test_bulletin_sentence_has_plain_hours(users, clock, activity_factory):
    from youlin.dashboards.selectors import Period
    from youlin.places.models import Community
    from youlin.volunteers.selectors import bulletin_sentences

    _served_three_times(users, activity_factory)
    community = Community.objects.get(name="阜外东社区")
    (sentence,) = bulletin_sentences(
        community, Period(clock.now.date() - timedelta(days=5), clock.now.date() + timedelta(days=5))
    )
    assert "服务时长 21.6 小时" in sentence
