"""Every write of a project. The stages:

    applied ─review: approve→ approved ─construction_start→ under_construction ─accept→ accepted
       │  └─ review: reject → rejected          │ (site survey; plan revisions)   │ (progress, milestones)
       └─ review: return → returned ─resubmit→ applied

Stage changes take the project's ``expected_version`` and write a ``ProjectEvent`` in the same transaction.
Only sub-district officers with jurisdiction over the project's community review; only the contractor's
staff and the community's staff post progress. Acceptance verifies the linked cases through the case loop's
own service (``cases.services.case_accept_by_project``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.access import policy
from youlin.cases import services as cases
from youlin.cases.models import OPEN_STATUSES, Case, Satisfaction
from youlin.deliberation import permissions
from youlin.deliberation import services as deliberation
from youlin.deliberation.models import Meeting, MeetingKind, NoticeResponse, Resolution
from youlin.notifications.services import notify
from youlin.parties.models import Organisation, Person
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, photo_create, photo_prepare
from youlin.projects.errors import ErrorCode, ProjectError
from youlin.projects.models import (
    Milestone,
    PlanVersion,
    ProgressUpdate,
    Project,
    ProjectEvent,
    ProjectPhoto,
    ProjectRating,
)

Status = Project.Status
Event = ProjectEvent.Kind
MAX_PHOTOS = 9

# ---------------------------------------------------------------- helpers


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _label(actor) -> str:
    return str(actor)[:100] if _user(actor) else ""


def _invalid(message, field: str | None = None) -> ProjectError:
    return ProjectError(ErrorCode.INVALID_INPUT, message, field=field)


def _required(value: str, message, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(message, field)
    return value


def _budget(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid(_("请填写预算金额（元），如 85000。"), "budget") from None
    if amount < 0 or not amount.is_finite():
        raise _invalid(_("预算不能为负数。"), "budget")
    return amount.quantize(Decimal("0.01"))


STAGE_ACTIONS = {
    "review": _("审核"),
    "resubmit": _("重新申报"),
    "plan_revise": _("修改方案"),
    "survey": _("安排实地踏勘"),
    "construction_start": _("开工"),
    "milestone_add": _("设置节点"),
    "progress_post": _("填报进展"),
    "acceptance_schedule": _("安排验收"),
    "accept": _("验收"),
    "rate": _("评价"),
}


def _stage(project: Project, allowed: set[str], action: str) -> None:
    if project.status not in allowed:
        raise ProjectError(
            ErrorCode.ILLEGAL_STAGE,
            _("项目当前状态为“%(status)s”，不能%(action)s。请按“申报 → 审核 → 踏勘 → 施工 → 验收”的顺序办理。")
            % {"status": project.get_status_display(), "action": STAGE_ACTIONS[action]},
        )


def _fresh(project: Project, expected_version: int) -> Project:
    current = Project.objects.select_related("community").get(pk=project.pk)
    if current.version != expected_version:
        raise ProjectError(ErrorCode.CONFLICT, _("项目刚刚被其他人更新过，请刷新页面查看最新情况后再操作。"))
    return current


def _write(
    project: Project,
    *,
    actor,
    expected_version: int,
    kind: str,
    to_status: str | None = None,
    fields: dict | None = None,
    note: str = "",
    data: dict | None = None,
) -> Project:
    """UPDATE … WHERE version = expected_version, then the event row; a lost race is a conflict."""
    now = timezone.now()
    updates = {**(fields or {}), "version": F("version") + 1, "updated_at": now}
    if to_status:
        updates["status"] = to_status
    if Project.objects.filter(pk=project.pk, version=expected_version).update(**updates) != 1:
        raise ProjectError(ErrorCode.CONFLICT, _("项目刚刚被其他人更新过，请刷新页面查看最新情况后再操作。"))
    _event(project, actor=actor, kind=kind, to_status=to_status, note=note, data=data, at=now)
    project.refresh_from_db()
    return project


def _event(project: Project, *, actor, kind: str, to_status=None, note="", data=None, at=None) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        kind=kind,
        actor=_user(actor),
        actor_label=_label(actor),
        at=at or timezone.now(),
        from_status=project.status,
        to_status=to_status or project.status,
        note=note,
        data=data or {},
    )


def _denied(message) -> ProjectError:
    return ProjectError(ErrorCode.PERMISSION_DENIED, message)


def _require_manager(actor, project: Project) -> None:
    if not permissions.manages(actor, project.community_id):
        raise _denied(_("只有本社区或所属街道的工作人员可以办理此事项。"))


def _require_community_staff(actor, project_or_community_id) -> None:
    community_id = getattr(project_or_community_id, "community_id", project_or_community_id)
    if not permissions.is_community_staff(actor, community_id):
        raise _denied(_("只有社区工作人员可以办理此事项。"))


def _check_photos(uploads: Sequence[UploadedFile]) -> list[UploadedFile]:
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise _invalid(_("每次最多上传 %(count)d 张照片。") % {"count": MAX_PHOTOS}, "photos")
    for upload in uploads:
        try:
            photo_prepare(upload)
        except PhotoError as exc:
            raise _invalid(exc.message, "photos") from None
    return uploads


def _store_photos(actor, project: Project, uploads, kind: str, update: ProgressUpdate | None = None) -> list[Photo]:
    stored = [photo_create(actor=actor, upload=u) for u in uploads]
    ProjectPhoto.objects.bulk_create([ProjectPhoto(project=project, photo=p, kind=kind, update=update) for p in stored])
    return stored


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _officers(subdistrict_id: int) -> list:
    return list(
        get_user_model()
        .objects.filter(
            Q(person__memberships__subdistrict_id=subdistrict_id)
            | Q(person__memberships__organisation__subdistrict_id=subdistrict_id),
            person__memberships__role="subdistrict_officer",
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def _tell(recipients, project: Project, title, *, actor, body: str = "") -> None:
    notify(
        recipients=recipients, title=title, body=body or project.title, url=project_url(project), exclude=_user(actor)
    )


def _recompute_progress(project: Project) -> int:
    """Weighted mean of the milestones' progress (Decidim's accountability results work the same way)."""
    rows = list(project.milestones.values_list("weight", "progress"))
    total = sum(w for w, _p in rows)
    if not total:
        return project.progress
    value = round(sum(w * p for w, p in rows) / total)
    Project.objects.filter(pk=project.pk).update(progress=value)
    project.progress = value
    return value


# ---------------------------------------------------------------- application and review


@transaction.atomic
def project_apply(
    *,
    actor,
    title: str,
    scope: str,
    plan: str,
    budget,
    resolution: Resolution | None = None,
    cases_: Sequence[Case] = (),
    photos: Sequence[UploadedFile] = (),
) -> Project:
    """专项申报: the community escalates a resolution (with its cases) or cases to its sub-district."""
    title = _required(title, _("请填写项目名称。"), "title")
    scope = _required(scope, _("请写明实施范围：哪里、多大。"), "scope")
    plan = _required(plan, _("请写明实施方案：做什么、怎么做。"), "plan")
    amount = _budget(budget)
    linked = list(dict.fromkeys(cases_))
    compound = None
    if resolution is not None:
        meeting = resolution.item.meeting
        community = meeting.community
        compound = meeting.compound
        linked = list(dict.fromkeys([*resolution.item.cases.all(), *linked]))
        if Project.objects.filter(resolution=resolution).exclude(status=Status.REJECTED).exists():
            raise ProjectError(ErrorCode.ALREADY_DONE, _("这项决议已经申报过专项，请在项目页查看进展。"))
    elif linked:
        community = linked[0].community
        compound = linked[0].compound
    else:
        raise _invalid(_("请从一项决议或至少一个案件发起申报。"), "cases")
    for case in linked:
        if case.community_id != community.pk:
            raise _invalid(_("案件 %(number)s 不属于本社区。") % {"number": case.number}, "cases")
    if resolution is None and any(c.status not in OPEN_STATUSES for c in linked):
        raise _invalid(_("已办结的案件无需申报专项。"), "cases")
    _require_community_staff(actor, community.pk)
    photos = _check_photos(photos)
    now = timezone.now()
    project = Project.objects.create(
        community=community,
        compound=compound,
        title=title,
        scope=scope,
        plan=plan,
        budget=amount,
        resolution=resolution,
        applied_by=_user(actor),
        applied_at=now,
        first_reported_at=min((c.registered_at for c in linked), default=None),
    )
    project.cases.set(linked)
    PlanVersion.objects.create(
        project=project,
        number=1,
        scope=scope,
        plan=plan,
        budget=amount,
        author=_user(actor),
        author_label=_label(actor),
        note=str(_("申报方案")),
        created_at=now,
    )
    _store_photos(actor, project, photos, ProjectPhoto.Kind.BEFORE)
    _event(project, actor=actor, kind=Event.APPLIED, to_status=Status.APPLIED, data={"cases": [c.pk for c in linked]})
    for case in linked:
        cases.case_annotate(
            actor=actor,
            case=case,
            kind="escalated",
            note=_("申报专项：%(title)s") % {"title": title},
            data={"project": project.pk},
        )
    _tell(_officers(community.subdistrict_id), project, _("专项申报待审核：%(title)s") % {"title": title}, actor=actor)
    return project


@transaction.atomic
def project_review(*, actor, project: Project, expected_version: int, decision: str, note: str = "") -> Project:
    """The sub-district approves, returns (with reasons, to revise and resubmit) or rejects an application."""
    current = _fresh(project, expected_version)
    if not permissions.is_subdistrict_officer_for(actor, current.community.subdistrict_id):
        raise _denied(_("只有所属街道的工作人员可以审核专项申报。"))
    _stage(current, {Status.APPLIED}, "review")
    outcomes = {"approve": (Status.APPROVED, Event.APPROVED), "return": (Status.RETURNED, Event.RETURNED)}
    outcomes["reject"] = (Status.REJECTED, Event.REJECTED)
    if decision not in outcomes:
        raise _invalid(_("请选择批准、退回或不予批准。"), "decision")
    note = note.strip()
    if decision != "approve" and not note:
        raise _invalid(_("退回或不予批准时，请写明理由，便于社区修改。"), "note")
    to_status, kind = outcomes[decision]
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=kind,
        to_status=to_status,
        fields={"reviewed_by": _user(actor), "reviewed_at": timezone.now(), "review_note": note},
        note=note,
    )
    titles = {
        "approve": _("专项已批准：%(title)s"),
        "return": _("专项被退回：%(title)s"),
        "reject": _("专项未获批准：%(title)s"),
    }
    _tell(
        [result.applied_by] if result.applied_by_id else [],
        result,
        titles[decision] % {"title": result.title},
        actor=actor,
        body=note,
    )
    _sync(project, result)
    return result


@transaction.atomic
def project_resubmit(*, actor, project: Project, expected_version: int, note: str = "") -> Project:
    current = _fresh(project, expected_version)
    _require_community_staff(actor, current)
    _stage(current, {Status.RETURNED}, "resubmit")
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.RESUBMITTED,
        to_status=Status.APPLIED,
        note=note.strip(),
    )
    _tell(
        _officers(result.community.subdistrict_id),
        result,
        _("专项重新申报待审核：%(title)s") % {"title": result.title},
        actor=actor,
    )
    _sync(project, result)
    return result


@transaction.atomic
def plan_revise(
    *, actor, project: Project, expected_version: int, scope: str, plan: str, budget, note: str
) -> PlanVersion:
    """A new version of the plan (the earlier ones are kept): after a return, or refined on site."""
    current = _fresh(project, expected_version)
    _require_manager(actor, current)
    _stage(current, {Status.APPLIED, Status.RETURNED, Status.APPROVED}, "plan_revise")
    scope = _required(scope, _("请写明实施范围。"), "scope")
    plan = _required(plan, _("请写明实施方案。"), "plan")
    note = _required(note, _("请说明改了什么、为什么改，例如：实地踏勘后细化。"), "note")
    amount = _budget(budget)
    if scope == current.scope and plan == current.plan and amount == current.budget:
        raise _invalid(_("方案没有变化。"), "plan")
    number = (current.plan_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        project=current,
        number=number,
        scope=scope,
        plan=plan,
        budget=amount,
        author=_user(actor),
        author_label=_label(actor),
        note=note[:200],
        created_at=timezone.now(),
    )
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.PLAN_REVISED,
        fields={"scope": scope, "plan": plan, "budget": amount},
        note=note,
        data={"version": number},
    )
    _sync(project, result)
    return version


def _sync(target: Project, source: Project) -> None:
    if target is not source:
        for f in Project._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


# ---------------------------------------------------------------- survey, construction, progress, acceptance


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
    current = _fresh(project, expected_version)
    _require_manager(actor, current)
    if kind == MeetingKind.SITE_SURVEY:
        _stage(current, {Status.APPROVED}, "survey")
        contractor = contractor or current.contractor
        if contractor is None or contractor.kind != Organisation.Kind.CONTRACTOR:
            raise _invalid(_("请选择施工单位，踏勘时一同到场。"), "contractor")
        field, event, title = "survey_meeting", Event.SURVEY_SCHEDULED, _("实地踏勘：%(title)s")
    elif kind == MeetingKind.ACCEPTANCE:
        _stage(current, {Status.UNDER_CONSTRUCTION}, "acceptance_schedule")
        contractor = current.contractor
        field, event, title = "acceptance_meeting", Event.ACCEPTANCE_SCHEDULED, _("验收：%(title)s")
    else:
        raise _invalid(_("只能安排实地踏勘或验收。"), "kind")
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
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=event,
        fields={field: meeting, "contractor": contractor},
        data={"meeting": meeting.pk},
    )
    _sync(project, result)
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
    current = _fresh(project, expected_version)
    _require_manager(actor, current)
    _stage(current, {Status.APPROVED}, "construction_start")
    if current.survey_meeting_id is None or current.contractor_id is None:
        raise ProjectError(
            ErrorCode.ILLEGAL_STAGE,
            _("开工前请先组织街道城管办、社区党委和施工队联合实地踏勘，并确定施工单位。"),
        )
    if planned_end < planned_start:
        raise _invalid(_("计划完工日期不能早于计划开工日期。"), "planned_end")
    for position, (title, weight) in enumerate(milestones, start=current.milestones.count() + 1):
        _milestone(current, title=title, weight=weight, position=position)
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.CONSTRUCTION_STARTED,
        to_status=Status.UNDER_CONSTRUCTION,
        fields={
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": actual_start or timezone.localdate(),
        },
        data={"milestones": [t for t, _w in milestones]},
    )
    _tell(
        deliberation.users_of(organisations=[result.contractor_id]),
        result,
        _("项目开工：%(title)s") % {"title": result.title},
        actor=actor,
    )
    _sync(project, result)
    return result


def _milestone(project: Project, *, title: str, weight: int, position: int) -> Milestone:
    title = _required(title, _("请填写节点名称。"), "title")
    if not 1 <= int(weight) <= 100:
        raise _invalid(_("权重应为 1 到 100 的整数。"), "weight")
    return Milestone.objects.create(project=project, title=title[:120], weight=int(weight), position=position)


def _may_post_progress(actor, project: Project) -> bool:
    j = policy.jurisdiction_of(actor)
    if project.contractor_id and project.contractor_id in j.organisation_ids:
        return True
    return permissions.is_community_staff(actor, project.community_id)


@transaction.atomic
def milestone_add(*, actor, project: Project, title: str, weight: int = 1) -> Milestone:
    _stage(project, {Status.APPROVED, Status.UNDER_CONSTRUCTION}, "milestone_add")
    if not _may_post_progress(actor, project) and not permissions.manages(actor, project.community_id):
        raise _denied(_("只有施工单位或社区工作人员可以设置节点。"))
    milestone = _milestone(project, title=title, weight=weight, position=project.milestones.count() + 1)
    _event(project, actor=actor, kind=Event.MILESTONE_ADDED, note=milestone.title, data={"weight": milestone.weight})
    _recompute_progress(project)
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
        raise _denied(_("只有本项目施工单位的人员或社区工作人员可以填报施工进展。"))
    _stage(current, {Status.UNDER_CONSTRUCTION}, "progress_post")
    note = _required(note, _("请简要说明今天的进展。"), "note")
    if not 0 <= int(percent) <= 100:
        raise _invalid(_("进度应为 0 到 100 之间的整数。"), "percent")
    has_milestones = current.milestones.exists()
    if has_milestones and (milestone is None or milestone.project_id != current.pk):
        raise _invalid(_("请选择本次进展所属的节点。"), "milestone")
    photos = _check_photos(photos)
    update = ProgressUpdate.objects.create(
        project=current,
        milestone=milestone if has_milestones else None,
        percent=int(percent),
        note=note,
        author=_user(actor),
        author_label=_label(actor),
        created_at=timezone.now(),
    )
    _store_photos(actor, current, photos, ProjectPhoto.Kind.PROGRESS, update)
    if has_milestones:
        Milestone.objects.filter(pk=milestone.pk).update(progress=int(percent))
        _recompute_progress(current)
    else:
        Project.objects.filter(pk=current.pk).update(progress=int(percent))
        current.progress = int(percent)
    _event(
        current,
        actor=actor,
        kind=Event.PROGRESS,
        note=note,
        data={"percent": int(percent), "milestone": milestone.pk if milestone else None, "progress": current.progress},
    )
    project.progress = current.progress
    return update


@transaction.atomic
def project_accept(
    *, actor, project: Project, expected_version: int, note: str = "", photos: Sequence[UploadedFile] = ()
) -> Project:
    """验收 at the acceptance meeting: the project closes, its linked open cases move to verified with the
    project's after photos (these, or the last progress photos), and their followers are told."""
    current = _fresh(project, expected_version)
    _require_manager(actor, current)
    _stage(current, {Status.UNDER_CONSTRUCTION}, "accept")
    if current.acceptance_meeting_id is None:
        raise ProjectError(ErrorCode.ILLEGAL_STAGE, _("请先安排验收会，邀请街道城管办、社区党委和施工队到场验收。"))
    if current.progress < 100:
        raise ProjectError(
            ErrorCode.ILLEGAL_STAGE,
            _("总体进度为 %(progress)d%%，尚未完工，不能验收。请施工单位填报完工进展后再验收。")
            % {"progress": current.progress},
        )
    photos = _check_photos(photos)
    stored = _store_photos(actor, current, photos, ProjectPhoto.Kind.AFTER)
    if not stored:
        last = current.updates.filter(photos__isnull=False).order_by("-created_at", "-id").first()
        stored = [p.photo for p in last.photos.select_related("photo")] if last else []
    if not stored:
        raise _invalid(_("请上传完工后的照片，居民将看到改造前后的对比。"), "photos")
    now = timezone.now()
    result = _write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.ACCEPTED,
        to_status=Status.ACCEPTED,
        fields={"accepted_at": now, "accepted_by": _user(actor), "actual_end": timezone.localdate(now)},
        note=note.strip(),
        data={"photos": [p.pk for p in stored]},
    )
    label = f"{result.title}（#{result.pk}）"
    for case in result.cases.filter(status__in=cases.PROJECT_ACCEPTABLE_STATUSES):
        cases.case_accept_by_project(
            actor=actor,
            case=case,
            expected_version=case.version,
            project_label=label,
            photos=stored,
            note=_("专项“%(title)s”验收通过。") % {"title": result.title},
            data={"project_id": result.pk},
        )
    _tell(_followers(result), result, _("项目已验收：%(title)s") % {"title": result.title}, actor=actor)
    _sync(project, result)
    return result


def _followers(project: Project) -> list:
    """Residents who answered the resolution's notice: they asked for this and should see it done."""
    if not project.resolution_id:
        return []
    meeting_id = Resolution.objects.filter(pk=project.resolution_id).values_list("item__meeting_id", flat=True)
    user_ids = NoticeResponse.objects.filter(notice__meeting_id__in=meeting_id).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


@transaction.atomic
def project_rate(*, actor, project: Project, satisfaction: str, comment: str = "") -> ProjectRating:
    """A resident of the community rates the finished project, once."""
    if satisfaction not in Satisfaction.values:
        raise _invalid(_("请选择满意、基本满意或不满意。"), "satisfaction")
    _stage(project, {Status.ACCEPTED}, "rate")
    if not permissions.is_resident_of(actor, project.community_id):
        raise _denied(_("只有本社区居民可以评价。"))
    person = Person.objects.filter(user=actor).first()
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(
                project=project,
                user=actor,
                name=person.name if person else str(actor)[:64],
                satisfaction=satisfaction,
                comment=comment.strip(),
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ProjectError(ErrorCode.ALREADY_DONE, _("您已经评价过这个项目，感谢参与。")) from None
