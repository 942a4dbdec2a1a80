"""Photos: stored without EXIF, checked by content, with a thumbnail. Other apps link to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Photo(models.Model):
    image = models.ImageField(_("图片"), upload_to="photos/%Y/%m/", db_index=True)  # the media route looks it up
    thumbnail = models.ImageField(_("缩略图"), upload_to="photos/thumbs/%Y/%m/", db_index=True)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    content_type = models.CharField(_("类型"), max_length=32)
    sha256 = models.CharField(_("摘要"), max_length=64, db_index=True)
    # GPS read from the original's EXIF before it was stripped: a suggestion for the location, never shown.
    gps_lon = models.FloatField(_("拍摄经度"), null=True, blank=True)
    gps_lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传者"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name
