"""Open311 GeoReport v2: the keys of the systems that file requests, and what they sent with each case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A client system's key (a city platform, an app). Only a hash is stored; the key is shown once."""

    name = models.CharField(
        _("名称"), max_length=64, unique=True, help_text=_("记为经此密钥提交案件的来源渠道说明，如“12345平台”")
    )
    prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """What an Open311 client sent with a case it filed, beyond what the case itself keeps."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="open311_submission", verbose_name=_("案件")
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("密钥"))
    token = models.CharField(_("查询令牌"), max_length=40, unique=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    attributes = models.JSONField(_("附加属性"), default=dict, blank=True)
    email = models.CharField(_("电子邮箱"), max_length=254, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=100, blank=True)
    account_id = models.CharField(_("账户标识"), max_length=100, blank=True)
    first_name = models.CharField(_("名"), max_length=64, blank=True)
    last_name = models.CharField(_("姓"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 提交")
        verbose_name_plural = _("Open311 提交")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.api_key_id} → {self.case_id}"
