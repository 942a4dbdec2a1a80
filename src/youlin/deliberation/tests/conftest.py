from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from youlin.cases.tests.factories import Clock


@pytest.fixture
def clock(monkeypatch):
    """Time stands still at 2026-03-02 09:00 Beijing time until the test moves it."""
    from django.utils import timezone

    c = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def users(demo_user):
    class Users:
        def __getattr__(self, name):
            return demo_user(name)

    return Users()
