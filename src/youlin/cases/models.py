"""Cases (诉求): the closed loop from report to evaluation, its timeline, categories and routing rules.

Rows here hold data and single-row invariants only. Every change of a case goes through ``services``, which
checks the transition, the actor and the version, and writes a ``CaseEvent`` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases import categories as data
from youlin.parties.models import Organisation, Person, Responsibility
from youlin.places.models import Building, Community, Compound, Grid, Subdistrict, Zone


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


class Channel(models.TextChoices):
    PATROL = "patrol", _("网格巡查")
    RESIDENT = "resident", _("居民上报")
    HOTLINE = "hotline", _("12345 热线")
    DOOR_TO_DOOR = "door_to_door", _("下户进门")
    MEETING = "meeting", _("议事协商会")
    API = "api", _("接口")


# Channels through which residents (not staff in their role) report: their names and phones are masked for
# everyone who does not manage the case.
MASKED_REPORTER_CHANNELS = frozenset({Channel.RESIDENT, Channel.HOTLINE, Channel.API})


class Status(models.TextChoices):
    REGISTERED = "registered", _("已立案")
    VOIDED = "voided", _("已作废")
    DISPATCHED = "dispatched", _("已派遣")
    ACCEPTED = "accepted", _("已接单")
    RETURNED = "returned", _("已退回")
    IN_PROGRESS = "in_progress", _("处置中")
    REPORTED_DONE = "reported_done", _("已反馈")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.RETURNED,
        Status.IN_PROGRESS,
        Status.REPORTED_DONE,
        Status.VERIFIED,
    }
)
CLOSED_STATUSES = frozenset({Status.CLOSED, Status.EVALUATED})


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class SupervisionLevel(models.IntegerChoices):
    """How far an overdue case has been escalated (督办), each level pressing harder and telling more people."""

    NONE = 0, _("未督办")
    REMINDER = 1, _("到期提醒")
    COMMUNITY = 2, _("社区督办")
    SUBDISTRICT = 3, _("街道督办")
    DISTRICT = 4, _("区级挂牌督办")


class Triage(models.TextChoices):
    """Why a registered case waits for staff before it is dispatched (待分拣)."""

    NONE = "", _("无需分拣")
    LOCATION = "location", _("位置待确认")
    CATEGORY = "category", _("类别待确认")


class CaseNumberCounter(models.Model):
    """One row per community and day; the row lock taken by its UPDATE serialises number allocation."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    day = models.DateField(_("日期"))
    last = models.PositiveIntegerField(_("当日最后序号"), default=0)

    class Meta:
        verbose_name = _("案件编号计数")
        verbose_name_plural = _("案件编号计数")
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="case_counter_unique_day")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.last}"


