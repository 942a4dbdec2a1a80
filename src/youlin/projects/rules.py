"""Who sees and changes which rows of a project: the projects' registrations with the access policy."""

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


def register_rules() -> None:
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
    from youlin.files.attachments import Attachment
    from youlin.files.attachments import register as register_file

    register_file(Attachment(ProjectPhoto, photo="photo"))  # no public page shows a project's photos
