"""Area alerts (社区动态订阅): anyone follows what is new in a community or one of its grids — new cases, public
notices, bulletins. With an account, alerts come as notifications (the bell, e-mail or the daily digest, as the
person chose); without one, by e-mail, once the address is confirmed through a link. Every e-mail carries an
unsubscribe link; the key in both links is a long random token."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.places.models import Community, Grid


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="area_subscriptions",
        verbose_name=_("用户"),
    )
    email = models.EmailField(_("邮箱"), blank=True, help_text=_("没有账号的订阅者"))
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("网格"),
        help_text=_("留空表示整个社区"),
    )
    cases = models.BooleanField(_("新的诉求"), default=True)
    notices = models.BooleanField(_("公示"), default=True)
    bulletins = models.BooleanField(_("简报"), default=True)
    # The key of the confirmation and unsubscribe links (``secrets.token_urlsafe``): unguessable, one per row.
    token = models.CharField(_("链接密钥"), max_length=64, unique=True, editable=False)
    language = models.CharField(_("语言"), max_length=8, default="zh-hans")
    created_at = models.DateTimeField(_("订阅时间"))
    confirmation_sent_at = models.DateTimeField(_("确认邮件发送时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Everything published up to this moment has been delivered (or predates the subscription).
    delivered_until = models.DateTimeField(_("已推送至"))

    class Meta:
        verbose_name = _("动态订阅")
        verbose_name_plural = _("动态订阅")
        ordering = ["community_id", "pk"]
        indexes = [models.Index(fields=["community", "confirmed_at"], name="subscription_due")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="subscription_user_or_email",
            ),
            models.CheckConstraint(
                condition=Q(cases=True) | Q(notices=True) | Q(bulletins=True), name="subscription_some_topic"
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(user__isnull=False, grid__isnull=True),
                name="subscription_user_community_once",
            ),
            models.UniqueConstraint(
                fields=["user", "grid"],
                condition=Q(user__isnull=False, grid__isnull=False),
                name="subscription_user_grid_once",
            ),
            models.UniqueConstraint(
                fields=["email", "community"],
                condition=Q(user__isnull=True, grid__isnull=True),
                name="subscription_email_community_once",
            ),
            models.UniqueConstraint(
                fields=["email", "grid"],
                condition=Q(user__isnull=True, grid__isnull=False),
                name="subscription_email_grid_once",
            ),
        ]

    def __str__(self) -> str:
        who = self.email or str(self.user)
        return f"{who} → {self.grid or self.community}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def area(self):
        return self.grid or self.community
