"""12345 work orders from another system: upload a file (the same job as the page and ``youlin hotline import``)
and follow the job. Only staff who manage the job's community see it; anyone else gets 404."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from youlin.api import auth
from youlin.api.errors import ERRORS, ApiError
from youlin.cases.imports import TABLE
from youlin.cases.imports.jobs import KIND, hotline_import_start
from youlin.jobs.models import Job
from youlin.jobs.selectors import job_for

router = Router(tags=["hotline"])


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ImportJobOut(Schema):
    id: int
    status: str = Field(description="pending, running, succeeded, failed or cancelled.")
    community: str = Field(description="The community's slug.")
    filename: str
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    unchanged: int
    dispatched: int
    triage: int = Field(description="New cases waiting for staff to confirm their place or category (待分拣).")
    errors: list[RowErrorOut] = Field(description="Why the file was refused, row by row: nothing was imported.")
    message: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportIn(Schema):
    community: str = Field("", max_length=50, description="The community's slug; empty: the only one you manage.")


def _out(job: Job) -> dict:
    result = job.result or {}
    return {
        "id": job.pk,
        "status": job.status,
        "community": job.community.slug,
        "filename": job.filename,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "dispatched": int(result.get("dispatched", 0)),
        "triage": int(result.get("triage", 0)),
        "errors": job.errors,
        "message": job.message,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.post("/hotline/imports", response={201: ImportJobOut, 202: ImportJobOut, **ERRORS}, auth=auth.required)
def hotline_import_create(request, data: Form[ImportIn], file: File[UploadedFile]):
    """Import a 12345 work-order file (.xlsx or .csv; multipart ``file``), all rows or none. 201: done (succeeded,
    or failed with the per-row ``errors``); 202: queued for the worker (poll ``GET /hotline/imports/{id}``)."""
    limit = TABLE.max_bytes()
    if limit and file.size is not None and file.size > limit:
        raise ApiError(413, "too_large", TABLE.too_large(), {"file": TABLE.too_large()})
    job = hotline_import_start(
        actor=request.user, community=data.community or None, filename=file.name or "", content=file.read()
    )
    job = job_for(request.user, job.pk)
    return Status(202 if not job.is_finished else 201, _out(job))


@router.get("/hotline/imports/{job_id}", response={200: ImportJobOut, **ERRORS}, auth=auth.required)
def hotline_import_detail(request, job_id: int):
    """An import job's state: progress, counts and, when refused, the per-row report."""
    job = job_for(request.user, job_id)
    if job.kind != KIND:
        raise Http404
    return _out(job)
