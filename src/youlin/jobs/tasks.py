"""Background work of jobs: running a queued job, and the recovery sweep (periodic, every minute)."""

from __future__ import annotations

from django_tasks import task

from youlin.jobs import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id)


@task()
def recover_stale_jobs() -> dict[str, int]:
    return services.jobs_recover_stale()


# (task, seconds between runs): ``youlin worker`` enqueues these on schedule (see ``youlin.scheduling``).
PERIODIC = [(recover_stale_jobs, 60)]
