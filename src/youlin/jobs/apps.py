from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "youlin.jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from youlin.jobs.rules import register_rules

        register_rules()
