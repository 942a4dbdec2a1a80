"""Notification preferences (per kind: the bell, an e-mail at once, the daily digest, or nothing) and the daily
digest the worker sends once a day."""

from datetime import datetime

import pytest
from django.urls import reverse

from youlin.accounts.tests.factories import UserFactory
from youlin.notifications import events
from youlin.notifications.models import EmailMode, Notification, NotificationDigest, NotificationPreference
from youlin.notifications.selectors import inbox, unread_count
from youlin.notifications.services import PreferenceError, notification_preferences_set, notify
from youlin.notifications.tasks import send_daily_digests
from youlin.scheduling import periodic
from youlin.testing import BEIJING

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_start():
    """Early morning, before the digest hour (07:00 Beijing time by default)."""
    return datetime(2026, 11, 27, 5, 0, tzinfo=BEIJING)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_no_choice_means_the_bell_and_an_email_at_once(immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    a = UserFactory(email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify(recipients=[a], title="案件已派遣", event=events.CASE_PROGRESS)
    assert n.in_app and not n.digest and n.event == "case_progress"
    assert unread_count(a) == 1 and len(mailoutbox) == 1


def test_each_kind_goes_where_the_person_chose(immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    a = UserFactory(email="a@example.org")
    notification_preferences_set(
        actor=a,
        choices={
            events.CASE_PROGRESS: (False, EmailMode.INSTANT),  # e-mail only
            events.CASE_UPDATE: (True, EmailMode.NONE),  # the bell only
            events.AREA_ALERT: (True, EmailMode.DIGEST),  # the bell, and e-mail once a day
            events.MEETING: (False, EmailMode.NONE),  # nothing at all
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        progress = notify(recipients=[a], title="进展", event=events.CASE_PROGRESS)
        update = notify(recipients=[a], title="留言", event=events.CASE_UPDATE)
        alert = notify(recipients=[a], title="新诉求", event=events.AREA_ALERT)
        meeting = notify(recipients=[a], title="开会", event=events.MEETING)
        general = notify(recipients=[a], title="其他", event="no-such-kind")
    assert meeting == []
    assert not progress[0].in_app and update[0].in_app and alert[0].digest and general[0].event == "general"
    assert [m.subject for m in mailoutbox] == ["[友邻] 进展", "[友邻] 其他"]
    assert {n.title for n in inbox(a)} == {"留言", "新诉求", "其他"}
    assert unread_count(a) == 3


def test_without_an_address_nothing_is_mailed_or_kept_for_a_digest():
    b = UserFactory(email="")
    notification_preferences_set(actor=b, choices={events.AREA_ALERT: (True, EmailMode.DIGEST)})
    (n,) = notify(recipients=[b], title="新诉求", event=events.AREA_ALERT)
    assert n.in_app and not n.digest


def test_the_preferences_page(client):
    a = UserFactory(email="a@example.org")
    client.force_login(a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "订阅的社区、网格动态" in page and 'name="area_alert-email"' in page
    assert reverse("notifications:preferences") in client.get(reverse("notifications:inbox")).content.decode()
    form = {f"{event}-email": EmailMode.INSTANT for event in events.EVENTS}
    form |= {f"{event}-in_app": "on" for event in events.EVENTS}
    form["area_alert-email"] = EmailMode.DIGEST
    del form["meeting-in_app"]
    response = client.post(reverse("notifications:preferences"), form)
    assert response.status_code == 302
    chosen = {p.event: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=a)}
    assert chosen["area_alert"] == (True, "digest") and chosen["meeting"] == (False, "instant")
    assert len(chosen) == len(events.EVENTS)
    form["area_alert-email"] = "every-minute"
    client.post(reverse("notifications:preferences"), form)
    assert NotificationPreference.objects.get(user=a, event="area_alert").email == "digest"
    with pytest.raises(PreferenceError):
        notification_preferences_set(actor=a, choices={"nonsense": (True, "none")})


def test_the_digest_goes_out_once_a_day_from_the_digest_hour(clock, mailoutbox):
    a = UserFactory(email="a@example.org")
    b = UserFactory(email="b@example.org")
    for user in (a, b):
        notification_preferences_set(actor=user, choices={events.AREA_ALERT: (True, EmailMode.DIGEST)})
    notify(recipients=[a, b], title="新的诉求：楼道堆物", url="/cases/SPK1/", event=events.AREA_ALERT)
    notify(recipients=[a], title="简报：走社区·看新貌", url="/bulletin/1/", event=events.AREA_ALERT)
    assert mailoutbox == []
    assert send_daily_digests.call() == 0  # 05:00: not yet
    clock.advance(hours=3)
    assert send_daily_digests.call() == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "2 条通知" in by_address["a@example.org"].subject
    body = by_address["a@example.org"].body
    assert "新的诉求：楼道堆物" in body and "简报：走社区·看新貌" in body
    assert "http://127.0.0.1:8000/cases/SPK1/" in body and reverse("notifications:preferences") in body
    assert not Notification.objects.filter(digest=True, digested_at__isnull=True).exists()
    assert send_daily_digests.call() == 0  # once a day
    notify(recipients=[a], title="又一条", event=events.AREA_ALERT)
    clock.advance(hours=2)
    assert send_daily_digests.call() == 0  # today's went out: this one waits for tomorrow
    clock.advance(days=1)
    assert send_daily_digests.call() == 1 and "又一条" in mailoutbox[-1].body
    assert NotificationDigest.objects.filter(user=a).count() == 2


def test_the_digest_is_registered_hourly():
    assert periodic.Periodic("youlin.notifications.tasks.send_daily_digests", 3600) in periodic.discover()
