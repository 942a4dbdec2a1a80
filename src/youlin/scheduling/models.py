"""Bookkeeping shared by every ``youlin worker`` on every node: who enqueued which periodic task last, and
which workers are alive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicClaim(models.Model):
    """One row per periodic task: the worker that moves ``enqueued_at`` on (a conditional UPDATE) enqueues it;
    every other worker's UPDATE matches no row, so several workers enqueue each sweep once per interval."""

    task_path = models.CharField(_("任务"), max_length=200, primary_key=True)
    enqueued_at = models.DateTimeField(_("最近入队时间"))
    enqueued_by = models.CharField(_("入队的进程"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")

    def __str__(self) -> str:
        return self.task_path


class WorkerHeartbeat(models.Model):
    """A running worker (``host:pid``) and when it last ticked; ``/ready`` reads the newest."""

    name = models.CharField(_("进程"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")

    def __str__(self) -> str:
        return self.name
