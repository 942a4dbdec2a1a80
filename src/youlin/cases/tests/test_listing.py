"""The case list's keyset cursor: every case once, newest first, across pages, times shared by several cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from youlin.cases.listing import case_search
from youlin.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_cursor_walks_every_case_once_in_order_with_shared_times(demo_cases, django_user_model):
    templates = list(Case.objects.all())
    at = timezone.now().replace(microsecond=0) - timedelta(days=3)
    copies = []
    for i in range(23):
        copy = Case.objects.get(pk=templates[i % len(templates)].pk)
        copy.pk, copy.number, copy.tracking_token, copy.hotline_number = None, f"K-{i:03d}", f"k-{i}", ""
        # Runs of five cases registered at the same instant: a page can end inside a run.
        copy.registered_at = at - timedelta(minutes=i // 5)
        copies.append(copy)
    Case.objects.bulk_create(copies)
    user = django_user_model.objects.create_superuser("lister", password="x")
    expected = list(Case.objects.order_by("-registered_at", "-id").values_list("pk", flat=True))
    for limit in (1, 3, 4, 7):
        seen, cursor = [], None
        while True:
            page = case_search(user, {}, cursor=cursor, limit=limit)
            seen += [c.pk for c in page.rows]
            assert len(page.rows) <= limit
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected
