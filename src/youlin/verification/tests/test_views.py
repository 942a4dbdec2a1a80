"""Asking for a code through the page: the per-client limit counts the client's own address, behind a proxy too."""

import pytest
from django.urls import reverse

from youlin.verification.models import PhoneCode

pytestmark = pytest.mark.django_db


def test_codes_asked_behind_the_proxy_count_per_client_not_per_proxy(client, outbox, clock, settings):
    settings.YOULIN_PROXY_HOPS = 1  # nginx in front: the client is the entry it appended
    settings.YOULIN_SMS_PER_CLIENT_HOUR = 1

    def ask(phone, forwarded):
        return client.post(
            reverse("verification:code-send"),
            {"phone": phone, "next": "/"},
            REMOTE_ADDR="127.0.0.1",
            headers={"X-Forwarded-For": forwarded},
        )

    ask("13800001234", "forged, 203.0.113.7")
    ask("13900002222", "203.0.113.7")  # the same client again: over its limit
    ask("13700003333", "198.51.100.2")  # another client behind the same proxy
    assert PhoneCode.objects.count() == 2
    assert [m.phone for m in outbox] == ["13800001234", "13700003333"]
