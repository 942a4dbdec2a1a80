from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DomainConfig(AppConfig):
    """Installed so that ``domain/locale`` (the shared messages' English) is read; it has no models."""

    name = "youlin.domain"
    verbose_name = _("共用")
