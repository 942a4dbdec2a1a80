"""Login throttling (``accounts.throttle``, django-axes): wrong passwords lock the account at that address, an
address has its own higher limit (offices share one address), a locked login is refused even with the right
password and gets a page that says what to do, and an administrator can unlock it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from youlin.demo.loader import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.YOULIN_LOGIN_FAILURE_LIMITS = [5, 12]
    settings.AXES_FAILURE_LIMIT = 5


def login(client, username, password, address="10.0.0.1", language=None, forwarded=None):
    headers = {"Accept-Language": language} if language else {}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(client, demo):
    for _n in range(40):
        login(client, "spk_staff", "wrong")
    response = login(client, "spk_staff", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page and "系统管理员" in page
    assert int(response["Retry-After"]) == 15 * 60


def test_the_limit_is_per_account_at_an_address(client, demo):
    for _n in range(4):
        assert login(client, "spk_staff", "wrong").status_code == 200  # the form again, with its error
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 302  # four mistakes are not yet a lock
    client.logout()
    for _n in range(5):
        login(client, "spk_staff", "wrong")
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 429
    # A colleague behind the same office address, and the same account from elsewhere, still log in.
    assert login(client, "spk_grid", DEMO_PASSWORD).status_code == 302
    client.logout()
    assert login(client, "spk_staff", DEMO_PASSWORD, address="10.0.0.2").status_code == 302


def test_an_address_has_its_own_higher_limit(client, demo):
    for n in range(12):
        login(client, f"guess{n}", "wrong")  # one try each at many accounts: no account reaches its limit
    assert login(client, "spk_grid", DEMO_PASSWORD).status_code == 429
    assert login(client, "spk_grid", DEMO_PASSWORD, address="10.0.0.9").status_code == 302


def test_locked_out_page_in_english(client, demo):
    for _n in range(5):
        login(client, "spk_staff", "wrong")
    response = login(client, "spk_staff", DEMO_PASSWORD, language="en")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()


def test_an_administrator_unlocks_with_the_command(client, demo):
    for _n in range(5):
        login(client, "spk_staff", "wrong")
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_username", "spk_staff")
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, demo, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _n in range(5):
        login(client, "spk_staff", "wrong")
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, "spk_staff", DEMO_PASSWORD).status_code == 302


def test_the_admin_lists_the_attempts_for_unlocking(client, demo, users):
    for _n in range(5):
        login(client, "spk_staff", "wrong")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-Very-long-pass-1")
    client.force_login(admin)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200 and "spk_staff" in response.content.decode()


def test_behind_the_proxy_each_client_address_counts_not_the_proxys(client, demo, settings):
    # nginx in front (README, "Deployment"): every request comes from the proxy's address, and the client's is the
    # last X-Forwarded-For entry. Counting the proxy's address would lock every office out after one guesser.
    settings.YOULIN_PROXY_HOPS = 1
    for n in range(12):
        login(client, f"guess{n}", "wrong", address="127.0.0.1", forwarded="forged, 203.0.113.7")
    assert login(client, "spk_grid", DEMO_PASSWORD, address="127.0.0.1", forwarded="203.0.113.7").status_code == 429
    # Another client behind the same proxy still logs in; a forged first entry changes nothing.
    response = login(client, "spk_grid", DEMO_PASSWORD, address="127.0.0.1", forwarded="203.0.113.7, 198.51.100.2")
    assert response.status_code == 302 and logged_in(client)


def test_a_login_without_an_address_is_recorded_without_one(client, demo, users, settings):
    # force_login (and any login built in code) has no REMOTE_ADDR; a forged proxy header is not an address.
    from axes.models import AccessLog

    client.force_login(users.spk_staff)
    settings.YOULIN_PROXY_HOPS = 1
    login(client, "spk_grid", "wrong", forwarded="not-an-address")
    assert AccessLog.objects.filter(username="spk_staff", ip_address=None).exists()
