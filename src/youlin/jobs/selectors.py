"""Reads of jobs, always through the access policy: a job is seen by the staff who manage its community."""

from __future__ import annotations

from django.db.models import QuerySet

from youlin.access import policy
from youlin.jobs import kinds
from youlin.jobs.models import Job


def jobs_managed(user) -> QuerySet[Job]:
    return policy.scope(user, Job.objects.select_related("community").defer("content"), policy.CHANGE)


def job_for(user, pk: int) -> Job:
    """The job, or 404 for one that is missing or not the user's to manage."""
    return policy.get_for(user, Job.objects.select_related("community").defer("content"), policy.CHANGE, pk=pk)


def recent_jobs(user, kind: str, *, limit: int = 10, **filters) -> list[Job]:
    return list(jobs_managed(user).filter(kind=kind, **filters).order_by("-created_at", "-id")[:limit])


def job_links(job: Job) -> dict[str, str]:
    kind = kinds.get(job.kind)
    return {
        "label": kind.label,
        "done": kind.done_url(job) if kind.done_url else "",
        "again": kind.again_url(job) if kind.again_url else "",
    }
