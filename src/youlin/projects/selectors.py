"""Reads about projects: visibility (staff, the contractor, residents once approved), the list, the plan's
history as diffs, progress, and the time from the first report to acceptance."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from youlin.access import policy
from youlin.cases.selectors import case_photos_for
from youlin.deliberation import permissions
from youlin.deliberation.selectors import Page, decode_cursor, encode_cursor
from youlin.projects.models import PlanVersion, ProgressUpdate, Project, ProjectPhoto

PAGE_SIZE = 20
PUBLIC_STATUSES = (Project.Status.APPROVED, Project.Status.UNDER_CONSTRUCTION, Project.Status.ACCEPTED)


def projects_visible(user, action: str = policy.VIEW) -> QuerySet[Project]:
    return policy.scope(user, Project.objects.all(), action)


def project_for(user, pk: int) -> tuple[Project | None, bool]:
    """The project and whether the user sees it in full (staff, the contractor) or as a resident (approved
    onwards, in their community). ``(None, False)``: not theirs to see."""
    project = projects_visible(user).filter(pk=pk).first()
    if project is not None:
        return project, True
    project = Project.objects.filter(pk=pk, status__in=PUBLIC_STATUSES).first()
    if project is not None and permissions.is_resident_of(user, project.community_id):
        return project, False
    return None, False


def project_list(user, *, status: str = "", cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Visible projects, latest application first, keyset on (applied_at, id). One query."""
    qs = projects_visible(user).select_related("community", "compound", "contractor")
    if status:
        qs = qs.filter(status=status)
    after = decode_cursor(cursor)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(applied_at__lt=at) | Q(applied_at=at, id__lt=pk))
    rows = list(qs.order_by("-applied_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].applied_at, rows[limit - 1].pk) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


@dataclass
class PlanChange:
    version: PlanVersion
    scope_diff: list[tuple[str, str]]
    plan_diff: list[tuple[str, str]]
    budget_before: object = None


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line diff as (mark, text): "+" added, "-" removed, " " kept."""
    rows = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        mark, text = line[:1], line[2:]
        if mark in {"+", "-", " "}:
            rows.append((mark, text))
    return rows


def plan_history(project: Project) -> list[PlanChange]:
    """Every plan version, newest first, each with what changed from the one before (one query)."""
    versions = list(project.plan_versions.select_related("author").order_by("number"))
    changes = []
    previous = None
    for v in versions:
        if previous is None:
            changes.append(PlanChange(version=v, scope_diff=[], plan_diff=[]))
        else:
            changes.append(
                PlanChange(
                    version=v,
                    scope_diff=_diff(previous.scope, v.scope),
                    plan_diff=_diff(previous.plan, v.plan),
                    budget_before=previous.budget if previous.budget != v.budget else None,
                )
            )
        previous = v
    return list(reversed(changes))


def progress_updates(project: Project) -> list[ProgressUpdate]:
    return list(
        project.updates.select_related("milestone").prefetch_related(
            Prefetch("photos", queryset=ProjectPhoto.objects.select_related("photo"))
        )
    )


def project_photos(project: Project) -> dict[str, list[ProjectPhoto]]:
    result: dict[str, list[ProjectPhoto]] = {k: [] for k in ProjectPhoto.Kind.values}
    for row in project.photos.select_related("photo").order_by("id"):
        result[row.kind].append(row)
    return result


def linked_cases_with_photos(project: Project) -> list[tuple]:
    rows = list(project.cases.select_related("category").order_by("registered_at", "id"))
    photos = case_photos_for([c.pk for c in rows])
    return [(c, photos[c.pk]) for c in rows]


def time_to_acceptance(project: Project) -> timedelta | None:
    """From the first report of any linked case to the acceptance: the speed residents praised."""
    if project.accepted_at is None or project.first_reported_at is None:
        return None
    return project.accepted_at - project.first_reported_at


def duration_label(value: timedelta | None) -> str:
    if value is None:
        return ""
    days, seconds = value.days, value.seconds
    hours, minutes = seconds // 3600, seconds // 60
    hours_part = ngettext("%(hours)d 小时", "%(hours)d 小时", hours) % {"hours": hours}
    if days:
        return f"{ngettext('%(days)d 天', '%(days)d 天', days) % {'days': days}} {hours_part}"
    if hours:
        return hours_part
    return ngettext("%(minutes)d 分钟", "%(minutes)d 分钟", minutes) % {"minutes": minutes}


# ---------------------------------------------------------------- public pages and the bulletin


@dataclass(frozen=True)
class PublicProjectRow:
    """A project as the public community page lists it (no personal data)."""

    pk: int
    title: str
    status: str
    status_label: str
    progress: int
    completed: bool
    accepted_at: object
    url: str


def public_url(project: Project) -> str:
    """The public page of an approved project (empty before approval: nothing to show residents yet)."""
    from django.urls import reverse

    if project.status not in PUBLIC_STATUSES:
        return ""
    return reverse("project-public", args=[project.community.slug, project.pk])


def public_projects(community, *, limit: int = 20) -> list[PublicProjectRow]:
    """Approved projects of the community, under way or completed (accepted), latest first. One query."""
    rows = (
        Project.objects.filter(community=community, status__in=PUBLIC_STATUSES)
        .select_related("community")
        .order_by("-applied_at", "-id")[:limit]
    )
    return [
        PublicProjectRow(
            pk=p.pk,
            title=p.title,
            status=p.status,
            status_label=p.get_status_display(),
            progress=p.progress,
            completed=p.status == Project.Status.ACCEPTED,
            accepted_at=p.accepted_at,
            url=public_url(p),
        )
        for p in rows
    ]


def projects_for_case(case) -> list[PublicProjectRow]:
    """The approved projects a case is part of, for its public tracking page (one query)."""
    rows = (
        Project.objects.filter(cases=case, status__in=PUBLIC_STATUSES)
        .select_related("community")
        .order_by("-applied_at", "-id")
    )
    return [
        PublicProjectRow(
            pk=p.pk,
            title=p.title,
            status=p.status,
            status_label=p.get_status_display(),
            progress=p.progress,
            completed=p.status == Project.Status.ACCEPTED,
            accepted_at=p.accepted_at,
            url=public_url(p),
        )
        for p in rows
    ]


@dataclass
class PublicProject:
    """Everything the public project page shows: no names, no phones, no case numbers."""

    project: Project
    milestones: list
    before: list  # Photo rows (the linked cases' before photos and the project's own)
    after: list
    progress_photos: list
    dates: list[tuple[str, object]]  # (label, datetime or date), in order
    time_taken: str
    notice_id: int | None
    categories: list[str]


def _unique(photos: list) -> list:
    seen: set[int] = set()
    return [p for p in photos if not (p.pk in seen or seen.add(p.pk))]


def public_project(slug: str, pk: int) -> PublicProject | None:
    """The public page of an approved project of the community with this slug (None otherwise)."""
    from django.utils.translation import gettext as _

    project = (
        Project.objects.select_related("community__subdistrict", "compound", "contractor", "resolution__item")
        .filter(pk=pk, community__slug=slug, status__in=PUBLIC_STATUSES)
        .first()
    )
    if project is None:
        return None
    photos = project_photos(project)
    linked = linked_cases_with_photos(project)
    before = [row.photo for _case, pair in linked for row in pair.before] + [p.photo for p in photos["before"]]
    events = {e.kind: e.at for e in project.events.order_by("at", "id")}
    dates = [
        (_("居民首次反映"), project.first_reported_at),
        (_("申报"), project.applied_at),
        (_("街道批准"), events.get("approved")),
        (_("开工"), project.actual_start),
        (_("计划完工"), project.planned_end if project.status != Project.Status.ACCEPTED else None),
        (_("验收"), project.accepted_at),
    ]
    notice_id = None
    if project.resolution_id:
        from youlin.deliberation.models import PublicNotice

        notice_id = (
            PublicNotice.objects.filter(meeting_id=project.resolution.item.meeting_id, starts_at__lte=timezone.now())
            .order_by("-starts_at")
            .values_list("pk", flat=True)
            .first()
        )
    return PublicProject(
        project=project,
        milestones=list(project.milestones.all()),
        before=before,
        # The acceptance's own photos; without them, the photos it verified the cases with.
        after=[p.photo for p in photos["after"]] or _unique([row.photo for _c, pair in linked for row in pair.after]),
        progress_photos=[p.photo for p in photos["progress"]],
        dates=[(label, value) for label, value in dates if value],
        time_taken=duration_label(time_to_acceptance(project)),
        notice_id=notice_id,
        categories=sorted({c.category.label for c, _pair in linked}),
    )


def projects_completed(community_ids, *, since=None, until=None, limit: int = 100) -> list[Project]:
    """Projects of these communities accepted (验收) in (since, until], newest first, for public feeds. One query."""
    qs = Project.objects.filter(community_id__in=list(community_ids), status=Project.Status.ACCEPTED)
    if since is not None:
        qs = qs.filter(accepted_at__gt=since)
    if until is not None:
        qs = qs.filter(accepted_at__lte=until)
    return list(qs.select_related("community").order_by("-accepted_at", "-id")[:limit])


def bulletin_sentences(community, period) -> list[str]:
    """Accepted projects of the period written as sentences for the bulletin."""
    from django.utils.translation import gettext as _

    sentences = []
    for p in Project.objects.filter(
        community=community, status=Project.Status.ACCEPTED, accepted_at__gte=period.start, accepted_at__lt=period.end
    ).order_by("accepted_at"):
        elapsed = time_to_acceptance(p)
        if elapsed is None:
            sentences.append(_("“%(title)s”专项已完工验收。") % {"title": p.title})
        else:
            days = round(elapsed.total_seconds() / 86400)
            sentences.append(
                ngettext(
                    "“%(title)s”专项已完工验收，从居民首次反映到验收用时 %(days)d 天。",
                    "“%(title)s”专项已完工验收，从居民首次反映到验收用时 %(days)d 天。",
                    days,
                )
                % {"title": p.title, "days": days}
            )
    return sentences
