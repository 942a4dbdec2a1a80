from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "youlin.jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.core import periodic
        from youlin.jobs.models import Job

        # Only the staff who manage the job's community (and its sub-district's officers) see or touch a job.
        register(Job, Rule(community="community", subdistrict="community__subdistrict"))
        periodic.register("youlin.jobs.tasks.recover_stale_jobs", every_seconds=60)
