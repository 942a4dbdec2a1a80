from datetime import datetime, timedelta

import pytest

from youlin.parties.models import Organisation
from youlin.places.models import Community
from youlin.testing import BEIJING
from youlin.volunteers import services

START = datetime(2026, 11, 27, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def clock_start():
    """``clock`` starts two days before the activities."""
    return START - timedelta(days=2)


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
