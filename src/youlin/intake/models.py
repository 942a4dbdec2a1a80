"""Smart intake keeps one thing in the database: the corrections staff make to a case's category, which
``youlin intake train`` folds into the next model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youlin.cases.models import Case, Category


class CategoryCorrection(models.Model):
    """Staff changed a case's category from one to another: the case's text at that moment teaches the model."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="category_corrections", verbose_name=_("案件")
    )
    text = models.TextField(_("问题描述"))
    from_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("原类别"))
    to_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("改为"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正人"),
    )
    at = models.DateTimeField(_("更正时间"), default=timezone.now)

    class Meta:
        verbose_name = _("类别更正")
        verbose_name_plural = _("类别更正")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_category=F("to_category")), name="category_correction_changes_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_category_id} → {self.to_category_id}"
