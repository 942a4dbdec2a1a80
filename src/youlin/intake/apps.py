from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "youlin.intake"
    verbose_name = _("智能分类")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from youlin.cases.models import Category
        from youlin.intake import selectors
        from youlin.intake.rules import register_rules

        register_rules()
        # A category renamed, added or switched off changes the label space at once in this process (others
        # notice within selectors.RECHECK_SECONDS).
        post_save.connect(selectors.forget_engine, sender=Category, dispatch_uid="intake-category-saved")
        post_delete.connect(selectors.forget_engine, sender=Category, dispatch_uid="intake-category-deleted")
