"""Ledgers (台账) and the community work that feeds them: campaigns (阶段性工作重点), ledger entries with their
photos, ledger imports, door-to-door visits (下户进门), frontage duties (门前三包) and zone-responsibility logs
(分片包干). Rows hold data and single-row invariants; every write is in ``services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.parties.models import Organisation, Person
from youlin.places.models import Building, Community, Compound, Entrance, Zone


class Campaign(models.Model):
    """A community's staged work priority: 清理堆物堆料 from March to December, 80 places."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("社区"))
    title = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("说明"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("目标数（处）"), default=0)
    cases = models.ManyToManyField(
        "cases.Case", through="CampaignCase", related_name="campaigns", blank=True, verbose_name=_("关联案件")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段性工作重点")
        verbose_name_plural = _("阶段性工作重点")
        ordering = ["community_id", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="campaign_unique_title_in_community"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignCase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="campaign_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作重点关联案件")
        verbose_name_plural = _("工作重点关联案件")
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="campaign_case_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} ↔ {self.case_id}"


class Ledger(models.Model):
    """One ledger of a community: its rectification ledger, its residents' safety-hazard ledger, or its own."""

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("整治台账")
        HAZARD = "hazard", _("居民安全隐患台账")
        CUSTOM = "custom", _("自定义台账")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="ledgers", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("台账")
        verbose_name_plural = _("台账")
        ordering = ["community_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="ledger_unique_name_in_community")]

    def __str__(self) -> str:
        return self.name


class MeasureClass(models.TextChoices):
    """分类施策: the kind of measure a problem's root cause calls for."""

    PERSUADE = "persuade", _("劝导")
    CLEAN_UP = "clean_up", _("清理")
    DEMOLISH = "demolish", _("拆除")
    REPAIR = "repair", _("维修")
    REPLACE = "replace", _("更换")
    REGULATE = "regulate", _("规范整理")
    ENFORCEMENT = "enforcement", _("移交执法")
    OTHER = "other", _("其他")


class EntryStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已整改")
    CANCELLED = "cancelled", _("已撤销")


class LedgerEntry(models.Model):
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="entries", verbose_name=_("台账"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("社区")
    )
    seq = models.PositiveIntegerField(_("序号"))
    location_text = models.CharField(_("问题位置"), max_length=200)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("小区/院落")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("楼栋")
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("问题类别"),
    )
    description = models.TextField(_("问题描述"))
    root_cause = models.TextField(_("调查源头"), blank=True)
    measure_class = models.CharField(_("分类施策"), max_length=16, choices=MeasureClass.choices, blank=True)
    measure = models.TextField(_("整改措施"), blank=True)
    responsible_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("责任单位"),
    )
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    status = models.CharField(_("整改情况"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.OPEN)
    result = models.TextField(_("整改结果"), blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("关联案件"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("阶段性工作重点"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("台账条目")
        verbose_name_plural = _("台账条目")
        ordering = ["ledger_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "seq"], name="ledger_entry_unique_seq"),
            models.CheckConstraint(condition=Q(seq__gt=0), name="ledger_entry_seq_positive"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False), name="ledger_entry_done_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["ledger", "-seq"], name="ledger_entry_keyset"),
            models.Index(fields=["community", "status"], name="ledger_entry_status"),
            models.Index(fields=["campaign", "status"], name="ledger_entry_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id}#{self.seq} {self.location_text}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")


class LedgerEntryPhoto(models.Model):
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="photos", verbose_name=_("条目"))
    photo = models.ForeignKey("photos.Photo", on_delete=models.PROTECT, related_name="+", verbose_name=_("照片"))
    kind = models.CharField(_("类型"), max_length=8, choices=PhotoKind.choices)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("台账照片")
        verbose_name_plural = _("台账照片")
        ordering = ["entry_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"


# ---------------------------------------------------------------- door-to-door visits


class Visit(models.Model):
    """A building captain's door-to-door visit (下户进门) of one building (and entrance)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="visits", verbose_name=_("社区"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="visits", verbose_name=_("楼栋"))
    entrance = models.ForeignKey(
        Entrance, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("单元")
    )
    visited_on = models.DateField(_("走访日期"))
    households_reached = models.PositiveIntegerField(_("走访户数"))
    note = models.TextField(_("走访情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits", verbose_name=_("走访人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("下户走访")
        verbose_name_plural = _("下户走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["community", "-visited_on"], name="visit_community_date")]

    def __str__(self) -> str:
        return f"{self.building_id} {self.visited_on}"


class VisitFinding(models.Model):
    """A problem found on a visit; it becomes a ledger entry or a case in one step (never both)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("走访"))
    description = models.TextField(_("发现问题"))
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("转入台账"),
    )
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("转为案件"),
    )

    class Meta:
        verbose_name = _("走访发现")
        verbose_name_plural = _("走访发现")
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ledger_entry__isnull=True) | Q(case__isnull=True), name="visit_finding_one_outcome"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]


