"""What every stage of a project checks and writes alike: the stage, the version (compare-and-swap with the
event row in the same transaction), who may act, the photos, and who is told."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from youlin.deliberation import permissions
from youlin.domain.writes import actor_label, actor_user, required_text, row_at_version, update_at_version
from youlin.notifications import events
from youlin.notifications.services import notify
from youlin.photos.models import Photo
from youlin.photos.services import PhotoError, photo_prepare, photos_create
from youlin.projects.errors import ProjectError, ProjectErrorCode
from youlin.projects.models import ProgressUpdate, Project, ProjectEvent, ProjectPhoto

Status = Project.Status
Event = ProjectEvent.Kind
MAX_PHOTOS = 9

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


def invalid(message, field: str | None = None) -> ProjectError:
    return ProjectError.invalid(message, field=field)


def required(value: str, message, field: str) -> str:
    return required_text(value, message, field=field, error=ProjectError)


def budget_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(_("请填写预算金额（元），如 85000。"), "budget") from None
    if amount < 0 or not amount.is_finite():
        raise invalid(_("预算不能为负数。"), "budget")
    return amount.quantize(Decimal("0.01"))


def require_stage(project: Project, allowed: set[str], action: str) -> None:
    if project.status not in allowed:
        raise ProjectError(
            ProjectErrorCode.ILLEGAL_STAGE,
            _("项目当前状态为“%(status)s”，不能%(action)s。请按“申报 → 审核 → 踏勘 → 施工 → 验收”的顺序办理。")
            % {"status": project.get_status_display(), "action": STAGE_ACTIONS[action]},
        )


def conflict() -> ProjectError:
    return ProjectError.conflict(_("项目刚刚被其他人更新过，请刷新页面查看最新情况后再操作。"))


def fresh(project: Project, expected_version: int) -> Project:
    """The project as stored now; a stale ``expected_version`` is a conflict before any other check."""
    return row_at_version(
        Project.objects.select_related("community"),
        pk=project.pk,
        expected_version=expected_version,
        conflict=conflict,
    )


def write(
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
    updates = {**(fields or {}), "updated_at": now}
    if to_status:
        updates["status"] = to_status
    update_at_version(Project, pk=project.pk, expected_version=expected_version, conflict=conflict, **updates)
    event(project, actor=actor, kind=kind, to_status=to_status, note=note, data=data, at=now)
    project.refresh_from_db()
    return project


def event(project: Project, *, actor, kind: str, to_status=None, note="", data=None, at=None) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        kind=kind,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        at=at or timezone.now(),
        from_status=project.status,
        to_status=to_status or project.status,
        note=note,
        data=data or {},
    )


def sync(target: Project, source: Project) -> None:
    """Let callers keep using the instance they passed in."""
    if target is not source:
        for f in Project._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def denied(message) -> ProjectError:
    return ProjectError.denied(message)


def require_manager(actor, project: Project) -> None:
    if not permissions.manages(actor, project.community_id):
        raise denied(_("只有本社区或所属街道的工作人员可以办理此事项。"))


def require_community_staff(actor, project_or_community_id) -> None:
    community_id = getattr(project_or_community_id, "community_id", project_or_community_id)
    if not permissions.is_community_staff(actor, community_id):
        raise denied(_("只有社区工作人员可以办理此事项。"))


def check_photos(uploads: Sequence[UploadedFile]) -> list[UploadedFile]:
    """All photos are checked before anything is written."""
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise invalid(
            ngettext("每次最多上传 %(count)d 张照片。", "每次最多上传 %(count)d 张照片。", MAX_PHOTOS)
            % {"count": MAX_PHOTOS},
            "photos",
        )
    for upload in uploads:
        try:
            photo_prepare(upload)
        except PhotoError as exc:
            raise invalid(exc.message, "photos") from None
    return uploads


def store_photos(actor, project: Project, uploads, kind: str, update: ProgressUpdate | None = None) -> list[Photo]:
    try:
        stored = photos_create(actor=actor, prepared=[photo_prepare(u) for u in uploads])
    except PhotoError as exc:  # the file store is down: nothing was stored
        raise invalid(exc.message, "photos") from exc
    ProjectPhoto.objects.bulk_create([ProjectPhoto(project=project, photo=p, kind=kind, update=update) for p in stored])
    return stored


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def tell(recipients, project: Project, title, *, actor, body: str = "") -> None:
    notify(
        recipients=recipients,
        title=title,
        body=body or project.title,
        url=project_url(project),
        event=events.PROJECT,
        exclude=actor_user(actor),
    )


def recompute_progress(project: Project) -> int:
    """Weighted mean of the milestones' progress (Decidim's accountability results work the same way)."""
    rows = list(project.milestones.values_list("weight", "progress"))
    total = sum(w for w, _p in rows)
    if not total:
        return project.progress
    value = round(sum(w * p for w, p in rows) / total)
    Project.objects.filter(pk=project.pk).update(progress=value)
    project.progress = value
    return value
