import pytest
from django.urls import reverse

from youlin.accounts.tests.factories import UserFactory
from youlin.notifications.models import Notification
from youlin.notifications.selectors import unread_count
from youlin.notifications.services import notifications_mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return UserFactory(email="a@example.org"), UserFactory()


def test_notify_skips_the_actor_and_duplicates(people, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core import mail

    a, b = people
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[a, a, b], title="案件已派遣", body="SPK001", url="/x", exclude=b)
    assert [n.recipient for n in created] == [a]
    assert unread_count(a) == 1 and unread_count(b) == 0
    assert len(mail.outbox) == 1 and "案件已派遣" in mail.outbox[0].subject


def test_bell_and_inbox(client, people):
    a, _b = people
    notify(recipients=[a], title="第一条")
    client.force_login(a)
    assert 'data-testid="unread-count">1<' in client.get(reverse("notifications:bell")).content.decode()
    assert "第一条" in client.get(reverse("notifications:inbox")).content.decode()
    client.post(reverse("notifications:mark-read"))
    assert unread_count(a) == 0
    assert "unread-count" not in client.get(reverse("notifications:bell")).content.decode()


def test_inbox_shows_only_own(client, people):
    a, b = people
    notify(recipients=[b], title="别人的通知")
    client.force_login(a)
    assert "别人的通知" not in client.get(reverse("notifications:inbox")).content.decode()
    assert notifications_mark_read(actor=a) == 0
    assert Notification.objects.get().read_at is None


def test_inbox_query_count_is_fixed(client, people, django_assert_num_queries):
    a, _ = people
    client.force_login(a)
    notify(recipients=[a], title="x")
    client.get(reverse("notifications:inbox"))
    for i in range(40):
        notify(recipients=[a], title=f"n{i}")
    with django_assert_num_queries(4):  # session, user, jurisdiction (person), inbox page
        client.get(reverse("notifications:inbox"))
