"""The demo's year of history: through the real services, deterministic, loaded once, consistent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from youlin.cases.models import Case, CaseEvent, EventKind, FollowUpVisit, Status
from youlin.demo.history import load_demo_history

pytestmark = pytest.mark.django_db


def test_a_few_weeks_of_history_are_consistent_deterministic_and_loaded_once(demo):
    before = timezone.now()
    written = load_demo_history(days=40, per_day=1.0)
    assert timezone.now() - before < timedelta(minutes=5)  # the real clock is back
    cases = Case.objects.filter(hotline_number__startswith="12345-H-") | Case.objects.filter(
        registered_at__lt=timezone.now() - timedelta(hours=1)
    )
    assert written == cases.count() > 60
    assert {c for (c,) in cases.values_list("channel").distinct()} >= {"hotline", "patrol", "resident"}
    # What the timeline says is what the case says.
    closed = cases.filter(status__in=[Status.CLOSED, Status.EVALUATED])
    assert closed.exists()
    assert not closed.exclude(pk__in=CaseEvent.objects.filter(kind=EventKind.CLOSED).values("case")).exists()
    evaluated = cases.filter(status=Status.EVALUATED)
    assert not evaluated.exclude(pk__in=FollowUpVisit.objects.filter(reached=True).values("case")).exists()
    assert FollowUpVisit.objects.filter(reached=False).exists()  # some calls were not answered
    assert cases.filter(supervision_level__gt=0).exists()  # and some cases ran late and were escalated
    assert all(c.registered_at <= c.updated_at for c in cases)
    signature = sorted(cases.values_list("number", "category__code", "status"))
    assert load_demo_history(days=40, per_day=1.0) == 0  # loaded once
    assert sorted(cases.values_list("number", "category__code", "status")) == signature
