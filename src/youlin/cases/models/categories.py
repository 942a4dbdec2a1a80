"""Categories (GB/T 47678.5 matters and the hotline's own), their time limits and the working-day calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases import categories as data
from youlin.places.models import Subdistrict


class Urgency(models.TextChoices):
    URGENT = data.URGENT, _("紧急（2 小时）")
    UTILITIES = data.UTILITIES, _("水电气热（24 小时）")
    GENERAL = data.GENERAL, _("一般（5 个工作日）")
    COMPLEX = data.COMPLEX, _("复杂（15 个工作日）")


class TimeUnit(models.TextChoices):
    """How a time limit runs: by the clock (urgent matters), or only on working days (法定节假日 and weekends do
    not count, 调休 make-up days do; see ``workdays``)."""

    HOURS = data.HOURS_UNIT, _("小时（自然时间）")
    WORKING_HOURS = data.WORKING_HOURS_UNIT, _("工作小时")
    WORKING_DAYS = data.WORKING_DAYS_UNIT, _("工作日")


class Category(models.Model):
    """A GB/T 47678.5-2026 code (5 digits: 2-digit major class + 3-digit minor class) or a local extension."""

    class Kind(models.TextChoices):
        COMPONENT = data.COMPONENT, _("管理部件")
        MATTER = data.MATTER, _("管理事项")

    code = models.CharField(_("代码"), max_length=5)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    major_code = models.CharField(_("大类代码"), max_length=2, db_index=True)
    major = models.CharField(_("大类"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    # English names from the shipped data file (``categories.EN_CSV_PATH``); ``label`` picks by the active language.
    major_en = models.CharField(_("大类（英文）"), max_length=64, blank=True)
    name_en = models.CharField(_("名称（英文）"), max_length=100, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.GENERAL)
    time_limit = models.PositiveIntegerField(_("处置时限"), default=5)
    time_limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    is_local = models.BooleanField(_("本地扩展"), default=False, help_text=_("小类 080–999 为本地扩展代码"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="category_unique_kind_code"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{5}$"), name="category_code_5_digits"),
            models.CheckConstraint(condition=Q(time_limit__gt=0), name="category_time_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The name in the active language (the Chinese name where no English one is known)."""
        return data.localized(self.name, self.name_en)

    @property
    def major_label(self) -> str:
        return data.localized(self.major, self.major_en)


class CategoryTimeLimit(models.Model):
    """A sub-district's own time limit (and urgency) for a category, over the district default."""

    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.CASCADE, related_name="category_time_limits", verbose_name=_("街道")
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="time_limits", verbose_name=_("类别"))
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    time_limit = models.PositiveIntegerField(_("处置时限"))
    time_limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )

    class Meta:
        verbose_name = _("街道处置时限")
        verbose_name_plural = _("街道处置时限")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "category"], name="category_time_limit_unique"),
            models.CheckConstraint(condition=Q(time_limit__gt=0), name="category_time_limit_override_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subdistrict} {self.category}: {self.time_limit} {self.get_time_limit_unit_display()}"


class WorkdayOverride(models.Model):
    """A day the district declares working or not, over the official calendar (``workdays``): for a year the
    calendar package does not know yet, or a local arrangement."""

    day = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_working_day else '休息日'}"
