"""Every write of a project, one module per stage:

    applied ─review: approve→ approved ─construction_start→ under_construction ─accept→ accepted
       │  └─ review: reject → rejected          │ (site survey; plan revisions)   │ (progress, milestones)
       └─ review: return → returned ─resubmit→ applied

    application:   project_apply, project_review, project_resubmit, plan_revise
    construction:  project_meeting_schedule (site survey, acceptance meeting), construction_start, milestone_add,
                   progress_post
    acceptance:    project_accept, project_rate

Stage changes take the project's ``expected_version`` and write a ``ProjectEvent`` in the same transaction.
Only sub-district officers with jurisdiction over the project's community review; only the contractor's
staff and the community's staff post progress. Acceptance verifies the linked cases through the case loop's
own service (``cases.services.case_accept_by_project``). Refusals are ``ProjectError``.
"""

from youlin.projects.services.acceptance import project_accept, project_rate
from youlin.projects.services.application import plan_revise, project_apply, project_resubmit, project_review
from youlin.projects.services.checks import MAX_PHOTOS, STAGE_ACTIONS, project_url
from youlin.projects.services.construction import (
    construction_start,
    milestone_add,
    progress_post,
    project_meeting_schedule,
)

__all__ = [
    "MAX_PHOTOS",
    "STAGE_ACTIONS",
    "construction_start",
    "milestone_add",
    "plan_revise",
    "progress_post",
    "project_accept",
    "project_apply",
    "project_meeting_schedule",
    "project_rate",
    "project_resubmit",
    "project_review",
    "project_url",
]
