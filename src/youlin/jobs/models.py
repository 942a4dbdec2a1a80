"""Long jobs (imports of a file): one row each, which the page polls and the worker updates as it goes.

A job keeps the uploaded file only while it may need it: a job queued for the worker stores it, and a failed or
cancelled job keeps it so that it can run again (retry) without the person uploading it anew; a job run at once
(a small file on the page, the command line) holds it in memory and stores it only if it fails or is cancelled;
a job that succeeded drops it (files carry residents' names and phone numbers, and a year of 12345 history would
otherwise be written twice). ``file_kept`` says whether ``content`` holds the file. ``heartbeat_at``
is the lease: a running job whose heartbeat is older than ``YOULIN_JOB_STALE_SECONDS`` lost its worker, and the
recovery sweep (``services.jobs_recover_stale``) queues it again or fails it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.places.models import Community


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("已导入")
        FAILED = "failed", _("未导入")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    actor_label = models.CharField(_("发起人名称"), max_length=100, blank=True)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("社区"))
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    content = models.BinaryField(_("文件内容"), editable=False)
    file_kept = models.BooleanField(_("保留原文件"), default=True, editable=False)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增条数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新条数"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变条数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    errors = models.JSONField(_("问题清单"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "kind", "-created_at"], name="job_community_kind"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")) | Q(total_rows=0), name="job_progress_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} {self.status}"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def can_cancel(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def can_retry(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.CANCELLED} and self.file_kept


FINISHED = frozenset({Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.CANCELLED})
