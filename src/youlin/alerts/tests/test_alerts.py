"""Area alerts: subscribing to a community or grid with or without an account, the confirmation link, the
unsubscribe link in every e-mail, and the sweep that delivers what is new (once)."""

from datetime import date

import pytest
from django.urls import reverse

from youlin.alerts import services
from youlin.alerts.models import Subscription
from youlin.alerts.services import AlertError
from youlin.alerts.tasks import send_area_alerts
from youlin.cases.tests.factories import jia_point, register, spk
from youlin.notifications.models import Notification
from youlin.places.models import Grid
from youlin.scheduling import periodic

pytestmark = pytest.mark.django_db


def sweep(clock, minutes=15):
    """Let time pass past the sweep's settling minute, then sweep."""
    clock.advance(minutes=minutes)
    return services.alerts_send()


def publish_bulletin(users, clock):
    from youlin.dashboards import services as dashboards

    bulletin = dashboards.bulletin_draft(
        actor=users.spk_staff,
        title="走社区·看新貌",
        start_day=date(2026, 1, 1),
        end_day=clock.now.date(),
        communities=[spk()],
    )
    return dashboards.bulletin_publish(actor=users.spk_staff, bulletin=bulletin, expected_version=bulletin.version)


def test_the_sweep_is_registered_every_ten_minutes():
    assert periodic.Periodic("youlin.alerts.tasks.send_area_alerts", 600) in periodic.discover()


def test_without_an_account_the_address_is_confirmed_first(
    client, users, clock, mailoutbox, django_capture_on_commit_callbacks
):
    community = spk()
    page = client.get(reverse("alerts:subscribe", args=[community.slug]))
    assert page.status_code == 200 and 'name="email"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation goes out once the row is saved
        response = client.post(
            reverse("alerts:subscribe", args=[community.slug]),
            {"email": "Neighbour@Example.com", "topics": ["cases", "notices", "bulletins"]},
        )
    assert response.status_code == 200 and 'data-testid="check-mail"' in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.email == "neighbour@example.com" and not subscription.is_confirmed
    (confirmation,) = mailoutbox
    confirm = reverse("alerts:confirm", args=[subscription.token])
    unsubscribe = reverse("alerts:unsubscribe", args=[subscription.token])
    assert confirm in confirmation.body and unsubscribe in confirmation.body
    assert confirmation.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    # Nothing is sent to an unconfirmed address.
    register(users.spk_grid)
    assert sweep(clock) == 0 and len(mailoutbox) == 1
    # Opening the link asks; the button confirms (a mail scanner opening links confirms nothing).
    assert client.get(confirm).status_code == 200
    subscription.refresh_from_db()
    assert not subscription.is_confirmed
    assert 'data-testid="confirmed"' in client.post(confirm).content.decode()
    subscription.refresh_from_db()
    assert subscription.is_confirmed
    # Only what is new from now on.
    assert sweep(clock) == 0
    case = register(users.spk_grid, reporter_name="钱阿姨", reporter_phone="13912345678", description="我家门口堆物")
    assert sweep(clock) == 1
    alert = mailoutbox[-1]
    assert alert.to == ["neighbour@example.com"]
    assert case.number in alert.body and "楼道堆物" in alert.body and "手帕口南街36号院甲楼" in alert.body
    assert "钱阿姨" not in alert.body and "13912345678" not in alert.body and "我家门口" not in alert.body
    assert unsubscribe in alert.body and alert.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sweep(clock) == 0 and len(mailoutbox) == 2  # nothing twice


