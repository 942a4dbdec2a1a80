"""factory_boy factories for accounts: a few rows for tests that do not need the whole demo."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

PASSWORD = "a-test-Passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    """A login (not a demo account) with ``PASSWORD``: ``UserFactory()``, ``UserFactory(username="alice")``."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)
