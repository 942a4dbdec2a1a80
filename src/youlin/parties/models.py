"""Parties: organisations, people, their memberships (roles) and who is responsible for which place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youlin.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict, Zone


class Organisation(models.Model):
    class Kind(models.TextChoices):
        OWNER_UNIT = "owner_unit", _("产权单位")
        PROPERTY_MANAGER = "property_manager", _("物业服务企业")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        MANAGEMENT_COMMITTEE = "management_committee", _("物业管理委员会")
        DEPARTMENT = "department", _("政府部门")
        PARTY_COMMITTEE = "party_committee", _("社区党委")
        PARTY_BRANCH = "party_branch", _("党支部")
        PARTNER_UNIT = "partner_unit", _("共建/结对单位")
        CONTRACTOR = "contractor", _("施工队")
        VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
        GARDEN_GROUP = "garden_group", _("花园管理小组")
        COMMUNITY_OFFICE = "community_office", _("社区居委会")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    # Home jurisdiction: a department belongs to a sub-district, most others to a community.
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("所属街道"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("所属社区"),
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind"),
        ]
        indexes = [models.Index(fields=["community", "kind"]), models.Index(fields=["subdistrict", "kind"])]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账户"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("居住/工作社区"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_CAPTAIN = "building_captain", _("楼门长")
    COMMUNITY_STAFF = "community_staff", _("社区工作者")
    COMMUNITY_SECRETARY = "community_secretary", _("社区党委书记")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记")
    SUBDISTRICT_OFFICER = "subdistrict_officer", _("街道工作人员")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    COMMITTEE_MEMBER = "committee_member", _("业委会/物管会委员")
    CONTRACTOR_STAFF = "contractor_staff", _("施工人员")
    VOLUNTEER = "volunteer", _("志愿者")
    REPRESENTATIVE = "representative", _("单位代表")


class Membership(models.Model):
    """A person in a role, within an organisation and/or at a place. Jurisdiction follows from these."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("人员"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("组织"),
    )
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("街道")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("社区")
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("小区/院落"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("楼栋")
    )
    entrance = models.ForeignKey(
        Entrance, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("单元")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("网格")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("片区")
    )
    title = models.CharField(_("职务"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("身份")
        verbose_name_plural = _("身份")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False)
                | Q(subdistrict__isnull=False)
                | Q(community__isnull=False)
                | Q(compound__isnull=False)
                | Q(building__isnull=False)
                | Q(entrance__isnull=False)
                | Q(grid__isnull=False)
                | Q(zone__isnull=False),
                name="membership_has_scope",
            ),
        ]
        indexes = [models.Index(fields=["role", "person"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class Responsibility(models.Model):
    """An organisation's duty for one place: 36号院甲楼's owner unit, its property manager, a zone's group."""

    class Duty(models.TextChoices):
        OWNER_UNIT = "owner_unit", _("产权单位")
        PROPERTY_MANAGER = "property_manager", _("物业服务")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        MANAGEMENT_COMMITTEE = "management_committee", _("物业管理委员会")
        GARDEN_GROUP = "garden_group", _("分片包干")
        URBAN_MANAGEMENT = "urban_management", _("城市管理")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("组织")
    )
    duty = models.CharField(_("职责"), max_length=32, choices=Duty.choices)
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("街道"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("社区"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("小区/院落"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("楼栋"),
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibilities", verbose_name=_("片区")
    )

    class Meta:
        verbose_name = _("责任")
        verbose_name_plural = _("责任")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subdistrict__isnull=False, community=None, compound=None, building=None, zone=None)
                    | Q(subdistrict=None, community__isnull=False, compound=None, building=None, zone=None)
                    | Q(subdistrict=None, community=None, compound__isnull=False, building=None, zone=None)
                    | Q(subdistrict=None, community=None, compound=None, building__isnull=False, zone=None)
                    | Q(subdistrict=None, community=None, compound=None, building=None, zone__isnull=False)
                ),
                name="responsibility_exactly_one_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_duty_display()}"
