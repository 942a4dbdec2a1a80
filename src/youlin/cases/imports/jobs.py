"""The 12345 import as a job (``youlin.jobs``, kind ``hotline_import``): the page, the API and the command line
all start it with ``hotline_import_start``; a small file is imported at once, a large one by the worker while
the page polls the job."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from youlin.cases.imports.columns import TABLE
from youlin.cases.imports.write import ImportResult, hotline_import, target_community
from youlin.jobs.kinds import JobKind, Outcome
from youlin.jobs.models import Job
from youlin.jobs.services import JobRun, job_start
from youlin.places.models import Community

KIND = "hotline_import"


def sync_row_limit() -> int:
    return int(settings.YOULIN_HOTLINE_IMPORT_SYNC_ROWS)


def count_rows(content: bytes) -> int:
    return sum(1 for _ in TABLE.read(content).rows)


def hotline_import_start(
    *, actor, community: Community | str | None, filename: str, content: bytes, background: bool | None = None
) -> Job:
    """Import a work-order file for ``community`` (or the one community the actor manages) as a job: at once
    when it is small (or ``background=False``), else in the worker after commit."""
    target = target_community(actor, community)
    return job_start(
        actor=actor, kind=KIND, community=target, filename=filename, content=content, background=background
    )


def outcome(result: ImportResult) -> Outcome:
    return Outcome(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        message=result.summary(),
        result={"dispatched": result.dispatched, "triage": result.triage},
    )


def _run(run: JobRun) -> Outcome:
    job = run.job
    done: list[Outcome] = []

    def written(result: ImportResult) -> None:
        done.append(outcome(result))
        run.succeed(done[0])

    hotline_import(
        actor=job.actor,
        community=job.community,
        file=bytes(job.content),
        progress=run.progress,
        before_write=run.check,
        on_written=written,
    )
    return done[0]


def _cases_of(job: Job) -> str:
    return reverse("cases:list") + "?" + urlencode({"community": job.community_id, "channel": "hotline"})


HOTLINE_IMPORT = JobKind(
    name=KIND,
    label=_("12345 工单导入"),
    run=_run,
    count_rows=count_rows,
    sync_rows=sync_row_limit,
    done_url=_cases_of,
    again_url=lambda job: reverse("cases:hotline"),
)
