"""Places: district → sub-district → community → compound → building → entrance, plus grids, zones and
named points. Geometry is WGS-84 GeoJSON; ``locate`` keeps the spatial index in memory."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from youlin.places.geo import GeometryError, point_from_geojson, polygon_from_geojson


class PlaceBase(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class AreaMixin(models.Model):
    """A place with an outline (GeoJSON Polygon/MultiPolygon, WGS-84)."""

    geometry = models.JSONField(_("边界"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.geometry:
            try:
                polygon_from_geojson(self.geometry)
            except GeometryError as exc:
                # The code goes on the field's error: a dict of messages would drop it.
                raise ValidationError({"geometry": ValidationError(exc.message, code=exc.code)}) from None


class District(AreaMixin, PlaceBase):
    code = models.CharField(_("区划代码"), max_length=6, unique=True)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["code"]


class Subdistrict(AreaMixin, PlaceBase):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("区"))
    code = models.CharField(_("街道代码"), max_length=9, unique=True, help_text=_("6 位区划 + 3 位街道"))

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["code"]


class Community(AreaMixin, PlaceBase):
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道")
    )
    code = models.CharField(_("社区代码"), max_length=12, unique=True, help_text=_("6 位区划 + 3 位街道 + 3 位社区"))
    slug = models.SlugField(_("网址名"), max_length=50, unique=True)
    case_prefix = models.CharField(
        _("案件编号前缀"), max_length=8, unique=True, help_text=_("案件编号以此开头，便于口头报读，如 SPK")
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    summary = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["code"]


class Compound(AreaMixin, PlaceBase):
    class Kind(models.TextChoices):
        ESTATE = "estate", _("小区")
        COURTYARD = "courtyard", _("平房院落")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ESTATE)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("户数"), default=0)

    class Meta:
        verbose_name = _("小区/院落")
        verbose_name_plural = _("小区/院落")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name_in_community"),
        ]


class Building(AreaMixin, PlaceBase):
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区/院落")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name_in_compound"),
        ]

    @property
    def full_name(self) -> str:
        return f"{self.compound.name}{self.name}"


class Entrance(PlaceBase):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="entrances", verbose_name=_("楼栋"))
    households = models.PositiveIntegerField(_("户数"), default=0)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="entrance_unique_name_in_building"),
        ]


class Grid(AreaMixin, PlaceBase):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("社区"))
    code = models.CharField(
        _("单元网格代码"), max_length=15, unique=True, help_text=_("15 位：6 位区划 + 3 位街道 + 3 位社区 + 3 位网格")
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{15}$"), name="grid_code_15_digits"),
        ]

    def clean(self):
        super().clean()
        if self.community_id and self.code and not self.code.startswith(self.community.code):
            raise ValidationError({"code": _("网格代码必须以所属社区代码开头。")}, code="grid_code_prefix")


class Zone(AreaMixin, PlaceBase):
    """A zone (片区) held by a group under zone responsibility (分片包干)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="zones", verbose_name=_("社区"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["community_id", "name"]


class NamedPoint(PlaceBase):
    """A named spot people refer to: the e-bike charging cabinet, a parking area, a bike shed."""

    class Kind(models.TextChoices):
        PARKING_AREA = "parking_area", _("停车区")
        CHARGING_CABINET = "charging_cabinet", _("电动自行车充电柜")
        BIKE_SHED = "bike_shed", _("车棚")
        GARDEN = "garden", _("花园绿地")
        GATE = "gate", _("出入口")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="named_points", verbose_name=_("社区")
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="named_points",
        verbose_name=_("小区/院落"),
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    geometry = models.JSONField(_("位置"), help_text=_("GeoJSON Point，WGS-84"))

    class Meta:
        verbose_name = _("地点标注")
        verbose_name_plural = _("地点标注")
        ordering = ["community_id", "name"]

    def clean(self):
        super().clean()
        try:
            point_from_geojson(self.geometry)
        except GeometryError as exc:
            raise ValidationError({"geometry": exc.message}, code=exc.code) from None


class PlacesRevision(models.Model):
    """One row whose number goes up on every place write, so each process knows when to rebuild its index."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("地点数据版本")
        verbose_name_plural = _("地点数据版本")

    def __str__(self) -> str:
        return f"places revision {self.number}"
