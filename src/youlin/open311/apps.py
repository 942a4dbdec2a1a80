from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "youlin.open311"
    verbose_name = _("Open311 接口")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from youlin.cases import routing_cache
        from youlin.open311.models import ApiKey

        # Keys are kept per process with what routing reads (``routing_cache``): a saved or deleted key (created,
        # renamed, revoked) moves the revision on. ``last_used_at`` is written by ``QuerySet.update``: no signal.
        post_save.connect(routing_cache._bump, sender=ApiKey, dispatch_uid="routing-revision-save-apikey")
        post_delete.connect(routing_cache._bump, sender=ApiKey, dispatch_uid="routing-revision-delete-apikey")
