"""Deliberation (议事协商): meetings, their invitees and sign-in, agenda items with competing proposals, votes,
resolutions with action items, and the public notice of the outcome.

Rows hold data and single-row invariants only; every write goes through ``services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.cases.models import Case
from youlin.parties.models import Organisation, Person
from youlin.photos.models import Photo
from youlin.places.models import Community, Compound


class MeetingKind(models.TextChoices):
    DELIBERATION = "deliberation", _("议事协商会")
    COORDINATION = "coordination", _("协调会")
    SITE_SURVEY = "site_survey", _("实地踏勘")
    ACCEPTANCE = "acceptance", _("验收")


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待召开")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("社区"))
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("小区/院落")
    )
    title = models.CharField(_("会议名称"), max_length=120)
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    starts_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("会议地点"), max_length=120)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("召集人")
    )
    convener_label = models.CharField(_("召集人名称"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    minutes = models.TextField(_("会议纪要"), blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("法定人数（%）"),
        default=50,
        help_text=_("受邀表决方（单位和个人，每个单位一票）中，至少多少比例参加表决，表决才有效"),
    )
    pass_percent = models.PositiveSmallIntegerField(
        _("通过比例（%）"), default=50, help_text=_("赞成票须超过赞成与反对票之和的这一比例；弃权不计入")
    )
    source_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发起案件")
    )
    held_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "-starts_at", "-id"], name="meeting_keyset")]
        constraints = [
            models.CheckConstraint(condition=Q(quorum_percent__gte=1, quorum_percent__lte=100), name="meeting_quorum"),
            models.CheckConstraint(condition=Q(pass_percent__lte=99), name="meeting_pass_percent"),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """An invited organisation or person, with or without a voting right."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("会议"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("组织")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("人员")
    )
    label = models.CharField(_("身份"), max_length=40, blank=True, help_text=_("如：居民代表、产权单位"))
    can_vote = models.BooleanField(_("有表决权"), default=False)

    class Meta:
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, person=None) | Q(organisation=None, person__isnull=False),
                name="invitation_organisation_or_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"], condition=Q(organisation__isnull=False), name="invitation_org_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="invitation_person_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.person)


class Attendance(models.Model):
    """Sign-in (签到): who attended, and the invited organisation they represent (one representative each: a
    member of the organisation, or a proxy whose written authorisation is noted)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("参会人"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代表单位"),
    )
    authorisation = models.CharField(
        _("授权委托"), max_length=200, blank=True, help_text=_("代理人出示的书面授权委托书，如：委托书编号、出具日期")
    )
    signed_in_at = models.DateTimeField(_("签到时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["meeting_id", "signed_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(organisation__isnull=False),
                name="attendance_one_representative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.person}"


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待决")
        ADOPTED = "adopted", _("已形成决议")
        REJECTED = "rejected", _("未通过")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("会议"))
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=160)
    description = models.TextField(_("说明"), blank=True)
    cases = models.ManyToManyField(Case, related_name="agenda_items", blank=True, verbose_name=_("相关案件"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A proposal (方案): one of the competing answers to an agenda item."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("议题"))
    title = models.CharField(_("方案"), max_length=160)
    description = models.TextField(_("内容"), blank=True)
    proposed_by_label = models.CharField(_("提出人"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        ordering = ["item_id", "id"]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("赞成")
        AGAINST = "against", _("反对")
        ABSTAIN = "abstain", _("弃权")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes", verbose_name=_("方案"))
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("表决人"))
    # The invited organisation the voter cast this vote for (its one vote); empty: the voter's own vote.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("代表单位")
    )
    choice = models.CharField(_("表决"), max_length=8, choices=Choice.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("登记人")
    )
    cast_at = models.DateTimeField(_("表决时间"))

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["proposal_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], condition=Q(organisation=None), name="vote_once"),
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                condition=Q(organisation__isnull=False),
                name="vote_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.voter_id} {self.choice}"


class Resolution(models.Model):
    """The adopted proposal of an agenda item (决议)."""

    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("协商一致")
        VOTE = "vote", _("表决")

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="resolution", verbose_name=_("议题"))
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="resolution", verbose_name=_("采纳方案")
    )
    method = models.CharField(_("决定方式"), max_length=16, choices=Method.choices)
    text = models.TextField(_("决议内容"))
    note = models.TextField(_("补充说明"), blank=True)
    tally = models.JSONField(_("计票"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("记录人")
    )
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.proposal.title if self.proposal_id else self.text[:40]

    @property
    def counts(self) -> dict | None:
        """For / against / abstain of the adopted proposal when decided by vote (``None`` by consensus)."""
        if self.method != self.Method.VOTE:
            return None
        return (self.tally.get("proposals") or {}).get(str(self.proposal_id))


class ActionItem(models.Model):
    """A task (任务) of a resolution: what, who, by when, for which case."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        DONE = "done", _("已完成")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("决议")
    )
    title = models.CharField(_("任务"), max_length=200)
    assignee_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("责任单位"),
    )
    assignee_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items", verbose_name=_("责任人")
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("相关案件")
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成人"),
    )
    completion_note = models.TextField(_("完成情况"), blank=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on", "id"], name="action_item_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_organisation__isnull=False) | Q(assignee_person__isnull=False),
                name="action_item_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    """A meeting's material: a photo or a document."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials", verbose_name=_("会议"))
    title = models.CharField(_("名称"), max_length=120)
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    document = models.FileField(_("文件"), upload_to="meetings/%Y/%m/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(photo__isnull=False) | ~Q(document=""), name="material_has_content")
        ]

    def __str__(self) -> str:
        return self.title


class PublicNotice(models.Model):
    """公示: a meeting's outcome shown to the residents of its compound (or community) for a period."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notices", verbose_name=_("会议"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("小区/院落")
    )
    title = models.CharField(_("标题"), max_length=160)
    body = models.TextField(_("公示内容"))
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    review_on = models.DateField(_("复核日期"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="notice_period")]

    def __str__(self) -> str:
        return self.title


class NoticeResponse(models.Model):
    class Stance(models.TextChoices):
        SUPPORT = "support", _("支持")
        OBJECT = "object", _("反对")

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="responses", verbose_name=_("公示"))
    # Who answered: an account, or a phone number confirmed by a one-time code (kept only as a keyed hash).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    phone_hash = models.CharField(_("手机号（加密）"), max_length=64, blank=True, editable=False)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    stance = models.CharField(_("意见"), max_length=8, choices=Stance.choices)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("公示意见")
        verbose_name_plural = _("公示意见")
        ordering = ["notice_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user"], condition=Q(user__isnull=False), name="notice_response_once"
            ),
            models.UniqueConstraint(
                fields=["notice", "phone_hash"], condition=~Q(phone_hash=""), name="notice_response_once_per_phone"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone_hash=""), name="notice_response_has_identity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.stance}"