class Case(models.Model):
    number = models.CharField(_("案件编号"), max_length=24, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别"))
    description = models.TextField(_("问题描述"))
    # Where: WGS-84, resolved to places once at registration.
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    address = models.CharField(_("位置描述"), max_length=200, blank=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="cases", verbose_name=_("社区"))
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("小区/院落")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("楼栋")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("网格")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("片区")
    )
    # Who and how.
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    channel_detail = models.CharField(
        _("渠道说明"), max_length=64, blank=True, help_text=_("经接口提交时为所用接口密钥的名称")
    )
    reporter = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("报告人"),
    )
    reporter_name = models.CharField(_("报告人姓名"), max_length=64, blank=True)
    reporter_phone = models.CharField(_("报告人电话"), max_length=32, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    tracking_token = models.CharField(_("查询码"), max_length=64, unique=True, editable=False)
    # 12345 work orders.
    hotline_number = models.CharField(_("工单编号"), max_length=40, blank=True)
    hotline_received_at = models.DateTimeField(_("热线受理时间"), null=True, blank=True)
    hotline_unit = models.CharField(_("承办单位"), max_length=100, blank=True)
    hotline_category = models.CharField(
        _("诉求类型"), max_length=200, blank=True, help_text=_("12345 自己的分类，按原文保存")
    )
    hotline_data = models.JSONField(
        _("工单原始数据"), default=dict, blank=True, help_text=_("工单文件中本系统没有对应字段的列，按列名保存")
    )
    # State.
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    registered_at = models.DateTimeField(_("立案时间"))
    deadline = models.DateTimeField(_("处置期限"))
    triage = models.CharField(_("待分拣"), max_length=16, choices=Triage.choices, blank=True, default="")
    needs_deliberation = models.BooleanField(
        _("需议事协商"), default=False, help_text=_("多个责任方共管的位置，需召开议事协商会")
    )
    organisations = models.ManyToManyField(
        Organisation, through="CaseAssignment", related_name="cases", verbose_name=_("责任单位")
    )
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    reported_done_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # The latest valid follow-up visit (回访, ``FollowUpVisit``): the three 12345 questions. Empty until one.
    evaluated_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=24, choices=Satisfaction.choices, blank=True)
    responded = models.BooleanField(_("已响应"), null=True, blank=True)
    resolved = models.BooleanField(_("已解决"), null=True, blank=True)
    evaluation_comment = models.TextField(_("评价意见"), blank=True)
    # Counters.
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    reopen_count = models.PositiveIntegerField(_("重新打开次数"), default=0)
    supervise_count = models.PositiveIntegerField(_("督办次数"), default=0)
    supervision_level = models.PositiveSmallIntegerField(
        _("督办级别"), choices=SupervisionLevel.choices, default=SupervisionLevel.NONE
    )
    support_count = models.PositiveIntegerField(_("点赞数"), default=0)
    # Links.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("合并至"),
    )
    recurrence_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recurrences",
        verbose_name=_("反弹自"),
        help_text=_("同一位置同类问题的首个案件"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"], name="case_community_status"),
            models.Index(fields=["deadline"], name="case_deadline"),
            models.Index(fields=["-registered_at", "-id"], name="case_keyset"),
            models.Index(fields=["category", "lat", "lon"], name="case_category_point"),
            models.Index(fields=["closed_at"], name="case_closed_at"),
            models.Index(fields=["supervision_level", "deadline"], name="case_supervision"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90), name="case_point_in_range"
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="case_not_merged_into_itself"),
            models.UniqueConstraint(
                fields=["hotline_number"], condition=~Q(hotline_number=""), name="case_unique_hotline_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.label if self.category_id else ''}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseAssignment(models.Model):
    """A responsible organisation of a case and the duty it answers in. Several rows: a joint dispatch."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("案件"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="case_assignments", verbose_name=_("责任单位")
    )
    duty = models.CharField(_("职责"), max_length=32, choices=Responsibility.Duty.choices)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="case_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation}"


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("立案")
    VOIDED = "voided", _("作废")
    ROUTED = "routed", _("分派责任单位")
    REROUTED = "rerouted", _("调整责任单位")
    DISPATCHED = "dispatched", _("派遣")
    ACCEPTED = "accepted", _("接单")
    RETURNED = "returned", _("退回")
    STARTED = "started", _("开始处置")
    REPORTED_DONE = "reported_done", _("处置反馈")
    VERIFIED = "verified", _("核查通过")
    VERIFICATION_FAILED = "verification_failed", _("核查未通过")
    CLOSED = "closed", _("结案")
    EVALUATED = "evaluated", _("评价")
    REOPENED = "reopened", _("重新打开")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REJECTED = "extension_rejected", _("驳回延期")
    SUPERVISED = "supervised", _("督办")
    MERGED = "merged", _("合并至其他案件")
    ABSORBED = "absorbed", _("合并其他案件")
    DELIBERATED = "deliberated", _("议事协商形成决议")
    ACTION_ITEM_DONE = "action_item_done", _("任务完成")
    ESCALATED = "escalated", _("申报专项")
    CORRECTED = "corrected", _("更正位置或类别")
    FOLLOWED_UP = "followed_up", _("回访")
    FOLLOW_UP_ATTEMPTED = "follow_up_attempted", _("回访未接通")
    HOTLINE_UPDATED = "hotline_updated", _("工单信息更新")


class AppendOnlyError(RuntimeError):
    """The timeline is a record: rows are never changed or removed."""


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("case events are append-only")

    def delete(self):
        raise AppendOnlyError("case events are append-only")


class CaseEvent(models.Model):
    """One entry on a case's timeline, written by the same transaction as the change it records."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("案件"))
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # What the step says to the public (Open311 status_notes, the tracking page); ``note`` stays internal.
    # A database default too: the set-based imports insert events with the columns they know (``imports.write``).
    public_note = models.TextField(_("公开答复"), blank=True, default="", db_default="")
    data = models.JSONField(_("数据"), default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件进程")
        verbose_name_plural = _("案件进程")
        ordering = ["case_id", "at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("case events are append-only")

    @property
    def display_note(self) -> str:
        """The note in the reader's language where the system wrote it (``cases.notes``); a person's words as
        written."""
        from youlin.cases.notes import display

        return display(self.note, self.data)

    @property
    def display_actor(self) -> str:
        """Who took the step; the system (the overdue sweep) is named in the reader's language."""
        if (self.data or {}).get("by") == "system" and self.actor_id is None:
            from youlin.cases.services.deadlines import SYSTEM_LABEL

            return str(SYSTEM_LABEL)
        return self.actor_label


class CaseSupport(models.Model):
    """A "+1" (点赞): one per user and case. The row is the record; the case keeps a running count."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports", verbose_name=_("案件"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_supports", verbose_name=_("用户")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("点赞")
        verbose_name_plural = _("点赞")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_support_once")]

    def __str__(self) -> str:
        return f"{self.case_id} +1"


class CasePhoto(models.Model):
    """A photo of the problem (before) or of the work done (after), linked to the timeline event it came with."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("处置前")
        AFTER = "after", _("处置后")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("案件"))
    photo = models.ForeignKey("photos.Photo", on_delete=models.PROTECT, related_name="+", verbose_name=_("照片"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("所属进程"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["case_id", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "photo"], name="case_photo_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.photo_id}"


class CaseFollower(models.Model):
    """Someone told about every step of a case: the registrant, the reporter, the responsible parties' people,
    and anyone who follows it by hand."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers", verbose_name=_("案件"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_cases", verbose_name=_("用户")
    )
    created_at = models.DateTimeField(_("关注时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_once")]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.user_id}"


class CaseExtension(models.Model):
    """A handler asks for more time; the community decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("案件"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("申请人")
    )
    reason = models.TextField(_("延期理由"))
    old_deadline = models.DateTimeField(_("原期限"))
    requested_deadline = models.DateTimeField(_("申请期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="case_extension_one_pending"),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=models.F("old_deadline")), name="case_extension_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.requested_deadline:%Y-%m-%d}"


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


class FollowUpVisit(models.Model):
    """A follow-up (回访) of a closed case: a callback by staff, or the reporter's own rating. A visit that did not
    reach the caller (未接通) is an attempt, on the timeline but not counted; a reached one answers the three
    12345 questions, and the latest reached visit is the case's (``Case.responded`` …)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话回访")
        ONSITE = "onsite", _("上门回访")
        SELF = "self", _("本人评价")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits", verbose_name=_("案件"))
    event = models.OneToOneField(CaseEvent, on_delete=models.PROTECT, related_name="visit", verbose_name=_("所属进程"))
    at = models.DateTimeField(_("回访时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    channel = models.CharField(_("回访方式"), max_length=8, choices=Channel.choices)
    reached = models.BooleanField(_("已接通"))
    responded = models.BooleanField(_("是否联系"), null=True, blank=True)
    resolved = models.BooleanField(_("是否解决"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=24, choices=Satisfaction.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reached=True, responded__isnull=False, resolved__isnull=False) & ~Q(satisfaction=""))
                | Q(reached=False, responded__isnull=True, resolved__isnull=True, satisfaction=""),
                name="follow_up_answers_when_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d} {'✓' if self.reached else '✗'}"


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


class CaseUpdate(models.Model):
    """An update on a case, as on FixMyStreet: words and photos from the reporter, residents and staff, beside the
    steps of the loop (an update is not a step: it takes no version and moves no status). Residents' updates are
    public; staff choose. A hidden update is kept, with who hid it and why (``CaseUpdateModeration``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates", verbose_name=_("案件"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作者"),
    )
    author_label = models.CharField(_("作者名称"), max_length=100, blank=True)
    # The side the author wrote for, shown to the public in place of a staff member's name (an organisation or
    # the community); empty for residents.
    author_unit = models.CharField(_("所属单位"), max_length=100, blank=True)
    by_reporter = models.BooleanField(_("报告人"), default=False)
    by_staff = models.BooleanField(_("工作人员"), default=False)
    text = models.TextField(_("内容"))
    is_public = models.BooleanField(_("公开"), default=True, help_text=_("报告人和居民可见"))
    photos = models.ManyToManyField("photos.Photo", blank=True, related_name="+", verbose_name=_("照片"))
    created_at = models.DateTimeField(_("时间"))
    flag_count = models.PositiveIntegerField(_("举报次数"), default=0)
    hidden_at = models.DateTimeField(_("隐藏时间"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("隐藏人"),
    )
    hidden_reason = models.TextField(_("隐藏理由"), blank=True)

    class Meta:
        verbose_name = _("案件进展留言")
        verbose_name_plural = _("案件进展留言")
        ordering = ["case_id", "created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="case_update_thread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="case_update_hidden_with_reason"
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(by_staff=True), name="case_update_only_staff_internal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CaseUpdateFlag(models.Model):
    """Someone reports an update as abusive: one flag per person (an account, or a browser session)."""

    update = models.ForeignKey(CaseUpdate, on_delete=models.CASCADE, related_name="flags", verbose_name=_("留言"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("举报人"),
    )
    # "u:<user id>" or a hash of the anonymous visitor's session: who flagged, without storing who they are.
    flagger_key = models.CharField(_("举报人标识"), max_length=80)
    reason = models.CharField(_("举报理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("留言举报")
        verbose_name_plural = _("留言举报")
        ordering = ["update_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["update", "flagger_key"], name="case_update_flag_once")]

    def __str__(self) -> str:
        return f"{self.update_id} ⚑"


class CaseUpdateModeration(models.Model):
    """The audit of moderation: each time staff hide or show again an update, with the reason. Append-only."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("隐藏")
        RESTORED = "restored", _("恢复显示")

    update = models.ForeignKey(CaseUpdate, on_delete=models.CASCADE, related_name="moderations", verbose_name=_("留言"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"))

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("留言处理记录")
        verbose_name_plural = _("留言处理记录")
        ordering = ["update_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.update_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("moderation records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("moderation records are append-only")


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
