from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "youlin.projects"
    verbose_name = _("专项项目")

    def ready(self) -> None:
        from youlin.access.policy import Rule, register
        from youlin.projects.models import (
            Milestone,
            PlanVersion,
            ProgressUpdate,
            Project,
            ProjectEvent,
            ProjectPhoto,
            ProjectRating,
        )

        # The community and its sub-district manage; the contractor's staff see the projects they build.
        register(
            Project,
            Rule(community="community", subdistrict="community__subdistrict", organisation="contractor"),
        )
        for model in (PlanVersion, Milestone, ProgressUpdate, ProjectPhoto, ProjectEvent, ProjectRating):
            register(
                model,
                Rule(
                    community="project__community",
                    subdistrict="project__community__subdistrict",
                    organisation="project__contractor",
                ),
            )
