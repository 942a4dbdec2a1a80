"""Rows → API outputs. Reads nothing the caller did not fetch, except where named (the detail's parts)."""

from __future__ import annotations

from django.utils import timezone

from youlin.access import policy
from youlin.cases import selectors, updates
from youlin.cases.models import MASKED_REPORTER_CHANNELS, Case
from youlin.cases.permissions import Standing
from youlin.core.privacy import mask_name, mask_phone

# Residents' names and phones are masked for everyone who does not manage the case (as on the case page).


def _ref(obj, **extra):
    return None if obj is None else {"id": obj.pk, "name": obj.name, **extra}


def community_ref(c) -> dict:
    return {"id": c.pk, "code": c.code, "name": c.name, "slug": c.slug}


def category_ref(c) -> dict:
    return {"code": c.code, "kind": c.kind, "name": c.label}


def category_out(c) -> dict:
    """A category for the category list, named in the active language."""
    return {
        "id": c.pk,
        "code": c.code,
        "kind": c.kind,
        "major_code": c.major_code,
        "major": c.major_label,
        "name": c.label,
        "urgency": c.urgency,
        "time_limit": c.time_limit,
        "time_limit_unit": c.time_limit_unit,
        "is_local": c.is_local,
    }


def case_summary(case: Case, now=None) -> dict:
    """Needs category, community, compound, building and grid selected with the case."""
    now = now or timezone.now()
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "category": category_ref(case.category),
        "description": case.description,
        "lon": case.lon,
        "lat": case.lat,
        "address": case.address,
        "community": community_ref(case.community),
        "compound": _ref(case.compound),
        "building": _ref(case.building),
        "grid": _ref(case.grid),
        "channel": case.channel,
        "channel_detail": case.channel_detail,
        "urgency": case.urgency,
        "registered_at": case.registered_at,
        "deadline": case.deadline,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "overdue": case.is_open and case.deadline < now,
        "needs_deliberation": case.needs_deliberation,
        "support_count": case.support_count,
        "version": case.version,
    }


def _photo(request, row) -> dict:
    photo = row.photo
    return {
        "url": request.build_absolute_uri(photo.image.url),
        "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url) if photo.thumbnail else "",
        "width": photo.width,
        "height": photo.height,
        "kind": row.kind,
    }


def case_update(request, shown) -> dict:
    """An update as ``updates.thread`` shows it to this caller (masked unless they manage the case)."""
    u = shown.update
    return {
        "id": u.pk,
        "author": shown.author,
        "text": shown.text,
        "created_at": u.created_at,
        "is_public": u.is_public,
        "hidden": u.is_hidden,
        "hidden_reason": u.hidden_reason if u.is_hidden else "",
        "photos": [
            {
                "url": request.build_absolute_uri(p.image.url),
                "thumbnail_url": request.build_absolute_uri(p.thumbnail.url),
            }
            for p in shown.photos
        ],
    }


def case_detail(request, case: Case) -> dict:
    """The case with its parties, timeline, photos and the caller's next steps (a fixed number of queries)."""
    user = request.user
    manager = policy.can(user, policy.CHANGE, case)
    masked = not manager and case.channel in MASKED_REPORTER_CHANNELS
    reporter = None
    if case.reporter_name or case.reporter_phone:
        reporter = {
            "name": mask_name(case.reporter_name) if masked else case.reporter_name,
            "phone": mask_phone(case.reporter_phone) if masked else case.reporter_phone,
            "masked": masked,
        }
    standing = Standing(user, case)
    staff = standing.works_on_case  # internal notes and who took each step are for the case's staff only
    timeline = []
    for event in selectors.case_timeline(case):
        actor = event.display_actor if staff else ""
        if masked and event.kind == "registered":
            actor = mask_name(actor)
        timeline.append(
            {
                "kind": event.kind,
                "kind_label": str(event.get_kind_display()),
                "at": event.at,
                "actor": actor,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.display_note if staff else "",
                "public_note": event.public_note,
            }
        )
    before, after = selectors.case_photo_pairs(case)
    return {
        **case_summary(case),
        "reporter": reporter,
        "assignments": [
            {
                "organisation": {"id": a.organisation.pk, "name": a.organisation.name, "kind": a.organisation.kind},
                "duty": a.duty,
                "accepted_at": a.accepted_at,
            }
            for a in case.assignments.select_related("organisation").order_by("id")
        ],
        "timeline": timeline,
        "photos": [_photo(request, row) for row in [*before, *after]],
        "actions": selectors.available_actions(user, case),
        "updates": [case_update(request, u) for u in updates.thread(case, standing=standing)],
        "recurrence_of": case.recurrence_of.number if case.recurrence_of_id else None,
        "merged_into": case.merged_into.number if case.merged_into_id else None,
        "satisfaction": case.satisfaction,
        "evaluated_at": case.evaluated_at,
    }
