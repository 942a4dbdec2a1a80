"""Projects (专项): what a community cannot fund itself, escalated to its sub-district as an application,
reviewed, surveyed on site, built by a contractor with weighted milestones, and accepted.

Rows hold data and single-row invariants only; every write goes through ``services``, which records each
stage change as a ``ProjectEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases.models import Case, Satisfaction
from youlin.deliberation.models import Meeting, Resolution
from youlin.parties.models import Organisation
from youlin.photos.models import Photo
from youlin.places.models import Community, Compound


class Project(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("已申报")
        RETURNED = "returned", _("已退回")
        REJECTED = "rejected", _("未批准")
        APPROVED = "approved", _("已批准")
        UNDER_CONSTRUCTION = "under_construction", _("施工中")
        ACCEPTED = "accepted", _("已验收")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="projects", verbose_name=_("社区"))
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("小区/院落")
    )
    title = models.CharField(_("项目名称"), max_length=160)
    scope = models.TextField(_("实施范围"))
    plan = models.TextField(_("实施方案"))
    budget = models.DecimalField(_("预算估算（元）"), max_digits=12, decimal_places=2)
    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("决议")
    )
    cases = models.ManyToManyField(Case, related_name="projects", blank=True, verbose_name=_("相关案件"))
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.APPLIED)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("申报人")
    )
    applied_at = models.DateTimeField(_("申报时间"))
    first_reported_at = models.DateTimeField(_("首次反映时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    contractor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracted_projects",
        verbose_name=_("施工单位"),
    )
    survey_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveyed_projects",
        verbose_name=_("实地踏勘"),
    )
    acceptance_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_projects",
        verbose_name=_("验收会"),
    )
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际完工"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("总体进度（%）"), default=0)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("专项项目")
        verbose_name_plural = _("专项项目")
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["-applied_at", "-id"], name="project_keyset"),
            models.Index(fields=["community", "status"], name="project_community_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_percent"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="project_planned_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """Every version of the plan, with who changed it and why (the first is the application)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField(_("版本号"))
    scope = models.TextField(_("实施范围"))
    plan = models.TextField(_("实施方案"))
    budget = models.DecimalField(_("预算估算（元）"), max_digits=12, decimal_places=2)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("修改人")
    )
    author_label = models.CharField(_("修改人名称"), max_length=100, blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} v{self.number}"


class Milestone(models.Model):
    """A weighted part of the work; the project's progress is the weighted mean of its milestones'."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["project_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight_positive"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="milestone_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    milestone = models.ForeignKey(Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates")
    percent = models.PositiveSmallIntegerField(_("进度（%）"))
    note = models.TextField(_("进展说明"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("填报人")
    )
    author_label = models.CharField(_("填报人名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("施工进展")
        verbose_name_plural = _("施工进展")
        ordering = ["project_id", "-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_update_percent")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.percent}%"


class ProjectPhoto(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("现状")
        PROGRESS = "progress", _("施工中")
        AFTER = "after", _("完工后")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "photo"], name="project_photo_once")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"


class ProjectEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("project events are append-only")

    def delete(self):
        raise RuntimeError("project events are append-only")


class ProjectEvent(models.Model):
    """One entry of a project's record: each stage change, plan revision and progress step."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("申报")
        RESUBMITTED = "resubmitted", _("重新申报")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("不予批准")
        PLAN_REVISED = "plan_revised", _("修改方案")
        SURVEY_SCHEDULED = "survey_scheduled", _("安排实地踏勘")
        CONSTRUCTION_STARTED = "construction_started", _("开工")
        MILESTONE_ADDED = "milestone_added", _("设置节点")
        PROGRESS = "progress", _("施工进展")
        ACCEPTANCE_SCHEDULED = "acceptance_scheduled", _("安排验收")
        ACCEPTED = "accepted", _("验收通过")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    actor_label = models.CharField(_("操作人名称"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=24, choices=Project.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, choices=Project.Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    objects = ProjectEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目进程")
        verbose_name_plural = _("项目进程")
        ordering = ["project_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("project events are append-only")
        super().save(*args, **kwargs)


class ProjectRating(models.Model):
    """A resident's satisfaction with the finished project (once each)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=24, choices=Satisfaction.choices)
    comment = models.TextField(_("评价"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("居民评价")
        verbose_name_plural = _("居民评价")
        ordering = ["project_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_rating_once")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.satisfaction}"
