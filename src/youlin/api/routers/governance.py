"""Read endpoints for the deliberation hall and projects: meetings with their agenda, decisions and action
items, and escalated projects with their stage. Only what the caller's jurisdiction allows (none anonymous)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Query, Router, Schema

from youlin.access import policy
from youlin.api import auth
from youlin.api.errors import ERRORS
from youlin.deliberation.models import ActionItem, AgendaItem, Meeting
from youlin.projects.models import Project

router = Router(tags=["deliberation and projects"])


class ActionItemOut(Schema):
    id: int
    title: str
    assignee: str
    due_on: str
    status: str


class AgendaItemOut(Schema):
    id: int
    title: str
    status: str
    cases: list[str]
    resolution: str | None
    action_items: list[ActionItemOut]


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    community: str
    starts_at: datetime
    place: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    agenda: list[AgendaItemOut]


class ProjectOut(Schema):
    id: int
    title: str
    status: str
    community: str
    budget: Decimal
    applied_at: datetime
    cases: list[str]


class Page(Schema):
    limit: int = 50
    before_id: int | None = None


def _meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": m.kind,
        "status": m.status,
        "community": m.community.name,
        "starts_at": m.starts_at,
        "place": m.place,
    }


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, auth=auth.required)
def meeting_list(request, page: Query[Page]):
    """Meetings the caller may see, newest first; keyset on id (pass the last id as ``before_id``)."""
    qs = policy.scope(request.user, Meeting.objects.all()).select_related("community").order_by("-pk")
    if page.before_id:
        qs = qs.filter(pk__lt=page.before_id)
    return [_meeting(m) for m in qs[: max(1, min(page.limit, 200))]]


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS}, auth=auth.required)
def meeting_detail(request, meeting_id: int):
    meeting = policy.get_for(
        request.user,
        Meeting.objects.select_related("community").prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("position", "pk")
                .select_related("resolution")
                .prefetch_related(
                    "cases",
                    Prefetch(
                        "resolution__action_items",
                        queryset=ActionItem.objects.select_related("assignee_organisation", "assignee_person"),
                    ),
                ),
            )
        ),
        policy.VIEW,
        pk=meeting_id,
    )
    agenda = []
    for item in meeting.agenda_items.all():
        resolution = getattr(item, "resolution", None)
        actions = list(resolution.action_items.all()) if resolution else []
        agenda.append(
            {
                "id": item.pk,
                "title": item.title,
                "status": item.status,
                "cases": [c.number for c in item.cases.all()],
                "resolution": resolution.text if resolution else None,
                "action_items": [
                    {
                        "id": a.pk,
                        "title": a.title,
                        "assignee": str(a.assignee_organisation or a.assignee_person or ""),
                        "due_on": a.due_on.isoformat(),
                        "status": a.status,
                    }
                    for a in actions
                ],
            }
        )
    return {**_meeting(meeting), "minutes": meeting.minutes, "agenda": agenda}


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, auth=auth.required)
def project_list(request, page: Query[Page]):
    """Projects the caller may see, newest first; keyset on id."""
    qs = (
        policy.scope(request.user, Project.objects.all())
        .select_related("community")
        .prefetch_related("cases")
        .order_by("-pk")
    )
    if page.before_id:
        qs = qs.filter(pk__lt=page.before_id)
    return [
        {
            "id": p.pk,
            "title": p.title,
            "status": p.status,
            "community": p.community.name,
            "budget": p.budget,
            "applied_at": p.applied_at,
            "cases": [c.number for c in p.cases.all()],
        }
        for p in qs[: max(1, min(page.limit, 200))]
    ]
