"""A job's page and its polling partial (progress, counts, the per-row report), cancel and retry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from youlin.domain.pages import show_error
from youlin.jobs import selectors, services
from youlin.jobs.errors import JobError


def job_context(job) -> dict:
    return {"job": job, "links": selectors.job_links(job)}


def _answer(request, job):
    if request.htmx:
        return render(request, "jobs/partials/job.html", job_context(job))
    return redirect("jobs:status", pk=job.pk)


@login_required
@require_GET
def status(request, pk: int):
    job = selectors.job_for(request.user, pk)
    template = "jobs/partials/job.html" if request.htmx else "jobs/job.html"
    return render(request, template, job_context(job))


@login_required
@require_POST
def cancel(request, pk: int):
    job = selectors.job_for(request.user, pk)
    try:
        job = services.job_cancel(actor=request.user, job=job)
    except JobError as exc:
        show_error(request, exc)
        job.refresh_from_db()
    return _answer(request, job)


@login_required
@require_POST
def retry(request, pk: int):
    job = selectors.job_for(request.user, pk)
    try:
        job = services.job_retry(actor=request.user, job=job)
    except JobError as exc:
        show_error(request, exc)
        job.refresh_from_db()
    return _answer(request, job)
