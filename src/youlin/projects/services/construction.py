"""From approval to the end of construction: the joint site survey (a meeting with the urban-management office,
the community party committee and the contractor), the start of work with its milestones, and progress posted
with photos by the contractor or the community."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.deliberation import permissions
from youlin.deliberation import services as deliberation
from youlin.domain.writes import actor_label, actor_user
from youlin.parties.models import Organisation
from youlin.parties.selectors import users_of
from youlin.projects.errors import ProjectError, ProjectErrorCode
from youlin.projects.models import Milestone, ProgressUpdate, Project, ProjectPhoto
from youlin.projects.services.checks import (
    Event,
    Status,
    check_photos,
    denied,
    event,
    fresh,
    invalid,
    recompute_progress,
    require_manager,
    require_stage,
    required,
    store_photos,
    sync,
    tell,
    write,
)

if TYPE_CHECKING:
    from youlin.deliberation.models import Meeting


def _project_invitations(project: Project, contractor: Organisation | None) -> list[deliberation.InvitationSpec]:
    """The urban-management office, the community party committee and the contractor."""
    orgs = Organisation.objects.filter(
        Q(kind=Organisation.Kind.DEPARTMENT, subdistrict_id=project.community.subdistrict_id)
        | Q(kind=Organisation.Kind.PARTY_COMMITTEE, community_id=project.community_id)
    ).order_by("kind", "name")
    specs = [deliberation.InvitationSpec(organisation=o, label=o.get_kind_display()) for o in orgs]
    if contractor is not None:
        specs.append(deliberation.InvitationSpec(organisation=contractor, label=str(_("施工单位"))))
    return specs


@transaction.atomic
def project_meeting_schedule(
    *,
    actor,
    project: Project,
    expected_version: int,
    kind: str,
    starts_at: datetime,
    place: str,
    contractor: Organisation | None = None,
) -> Meeting:
    """A joint site survey (once approved) or the acceptance (once under construction): a meeting with the
    urban-management office, the community party committee and the contractor, linked to the project."""
    current = fresh(project, expected_version)
    require_manager(actor, current)
    if kind == deliberation.MeetingKind.SITE_SURVEY:
        require_stage(current, {Status.APPROVED}, "survey")
        contractor = contractor or current.contractor
        if contractor is None or contractor.kind != Organisation.Kind.CONTRACTOR:
            raise invalid(_("请选择施工单位，踏勘时一同到场。"), "contractor")
        field, event, title = "survey_meeting", Event.SURVEY_SCHEDULED, _("实地踏勘：%(title)s")
    elif kind == deliberation.MeetingKind.ACCEPTANCE:
        require_stage(current, {Status.UNDER_CONSTRUCTION}, "acceptance_schedule")
        contractor = current.contractor
        field, event, title = "acceptance_meeting", Event.ACCEPTANCE_SCHEDULED, _("验收：%(title)s")
    else:
        raise invalid(_("只能安排实地踏勘或验收。"), "kind")
    meeting = deliberation.meeting_create(
        actor=actor,
        community=current.community,
        compound=current.compound,
        title=str(title % {"title": current.title})[:120],
        kind=kind,
        starts_at=starts_at,
        place=place,
        invitations=_project_invitations(current, contractor),
    )
    deliberation.agenda_item_add(
        actor=actor, meeting=meeting, title=current.title, description=current.plan, cases=list(current.cases.all())
    )
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=event,
        fields={field: meeting, "contractor": contractor},
        data={"meeting": meeting.pk},
    )
    sync(project, result)
    return meeting


@transaction.atomic
def construction_start(
    *,
    actor,
    project: Project,
    expected_version: int,
    planned_start: date,
    planned_end: date,
    actual_start: date | None = None,
    milestones: Sequence[tuple[str, int]] = (),
) -> Project:
    """开工: after approval and the joint site survey, with the contractor and the planned dates."""
    current = fresh(project, expected_version)
    require_manager(actor, current)
    require_stage(current, {Status.APPROVED}, "construction_start")
    if current.survey_meeting_id is None or current.contractor_id is None:
        raise ProjectError(
            ProjectErrorCode.ILLEGAL_STAGE,
            _("开工前请先组织街道城管办、社区党委和施工队联合实地踏勘，并确定施工单位。"),
        )
    if planned_end < planned_start:
        raise invalid(_("计划完工日期不能早于计划开工日期。"), "planned_end")
    for position, (title, weight) in enumerate(milestones, start=current.milestones.count() + 1):
        _milestone(current, title=title, weight=weight, position=position)
    start = actual_start or timezone.localdate()
    # The joint survey was held before work starts: starting records it (unless staff closed it already).
    deliberation.meeting_record_held(
        actor=actor, meeting=current.survey_meeting, minutes=_survey_minutes(current, start)
    )
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.CONSTRUCTION_STARTED,
        to_status=Status.UNDER_CONSTRUCTION,
        fields={
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": start,
        },
        data={"milestones": [t for t, _w in milestones]},
    )
    tell(
        users_of(organisations=[result.contractor_id]),
        result,
        _("项目开工：%(title)s") % {"title": result.title},
        actor=actor,
    )
    sync(project, result)
    return result


def _survey_minutes(project: Project, start: date) -> str:
    """What the survey settled, as the project's record has it: the contractor, the plan revised after it."""
    lines = [
        str(
            _("联合实地踏勘已完成，确定施工单位：%(contractor)s。项目于 %(start)s 开工。")
            % {"contractor": project.contractor.name, "start": start.isoformat()}
        )
    ]
    scheduled = project.events.filter(kind=Event.SURVEY_SCHEDULED).order_by("-at", "-id").first()
    revisions = project.events.filter(kind=Event.PLAN_REVISED)
    if scheduled is not None:
        revisions = revisions.filter(at__gte=scheduled.at)
    for revision in revisions.order_by("at", "id"):
        lines.append(str(_("踏勘后修改方案：%(note)s") % {"note": revision.note or "—"}))
    return "\n".join(lines)


