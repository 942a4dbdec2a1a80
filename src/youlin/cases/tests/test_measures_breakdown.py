"""``case_measures_breakdown`` (one query) answers what ``case_measures`` and the two grouped counts answered."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youlin.cases.models import Case, Status
from youlin.cases.selectors import case_measures, case_measures_breakdown

pytestmark = pytest.mark.django_db


def test_the_breakdown_matches_the_separate_queries(demo_cases, django_assert_num_queries):
    end = timezone.now() + timedelta(days=1)
    start = end - timedelta(days=365)
    cases = Case.objects.all()
    with django_assert_num_queries(1):
        found = case_measures_breakdown(start=start, end=end, cases=cases)
    assert found.measures == case_measures(start=start, end=end, cases=cases)
    assert found.measures.registered_count > 0
    counted = cases.filter(registered_at__gte=start, registered_at__lt=end).exclude(
        status__in=[Status.VOIDED, Status.MERGED]
    )
    assert found.registered_by_category == dict(counted.values_list("category").annotate(n=Count("id")).order_by())
    tz = timezone.get_current_timezone()
    by_month = {}
    for m, n in counted.annotate(m=TruncMonth("registered_at", tzinfo=tz)).values_list("m").annotate(n=Count("id")):
        key = (m.astimezone(tz) if timezone.is_aware(m) else m).strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + n
    assert found.registered_by_month == by_month
