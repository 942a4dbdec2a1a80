"""Real concurrency needs a real server: these run on PostgreSQL only (YOULIN_DATABASE_URL=postgres://…)."""

import threading

import pytest
from django.db import connection, connections

from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Case
from youlin.cases.tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),  # data migrations' rows come back through the demo fixture
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"),
]


def run_together(count, work):
    barrier = threading.Barrier(count)
    results, failures = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:  # collected and asserted on below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, failures


def test_concurrent_registrations_get_distinct_consecutive_numbers(users):
    grid = users.spk_grid
    point = f.jia_point()
    results, failures = run_together(8, lambda i: f.register(grid, point=point).number)
    assert failures == []
    assert len(set(results)) == 8
    assert sorted(int(n[-3:]) for n in results) == list(range(1, 9))


def test_concurrent_steps_on_one_version_let_exactly_one_win(users):
    case = f.register(users.spk_grid)
    staff = users.spk_staff

    def dispatch_or_void(i):
        if i % 2:
            return services.case_dispatch(actor=staff, case=Case.objects.get(pk=case.pk), expected_version=1).status
        return services.case_void(
            actor=staff, case=Case.objects.get(pk=case.pk), expected_version=1, reason="重复"
        ).status

    results, failures = run_together(4, dispatch_or_void)
    assert len(results) == 1
    assert len(failures) == 3 and all(isinstance(e, CaseError) and e.code == CaseErrorCode.CONFLICT for e in failures)
    case.refresh_from_db()
    assert case.version == 2 and case.events.count() == 3
