"""Who may take which step of a case: what each role of ``steps.Role`` means for one user and one case.

The state machine and the role of each step are in the table of steps (``steps.STEPS``). Services call
``require`` (it refuses with a ``CaseError``); ``selectors.available_actions`` calls ``permits`` (it answers yes
or no) to offer the same steps as buttons. Both read the same table, so a button is shown exactly when the
service would accept the step.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from youlin.access import policy
from youlin.cases import errors, steps
from youlin.cases.errors import CaseError
from youlin.cases.models import Case, CaseAssignment
from youlin.cases.steps import Role
from youlin.parties.selectors import grid_workers_by_grid

REOPEN_WINDOW = timedelta(days=30)


def label(action: str):
    return steps.label(action)


class Standing:
    """What one user is to one case. Worked out lazily: a check pays only for the queries it needs, and
    checking many actions pays for each at most once."""

    def __init__(self, actor, case: Case, *, token: str | None = None):
        self.user = actor
        self.case = case
        self.token = token
        self.jurisdiction = policy.jurisdiction_of(actor)

    @property
    def is_manager(self) -> bool:
        """Community staff and secretaries of the case's community, its sub-district's officers, the district."""
        j = self.jurisdiction
        return j.everything or self.case.community_id in j.manage_community_ids

    @cached_property
    def assigned_organisation_ids(self) -> frozenset[int]:
        rows = CaseAssignment.objects.filter(case_id=self.case.pk).values_list("organisation_id", flat=True)
        return frozenset(rows)

    @property
    def handler_organisation_ids(self) -> frozenset[int]:
        """The assigned organisations this user answers for."""
        if not self.jurisdiction.organisation_ids:
            return frozenset()
        return self.assigned_organisation_ids & self.jurisdiction.organisation_ids

    @cached_property
    def is_grid_worker(self) -> bool:
        j = self.jurisdiction
        if j.person_id is None or "grid_worker" not in j.roles:
            return False
        workers = grid_workers_by_grid(self.case.community_id)
        return any(person.pk == j.person_id for people in workers.values() for person in people)

    @property
    def is_reporter(self) -> bool:
        if self.token and secrets.compare_digest(self.token, self.case.tracking_token):
            return True
        return self.jurisdiction.person_id is not None and self.case.reporter_id == self.jurisdiction.person_id

    @property
    def works_on_case(self) -> bool:
        """Staff of the case: its managers, its responsible units' people, and those who view its community. They
        read what is internal (the steps' notes, who took them, internal updates); the reporter and everyone
        else read the public side only (public replies, public updates), on the page, the API and Open311."""
        j = self.jurisdiction
        return self.is_manager or bool(self.handler_organisation_ids) or self.case.community_id in j.view_community_ids

    @property
    def sees_case(self) -> bool:
        j = self.jurisdiction
        return (
            j.everything
            or self.case.community_id in j.view_community_ids
            or bool(self.handler_organisation_ids)
            or (j.person_id is not None and self.case.reporter_id == j.person_id)
        )


def permits(standing: Standing, action: str) -> dict[str, Any] | None:
    """The facts for the timeline (e.g. the acting organisation) if this standing allows ``action``, else None.
    Only the role (``steps.STEPS[action].role``): the status is the step's ``from_statuses``' business."""
    step = steps.get(action)
    if step is None:
        return None
    role = step.role
    if role == Role.MANAGER:
        return {} if standing.is_manager else None
    if role == Role.HANDLER:
        organisations = standing.handler_organisation_ids
        if organisations:
            return {"organisations": sorted(organisations)}
        if standing.is_manager:  # the community records it on behalf of a party without an account (代办)
            return {"on_behalf": True}
        return None
    if role == Role.VERIFIER:
        return {} if standing.jurisdiction.everything or standing.is_grid_worker else None
    if role in {Role.REPORTER, Role.REPORTER_OR_MANAGER}:
        if standing.is_reporter:
            return {"by": "reporter"}
        if role == Role.REPORTER_OR_MANAGER and standing.is_manager:
            return {"by": "community"}
        return None
    if role == Role.SIGNED_IN:
        return {} if standing.user is not None and standing.user.is_authenticated else None
    return None


def deny(standing: Standing, action: str) -> CaseError:
    """Someone who cannot even see the case is outside its jurisdiction; someone who can is not allowed."""
    if standing.sees_case:
        return errors.permission_denied(label(action))
    return errors.outside_jurisdiction()


def require(actor, case: Case, action: str, *, token: str | None = None) -> dict[str, Any]:
    """Check the actor may take ``action`` on ``case``; returns facts for the timeline (e.g. the organisation)."""
    standing = Standing(actor, case, token=token)
    facts = permits(standing, action)
    if facts is None:
        raise deny(standing, action)
    return facts


def is_overdue(case: Case, now: datetime) -> bool:
    return now > case.deadline


def reopen_window_open(case: Case, now: datetime) -> bool:
    return case.closed_at is not None and now - case.closed_at <= REOPEN_WINDOW
