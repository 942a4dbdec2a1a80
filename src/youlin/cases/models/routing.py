"""Routing rules (who gets which category where) and the revision the routing cache checks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases.models.categories import Category
from youlin.parties.models import Responsibility
from youlin.places.models import Community


class PlaceKind(models.TextChoices):
    BUILDING = "building", _("楼栋")
    ZONE = "zone", _("片区")
    COMPOUND = "compound", _("小区/院落")
    PUBLIC = "public", _("公共区域")
    ANY = "any", _("任意位置")


class RoutingRule(models.Model):
    """Which duty answers a kind of problem at a kind of place. Rules without a community apply everywhere;
    a community's own rules win over them (see ``selectors.route``)."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("社区"),
        help_text=_("留空表示全区默认规则"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("类别")
    )
    category_major = models.CharField(_("大类代码"), max_length=2, blank=True, help_text=_("两位大类代码，如 06"))
    place_kind = models.CharField(_("位置类型"), max_length=16, choices=PlaceKind.choices, default=PlaceKind.ANY)
    duty = models.CharField(_("职责"), max_length=32, choices=Responsibility.Duty.choices)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字小者先试"))
    is_active = models.BooleanField(_("启用"), default=True)
    key = models.CharField(_("规则标识"), max_length=64, blank=True, help_text=_("默认规则的固定标识，用于更新"))

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["community_id", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(category_major=""), name="routing_rule_category_or_major"
            ),
            models.CheckConstraint(
                condition=Q(category_major="") | Q(category_major__regex=r"^[0-9]{2}$"), name="routing_rule_major_2"
            ),
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="routing_rule_unique_key"),
        ]

    def __str__(self) -> str:
        what = self.category.label if self.category_id else (self.category_major or "*")
        return f"{what} @ {self.get_place_kind_display()} → {self.get_duty_display()}"


class RoutingRevision(models.Model):
    """One row whose number changes on every write to what routing reads (rules, responsibilities,
    organisations, time limits, categories and places), so each process knows when its routing cache is stale
    (``cases.routing_cache``). The number is random, not a counter: a rolled-back write can never hand a later
    one the number a cache was built under."""

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("分派数据版本")
        verbose_name_plural = _("分派数据版本")

    def __str__(self) -> str:
        return f"routing revision {self.number}"
