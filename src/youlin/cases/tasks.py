"""Background work of the case loop: the overdue sweep, which ``youlin worker`` runs every five minutes."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from youlin.cases import selectors, services
from youlin.cases.errors import CaseError


@task()
def sweep_overdue() -> int:
    """Supervise (督办) every open case that has passed its deadline and not been supervised since; returns how
    many. Running it again supervises nothing new until another deadline passes."""
    now = timezone.now()
    supervised = 0
    for case in selectors.cases_due_for_supervision(now):
        try:
            services.case_supervise_overdue(case=case, expected_version=case.version, now=now)
        except CaseError:
            continue  # changed (or supervised) meanwhile: the next sweep looks again
        supervised += 1
    return supervised


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(sweep_overdue, 5 * 60)]
