"""The case (诉求) and what hangs on it: numbers, assignments, the append-only timeline, support, photos,
followers, extensions and follow-up visits (回访)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases.models.categories import Category, Urgency
from youlin.parties.models import Organisation, Person, Responsibility
from youlin.places.models import Building, Community, Compound, Grid, Zone


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

    # Indexed by the unique (community, day) constraint.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("社区")
    )
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
    # category and community: indexed by case_category_point and case_community_status, which start with them.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", db_index=False, verbose_name=_("类别")
    )
    description = models.TextField(_("问题描述"))
    # Where: WGS-84, resolved to places once at registration.
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    address = models.CharField(_("位置描述"), max_length=200, blank=True)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cases", db_index=False, verbose_name=_("社区")
    )
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
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,  # most places lie in no zone: a partial index (Meta)
        verbose_name=_("片区"),
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
        db_index=False,  # none for a hotline order or a staff registration: a partial index (Meta)
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
        db_index=False,  # none for an import from the command line or an Open311 post: a partial index (Meta)
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
        db_index=False,  # rare by design: a partial index (Meta)
        verbose_name=_("合并至"),
    )
    recurrence_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recurrences",
        db_index=False,  # rare by design: a partial index (Meta)
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
            # Foreign keys empty for most cases: only the rows that have one are indexed; ``col = X`` (filters,
            # the deletion collector's PROTECT and SET_NULL look-ups) still uses these.
            *(
                models.Index(fields=[f], condition=Q(**{f"{f}__isnull": False}), name=f"case_{f}_set")
                for f in ("zone", "reporter", "registered_by", "merged_into", "recurrence_of")
            ),
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

    # Indexed by the unique (case, organisation) constraint.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", db_index=False, verbose_name=_("案件")
    )
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

    # Indexed by case_event_timeline (case, at, id).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", db_index=False, verbose_name=_("案件")
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # none for the hotline's own steps and the system's: a partial index (Meta)
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
        indexes = [
            models.Index(fields=["case", "at", "id"], name="case_event_timeline"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="case_event_actor_set"),
        ]

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

    # Indexed by the unique (case, user) constraint.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="followers", db_index=False, verbose_name=_("案件")
    )
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
        db_index=False,  # none for a reporter's own rating or an imported answer: a partial index (Meta)
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
        indexes = [models.Index(fields=["by"], condition=Q(by__isnull=False), name="follow_up_visit_by_set")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d} {'✓' if self.reached else '✗'}"
