"""In-app notifications (the bell), one row per recipient; e-mail copies are sent by the worker, at once or in a
daily digest, as each person chose for each kind of notification (``NotificationPreference``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.notifications.events import EVENTS, GENERAL


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    event = models.CharField(_("类型"), max_length=24, choices=list(EVENTS.items()), default=GENERAL)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Shown in the bell and the inbox; a person who wants only e-mail for this kind still gets the row, hidden.
    in_app = models.BooleanField(_("站内显示"), default=True)
    # Waits for the recipient's next daily digest; ``digested_at`` once it went out in one.
    digest = models.BooleanField(_("每日汇总"), default=False)
    digested_at = models.DateTimeField(_("汇总发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "id"],
                condition=Q(digest=True, digested_at__isnull=True),
                name="notification_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EmailMode(models.TextChoices):
    NONE = "none", _("不发邮件")
    INSTANT = "instant", _("即时邮件")
    DIGEST = "digest", _("每日汇总邮件")


class NotificationPreference(models.Model):
    """How one person wants one kind of notification: in the bell or not, and by e-mail at once, in a daily
    digest, or not. No row means the default: the bell and an e-mail at once (when they have an address)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("用户"),
    )
    event = models.CharField(_("类型"), max_length=24, choices=list(EVENTS.items()))
    in_app = models.BooleanField(_("站内通知"), default=True)
    email = models.CharField(_("邮件"), max_length=8, choices=EmailMode.choices, default=EmailMode.INSTANT)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        ordering = ["user_id", "event"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"


class NotificationDigest(models.Model):
    """One daily digest sent to one person: at most one a day (the unique row is also the lock)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"))
    count = models.PositiveIntegerField(_("条数"))

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="notification_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
