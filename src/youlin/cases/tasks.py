"""Background work of the case loop: the overdue sweep, which ``youlin worker`` runs every five minutes."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from youlin.cases import selectors, services
from youlin.cases.errors import CaseError


@task()
def sweep_overdue() -> int:
    """Escalate (督办) every open overdue case to the level its working days overdue call for; returns how many
    cases moved up. Running it again moves nothing until a case crosses the next threshold."""
    now = timezone.now()
    escalated = 0
    for case in selectors.cases_due_for_supervision(now):
        try:
            services.case_escalate_overdue(case=case, expected_version=case.version, now=now)
        except CaseError:
            continue  # changed meanwhile, or not due yet in working days: the next sweep looks again
        escalated += 1
    return escalated


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(sweep_overdue, 5 * 60)]
