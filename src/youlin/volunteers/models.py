"""Volunteer activities (志愿服务活动) of a community's volunteer teams and partner units, sign-ups with their
check-in and check-out, and the service hours that follow. Writes are in ``services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from youlin.parties.models import Organisation, Person
from youlin.places.models import Community


class Activity(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="activities", verbose_name=_("社区")
    )
    title = models.CharField(_("活动名称"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("活动地点"), max_length=200)
    team = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team_activities",
        verbose_name=_("志愿服务队"),
    )
    partner_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_activities",
        verbose_name=_("共建单位"),
    )
    capacity = models.PositiveIntegerField(_("名额"))
    signed_up_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    description = models.TextField(_("活动内容"), blank=True)
    is_cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity_positive"),
            # The counter a sign-up moves with a conditional UPDATE: the database refuses overbooking too.
            models.CheckConstraint(condition=Q(signed_up_count__lte=F("capacity")), name="activity_not_overbooked"),
        ]
        indexes = [models.Index(fields=["community", "-starts_at"], name="activity_community_time")]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.signed_up_count)


class SignUp(models.Model):
    """One volunteer on one activity. States: signed_up → checked_in → checked_out; signed_up ⇄ cancelled."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已签到")
        CHECKED_OUT = "checked_out", _("已签退")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signups", verbose_name=_("志愿者"))
    team = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signups",
        verbose_name=_("所属服务队"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SIGNED_UP)
    signed_up_at = models.DateTimeField(_("报名时间"))
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=6, decimal_places=2, default=0)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity_id", "signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="signup_once_per_activity"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False), name="signup_out_after_in"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="signup_hours_not_negative"),
        ]
        indexes = [models.Index(fields=["person", "status"], name="signup_person_status")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.person_id} {self.status}"
