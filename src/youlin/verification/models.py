"""A light identity for people without an account: a phone number confirmed by a one-time code.

Neither the number nor the code is stored: the number as a keyed hash (so "one answer per phone" can be
checked), the code as a keyed hash with a per-row nonce. Each row is one code sent, which also makes the
sending rate countable across processes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    phone_hash = models.CharField(_("手机号（加密）"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=64)
    nonce = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    client_hash = models.CharField(_("来源（加密）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    confirmed_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证码")
        verbose_name_plural = _("手机验证码")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_hash", "purpose", "-created_at"], name="phone_code_lookup"),
            models.Index(fields=["client_hash", "-created_at"], name="phone_code_client"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="phone_code_ttl")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