# ---------------------------------------------------------------- frontage duties


class FrontageDuty(models.Model):
    """A shop's or unit's frontage agreement (门前三包): sanitation, order and greening in front of its door."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="frontage_duties", verbose_name=_("社区")
    )
    name = models.CharField(_("商户/单位"), max_length=100)
    address = models.CharField(_("门前位置"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="frontage_duties",
        verbose_name=_("责任单位"),
    )
    responsible_person = models.CharField(_("责任人"), max_length=64)
    responsible_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    sanitation = models.BooleanField(_("包卫生"), default=True)
    order = models.BooleanField(_("包秩序"), default=True)
    greening = models.BooleanField(_("包绿化"), default=True)
    signed_on = models.DateField(_("签订日期"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("门前三包责任书")
        verbose_name_plural = _("门前三包责任书")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="frontage_duty_unique_name"),
            models.CheckConstraint(
                condition=Q(sanitation=True) | Q(order=True) | Q(greening=True), name="frontage_duty_covers_something"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FrontageInspection(models.Model):
    duty = models.ForeignKey(
        FrontageDuty, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("责任书")
    )
    inspected_at = models.DateTimeField(_("检查时间"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sanitation_ok = models.BooleanField(_("卫生达标"), default=True)
    order_ok = models.BooleanField(_("秩序达标"), default=True)
    greening_ok = models.BooleanField(_("绿化达标"), default=True)
    passed = models.BooleanField(_("合格"))
    note = models.TextField(_("检查情况"), blank=True)
    photos = models.ManyToManyField("photos.Photo", related_name="+", blank=True, verbose_name=_("照片"))
    escalated_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("自动立案"),
    )

    class Meta:
        verbose_name = _("门前三包检查")
        verbose_name_plural = _("门前三包检查")
        ordering = ["duty_id", "-inspected_at", "-id"]
        indexes = [models.Index(fields=["duty", "inspected_at"], name="frontage_inspection_time")]

    def __str__(self) -> str:
        return f"{self.duty_id} {self.inspected_at:%Y-%m-%d} {'✓' if self.passed else '✗'}"


# ---------------------------------------------------------------- zone responsibility


class ZoneLog(models.Model):
    """A garden group's patrol or maintenance of its zone (分片包干)."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("巡查")
        MAINTENANCE = "maintenance", _("养护")

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="logs", verbose_name=_("片区"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zone_logs",
        verbose_name=_("花园管理小组"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    logged_at = models.DateTimeField(_("时间"))
    note = models.TextField(_("情况"), blank=True)
    photos = models.ManyToManyField("photos.Photo", related_name="+", blank=True, verbose_name=_("照片"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="zone_logs")

    class Meta:
        verbose_name = _("片区日志")
        verbose_name_plural = _("片区日志")
        ordering = ["zone_id", "-logged_at", "-id"]
        indexes = [models.Index(fields=["zone", "kind", "logged_at"], name="zone_log_kind_time")]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.kind} {self.logged_at:%Y-%m-%d}"
