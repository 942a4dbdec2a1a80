"""Concurrent sign-ups never overbook: PostgreSQL only (YOULIN_DATABASE_URL=postgres://…)."""

import threading

import pytest
from django.db import connection, connections

from youlin.parties import services as parties
from youlin.places.models import Community
from youlin.volunteers import services
from youlin.volunteers.errors import VolunteerError
from youlin.volunteers.models import Activity, SignUp

pytestmark = [
    pytest.mark.django_db(transaction=True),  # data migrations' rows come back through the demo fixture
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"),
]


def test_twenty_people_racing_for_five_places(users, activity_factory):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=1)
    activity = activity_factory(capacity=5, starts_at=start, ends_at=start + timedelta(hours=2))
    community = Community.objects.get(name="阜外东社区")
    people = [parties.person_ensure(name=f"志愿者{i}", community=community) for i in range(20)]
    staff = users.fwd_staff
    barrier = threading.Barrier(len(people))
    taken, full, other = [], [], []

    def worker(person):
        try:
            barrier.wait()
            taken.append(services.activity_signup(actor=staff, activity=activity, person=person))
        except VolunteerError as exc:
            (full if exc.code == "full" else other).append(exc)
        except Exception as exc:  # collected and asserted on below
            other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert (len(taken), len(full)) == (5, 15)
    assert Activity.objects.get(pk=activity.pk).signed_up_count == 5
    assert SignUp.objects.filter(activity=activity).count() == 5
