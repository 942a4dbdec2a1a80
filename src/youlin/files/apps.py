from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "youlin.files"
    verbose_name = _("已上传文件")
