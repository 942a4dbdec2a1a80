"""Application and review: the community escalates a resolution or cases (专项申报); the sub-district approves,
returns (to revise and resubmit) or rejects; the plan is revised in versions, the earlier ones kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from youlin.cases import services as cases
from youlin.cases.models import OPEN_STATUSES, Case
from youlin.deliberation import permissions
from youlin.deliberation.selectors import resolution_origin
from youlin.domain.writes import actor_label, actor_user
from youlin.parties.selectors import subdistrict_officer_users
from youlin.projects.errors import ProjectError, ProjectErrorCode
from youlin.projects.models import PlanVersion, Project, ProjectPhoto
from youlin.projects.services.checks import (
    Event,
    Status,
    budget_amount,
    check_photos,
    denied,
    event,
    fresh,
    invalid,
    require_community_staff,
    require_manager,
    require_stage,
    required,
    store_photos,
    sync,
    tell,
    write,
)

if TYPE_CHECKING:
    from youlin.deliberation.models import Resolution


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
    title = required(title, _("请填写项目名称。"), "title")
    scope = required(scope, _("请写明实施范围：哪里、多大。"), "scope")
    plan = required(plan, _("请写明实施方案：做什么、怎么做。"), "plan")
    amount = budget_amount(budget)
    linked = list(dict.fromkeys(cases_))
    compound = None
    if resolution is not None:
        origin = resolution_origin(resolution)
        community, compound = origin.community, origin.compound
        linked = list(dict.fromkeys([*origin.cases, *linked]))
        if Project.objects.filter(resolution=resolution).exclude(status=Status.REJECTED).exists():
            raise ProjectError(ProjectErrorCode.ALREADY_DONE, _("这项决议已经申报过专项，请在项目页查看进展。"))
    elif linked:
        community = linked[0].community
        compound = linked[0].compound
    else:
        raise invalid(_("请从一项决议或至少一个案件发起申报。"), "cases")
    for case in linked:
        if case.community_id != community.pk:
            raise invalid(_("案件 %(number)s 不属于本社区。") % {"number": case.number}, "cases")
    if resolution is None and any(c.status not in OPEN_STATUSES for c in linked):
        raise invalid(_("已办结的案件无需申报专项。"), "cases")
    require_community_staff(actor, community.pk)
    photos = check_photos(photos)
    now = timezone.now()
    project = Project.objects.create(
        community=community,
        compound=compound,
        title=title,
        scope=scope,
        plan=plan,
        budget=amount,
        resolution=resolution,
        applied_by=actor_user(actor),
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
        author=actor_user(actor),
        author_label=actor_label(actor),
        note=str(_("申报方案")),
        created_at=now,
    )
    store_photos(actor, project, photos, ProjectPhoto.Kind.BEFORE)
    event(project, actor=actor, kind=Event.APPLIED, to_status=Status.APPLIED, data={"cases": [c.pk for c in linked]})
    for case in linked:
        cases.case_annotate(
            actor=actor,
            case=case,
            kind="escalated",
            note=cases.SystemNote(gettext_noop("申报专项：%(title)s"), {"title": title}),
            data={"project": project.pk},
        )
    tell(
        subdistrict_officer_users(community.subdistrict_id),
        project,
        _("专项申报待审核：%(title)s") % {"title": title},
        actor=actor,
    )
    return project


@transaction.atomic
def project_review(*, actor, project: Project, expected_version: int, decision: str, note: str = "") -> Project:
    """The sub-district approves, returns (with reasons, to revise and resubmit) or rejects an application."""
    current = fresh(project, expected_version)
    if not permissions.is_subdistrict_officer_for(actor, current.community.subdistrict_id):
        raise denied(_("只有所属街道的工作人员可以审核专项申报。"))
    require_stage(current, {Status.APPLIED}, "review")
    outcomes = {"approve": (Status.APPROVED, Event.APPROVED), "return": (Status.RETURNED, Event.RETURNED)}
    outcomes["reject"] = (Status.REJECTED, Event.REJECTED)
    if decision not in outcomes:
        raise invalid(_("请选择批准、退回或不予批准。"), "decision")
    note = note.strip()
    if decision != "approve" and not note:
        raise invalid(_("退回或不予批准时，请写明理由，便于社区修改。"), "note")
    to_status, kind = outcomes[decision]
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=kind,
        to_status=to_status,
        fields={"reviewed_by": actor_user(actor), "reviewed_at": timezone.now(), "review_note": note},
        note=note,
    )
    titles = {
        "approve": _("专项已批准：%(title)s"),
        "return": _("专项被退回：%(title)s"),
        "reject": _("专项未获批准：%(title)s"),
    }
    tell(
        [result.applied_by] if result.applied_by_id else [],
        result,
        titles[decision] % {"title": result.title},
        actor=actor,
        body=note,
    )
    sync(project, result)
    return result


@transaction.atomic
def project_resubmit(*, actor, project: Project, expected_version: int, note: str = "") -> Project:
    current = fresh(project, expected_version)
    require_community_staff(actor, current)
    require_stage(current, {Status.RETURNED}, "resubmit")
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.RESUBMITTED,
        to_status=Status.APPLIED,
        note=note.strip(),
    )
    tell(
        subdistrict_officer_users(result.community.subdistrict_id),
        result,
        _("专项重新申报待审核：%(title)s") % {"title": result.title},
        actor=actor,
    )
    sync(project, result)
    return result


@transaction.atomic
def plan_revise(
    *, actor, project: Project, expected_version: int, scope: str, plan: str, budget, note: str
) -> PlanVersion:
    """A new version of the plan (the earlier ones are kept): after a return, or refined on site."""
    current = fresh(project, expected_version)
    require_manager(actor, current)
    require_stage(current, {Status.APPLIED, Status.RETURNED, Status.APPROVED}, "plan_revise")
    scope = required(scope, _("请写明实施范围。"), "scope")
    plan = required(plan, _("请写明实施方案。"), "plan")
    note = required(note, _("请说明改了什么、为什么改，例如：实地踏勘后细化。"), "note")
    amount = budget_amount(budget)
    if scope == current.scope and plan == current.plan and amount == current.budget:
        raise invalid(_("方案没有变化。"), "plan")
    number = (current.plan_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        project=current,
        number=number,
        scope=scope,
        plan=plan,
        budget=amount,
        author=actor_user(actor),
        author_label=actor_label(actor),
        note=note[:200],
        created_at=timezone.now(),
    )
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.PLAN_REVISED,
        fields={"scope": scope, "plan": plan, "budget": amount},
        note=note,
        data={"version": number},
    )
    sync(project, result)
    return version
