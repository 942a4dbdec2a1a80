"""Background work of jobs: running a queued job, and the recovery sweep (registered as periodic in ``apps``)."""

from __future__ import annotations

from django_tasks import task

from youlin.jobs import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id)


@task()
def recover_stale_jobs() -> dict[str, int]:
    return services.jobs_recover_stale()