def _milestone(project: Project, *, title: str, weight: int, position: int) -> Milestone:
    title = required(title, _("请填写节点名称。"), "title")
    if not 1 <= int(weight) <= 100:
        raise invalid(_("权重应为 1 到 100 的整数。"), "weight")
    return Milestone.objects.create(project=project, title=title[:120], weight=int(weight), position=position)


def _may_post_progress(actor, project: Project) -> bool:
    j = policy.jurisdiction_of(actor)
    if project.contractor_id and project.contractor_id in j.organisation_ids:
        return True
    return permissions.is_community_staff(actor, project.community_id)


@transaction.atomic
def milestone_add(*, actor, project: Project, title: str, weight: int = 1) -> Milestone:
    require_stage(project, {Status.APPROVED, Status.UNDER_CONSTRUCTION}, "milestone_add")
    if not _may_post_progress(actor, project) and not permissions.manages(actor, project.community_id):
        raise denied(_("只有施工单位或社区工作人员可以设置节点。"))
    milestone = _milestone(project, title=title, weight=weight, position=project.milestones.count() + 1)
    event(project, actor=actor, kind=Event.MILESTONE_ADDED, note=milestone.title, data={"weight": milestone.weight})
    recompute_progress(project)
    return milestone


@transaction.atomic
def progress_post(
    *,
    actor,
    project: Project,
    percent: int,
    note: str,
    milestone: Milestone | None = None,
    photos: Sequence[UploadedFile] = (),
) -> ProgressUpdate:
    """A progress update with photos, by the contractor's staff or the community's staff. With milestones, it
    moves one milestone and the project's progress is their weighted mean."""
    current = Project.objects.select_related("community").get(pk=project.pk)
    if not _may_post_progress(actor, current):
        raise denied(_("只有本项目施工单位的人员或社区工作人员可以填报施工进展。"))
    require_stage(current, {Status.UNDER_CONSTRUCTION}, "progress_post")
    note = required(note, _("请简要说明今天的进展。"), "note")
    if not 0 <= int(percent) <= 100:
        raise invalid(_("进度应为 0 到 100 之间的整数。"), "percent")
    has_milestones = current.milestones.exists()
    if has_milestones and (milestone is None or milestone.project_id != current.pk):
        raise invalid(_("请选择本次进展所属的节点。"), "milestone")
    photos = check_photos(photos)
    update = ProgressUpdate.objects.create(
        project=current,
        milestone=milestone if has_milestones else None,
        percent=int(percent),
        note=note,
        author=actor_user(actor),
        author_label=actor_label(actor),
        created_at=timezone.now(),
    )
    store_photos(actor, current, photos, ProjectPhoto.Kind.PROGRESS, update)
    if has_milestones:
        Milestone.objects.filter(pk=milestone.pk).update(progress=int(percent))
        recompute_progress(current)
    else:
        Project.objects.filter(pk=current.pk).update(progress=int(percent))
        current.progress = int(percent)
    event(
        current,
        actor=actor,
        kind=Event.PROGRESS,
        note=note,
        data={"percent": int(percent), "milestone": milestone.pk if milestone else None, "progress": current.progress},
    )
    project.progress = current.progress
    return update
