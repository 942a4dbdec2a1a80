"""Public updates on a case (留言), their flags and moderation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases.models.case import AppendOnlyError, Case, CaseEventQuerySet


class CaseUpdate(models.Model):
    """An update on a case, as on FixMyStreet: words and photos from the reporter, residents and staff, beside the
    steps of the loop (an update is not a step: it takes no version and moves no status). Residents' updates are
    public; staff choose. A hidden update is kept, with who hid it and why (``CaseUpdateModeration``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates", verbose_name=_("案件"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作者"),
    )
    author_label = models.CharField(_("作者名称"), max_length=100, blank=True)
    # The side the author wrote for, shown to the public in place of a staff member's name (an organisation or
    # the community); empty for residents.
    author_unit = models.CharField(_("所属单位"), max_length=100, blank=True)
    by_reporter = models.BooleanField(_("报告人"), default=False)
    by_staff = models.BooleanField(_("工作人员"), default=False)
    text = models.TextField(_("内容"))
    is_public = models.BooleanField(_("公开"), default=True, help_text=_("报告人和居民可见"))
    photos = models.ManyToManyField("photos.Photo", blank=True, related_name="+", verbose_name=_("照片"))
    created_at = models.DateTimeField(_("时间"))
    flag_count = models.PositiveIntegerField(_("举报次数"), default=0)
    hidden_at = models.DateTimeField(_("隐藏时间"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("隐藏人"),
    )
    hidden_reason = models.TextField(_("隐藏理由"), blank=True)

    class Meta:
        verbose_name = _("案件进展留言")
        verbose_name_plural = _("案件进展留言")
        ordering = ["case_id", "created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="case_update_thread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="case_update_hidden_with_reason"
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(by_staff=True), name="case_update_only_staff_internal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CaseUpdateFlag(models.Model):
    """Someone reports an update as abusive: one flag per person (an account, or a browser session)."""

    update = models.ForeignKey(CaseUpdate, on_delete=models.CASCADE, related_name="flags", verbose_name=_("留言"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("举报人"),
    )
    # "u:<user id>" or a hash of the anonymous visitor's session: who flagged, without storing who they are.
    flagger_key = models.CharField(_("举报人标识"), max_length=80)
    reason = models.CharField(_("举报理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("留言举报")
        verbose_name_plural = _("留言举报")
        ordering = ["update_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["update", "flagger_key"], name="case_update_flag_once")]

    def __str__(self) -> str:
        return f"{self.update_id} ⚑"


class CaseUpdateModeration(models.Model):
    """The audit of moderation: each time staff hide or show again an update, with the reason. Append-only."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("隐藏")
        RESTORED = "restored", _("恢复显示")

    update = models.ForeignKey(CaseUpdate, on_delete=models.CASCADE, related_name="moderations", verbose_name=_("留言"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"))

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("留言处理记录")
        verbose_name_plural = _("留言处理记录")
        ordering = ["update_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.update_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("moderation records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("moderation records are append-only")
