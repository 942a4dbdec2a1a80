from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from youlin.cases.tests.factories import Clock
from youlin.parties.models import Organisation
from youlin.places.models import Community
from youlin.volunteers import services

BEIJING = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 27, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def users(demo_user):
    from django.contrib.auth import get_user_model

    class Users:
        def __getattr__(self, name):
            try:
                return demo_user(name)
            except get_user_model().DoesNotExist:
                raise AttributeError(name) from None

    return Users()


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    c = Clock(START - timedelta(days=2))
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def activity_factory(users):
    def make(capacity=3, **extra):
        community = Community.objects.get(name="阜外东社区")
        values = {
            "title": "垃圾分类宣传实践活动",
            "starts_at": START + timedelta(hours=5),
            "ends_at": START + timedelta(hours=7, minutes=30),
            "place": "阜外东社区新时代文明实践站",
            "team": Organisation.objects.get(name="红墙小先锋志愿服务队"),
            "partner_unit": Organisation.objects.get(name="阜成门外第一小学"),
        }
        values.update(extra)
        return services.activity_create(actor=users.fwd_staff, community=community, capacity=capacity, **values)

    return make
