"""Accounts: the login identity. Who a person is in the community lives in ``parties``."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)
    # Demo accounts have documented passwords; they authenticate only while YOULIN_DEMO is on.
    is_demo = models.BooleanField(_("演示账户"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username
