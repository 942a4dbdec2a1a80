"""The bulletin (走社区·看新貌): a drafted, edited and published story of what changed, per community."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from youlin.places.models import Community


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=120)
    start_day = models.DateField(_("起始日期"))
    end_day = models.DateField(_("截止日期"))
    communities = models.ManyToManyField(Community, related_name="bulletins", verbose_name=_("社区"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("编辑")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("简报")
        verbose_name_plural = _("简报")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_day__gte=models.F("start_day")), name="bulletin_period"),
        ]

    def __str__(self) -> str:
        return self.title


class BulletinSection(models.Model):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="sections", verbose_name=_("简报"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    heading = models.CharField(_("小标题"), max_length=120)
    body = models.TextField(_("正文"))
    # Case numbers whose before/after photos illustrate the section (chosen when drafting; no personal data).
    highlights = models.JSONField(_("配图案件"), default=list, blank=True)

    class Meta:
        verbose_name = _("简报段落")
        verbose_name_plural = _("简报段落")
        ordering = ["bulletin_id", "position", "pk"]

    def __str__(self) -> str:
        return self.heading