def test_the_unsubscribe_link_works_from_the_page_and_in_one_click(client, users, clock):
    community = spk()
    first, _sent = services.subscription_create(actor=None, community=community, email="a@example.com")
    second, _sent = services.subscription_create(actor=None, community=community, email="b@example.com")
    url = reverse("alerts:unsubscribe", args=[first.token])
    assert client.get(url).status_code == 200 and Subscription.objects.filter(pk=first.pk).exists()
    assert 'data-testid="unsubscribed"' in client.post(url).content.decode()
    assert not Subscription.objects.filter(pk=first.pk).exists()
    # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" (no CSRF token: the link's key is the token).
    csrf_client = type(client)(enforce_csrf_checks=True)
    one_click = csrf_client.post(reverse("alerts:unsubscribe", args=[second.token]), {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 204 and not Subscription.objects.exists()
    assert client.get(url).status_code == 404  # a used or made-up link finds nothing
    assert client.get(reverse("alerts:confirm", args=["x" * 43])).status_code == 404


def test_tokens_are_long_random_and_distinct(users):
    community = spk()
    rows = [
        services.subscription_create(actor=None, community=community, email=f"n{i}@example.com")[0] for i in range(20)
    ]
    tokens = {s.token for s in rows}
    assert len(tokens) == 20 and all(len(t) >= 43 for t in tokens)  # 32 random bytes, URL-safe


def test_confirmation_is_not_resent_more_often_than_every_ten_minutes(
    users, clock, mailoutbox, django_capture_on_commit_callbacks
):
    community = spk()

    def subscribe():
        with django_capture_on_commit_callbacks(execute=True):
            return services.subscription_create(actor=None, community=community, email="a@example.com")[1]

    assert subscribe() and len(mailoutbox) == 1
    assert not subscribe() and len(mailoutbox) == 1
    clock.advance(minutes=11)
    assert subscribe() and len(mailoutbox) == 2
    assert Subscription.objects.count() == 1


def test_bad_input_is_refused_with_a_reason(client, users):
    community = spk()
    other = Grid.objects.exclude(community=community).first()
    with pytest.raises(AlertError) as caught:
        services.subscription_create(actor=None, community=community, email="not-an-address")
    assert caught.value.field == "email"
    with pytest.raises(AlertError) as caught:
        services.subscription_create(actor=users.spk_resident, community=community, topics=set())
    assert caught.value.field == "topics"
    with pytest.raises(AlertError) as caught:
        services.subscription_create(actor=users.spk_resident, community=community, grid=other)
    assert caught.value.field == "grid"
    response = client.post(reverse("alerts:subscribe", args=[community.slug]), {"topics": ["cases"]})
    assert response.status_code == 400 and "请填写接收提醒的邮箱" in response.content.decode()


def test_with_an_account_alerts_are_notifications_as_the_person_chose(client, users, clock, mailoutbox):
    community = spk()
    client.force_login(users.spk_resident)
    response = client.post(reverse("alerts:subscribe", args=[community.slug]), {"topics": ["cases", "bulletins"]})
    assert response.status_code == 302 and response["Location"] == reverse("alerts:mine")
    subscription = Subscription.objects.get(user=users.spk_resident)
    assert subscription.is_confirmed and not subscription.notices and mailoutbox == []
    assert community.name in client.get(reverse("alerts:mine")).content.decode()
    clock.advance(minutes=1)
    case = register(users.spk_grid)
    clock.advance(minutes=1)
    bulletin = publish_bulletin(users, clock)
    assert sweep(clock) == 2
    told = Notification.objects.filter(recipient=users.spk_resident, event="area_alert").order_by("pk")
    assert [n.url for n in told] == [
        reverse("cases:detail", args=[case.number]),
        reverse("bulletin-public", args=[bulletin.pk]),
    ]
    assert sweep(clock) == 0
    client.post(reverse("alerts:cancel", args=[subscription.pk]))
    assert not Subscription.objects.exists()


def test_a_grid_subscription_gets_the_cases_of_its_grid_only(users, clock):
    case = register(users.spk_grid)
    grid = case.grid
    assert grid is not None
    services.subscription_create(actor=users.spk_resident, community=spk(), grid=grid, topics={"cases"})
    other = Grid.objects.filter(community=spk()).exclude(pk=grid.pk).first()
    services.subscription_create(actor=users.spk_captain, community=spk(), grid=other, topics={"cases"})
    clock.advance(minutes=1)
    inside = register(users.spk_grid, point=jia_point())
    assert sweep(clock) == 1
    assert Notification.objects.filter(recipient=users.spk_resident, event="area_alert", url__contains=inside.number)
    assert not Notification.objects.filter(recipient=users.spk_captain, event="area_alert").exists()


def test_notices_reach_subscribers(users, clock, mailoutbox):
    from youlin.deliberation import services as deliberation
    from youlin.deliberation.tests.test_services import adopted

    subscription, _sent = services.subscription_create(
        actor=None, community=spk(), email="a@example.com", topics={"notices"}
    )
    services.subscription_confirm(token=subscription.token)
    clock.advance(minutes=1)
    m, _resolution, _junk = adopted(users)
    notice = deliberation.notice_publish(actor=users.spk_staff, meeting=m, days=5)
    assert sweep(clock) == 1
    assert notice.title in mailoutbox[-1].body
    assert reverse("deliberation:notice", args=[notice.pk]) in mailoutbox[-1].body


def test_the_sweep_task_runs_the_service(users, clock):
    services.subscription_create(actor=users.spk_resident, community=spk(), topics={"cases"})
    clock.advance(minutes=1)
    register(users.spk_grid)
    clock.advance(minutes=5)
    assert send_area_alerts.call() == 1


def test_the_subscription_waits_a_settling_minute(users, clock):
    services.subscription_create(actor=users.spk_resident, community=spk(), topics={"cases"})
    clock.advance(seconds=5)
    register(users.spk_grid)
    assert services.alerts_send() == 0  # registered less than a minute ago: the next sweep takes it
    clock.advance(minutes=2)
    assert services.alerts_send() == 1
