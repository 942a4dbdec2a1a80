"""Who sees and changes which rows of a project: the projects' registrations with the access policy."""

from django.db.models import Q

from youlin.access.policy import Rule, register, register_page
from youlin.projects.models import (
    Milestone,
    PlanVersion,
    ProgressUpdate,
    Project,
    ProjectEvent,
    ProjectPhoto,
    ProjectRating,
)


def _public_photos() -> Q:
    from youlin.projects.selectors import PUBLIC_STATUSES

    return Q(project__status__in=PUBLIC_STATUSES)


def project_for(user, pk: int):
    from youlin.projects.selectors import project_for

    return project_for(user, pk)


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
    register_page(Project, lambda user, project: project_for(user, project.pk)[0] is not None)
    from youlin.files.attachments import Attachment
    from youlin.files.attachments import register as register_file

    # An approved project's page is public (``selectors.public_project``): its before, progress and acceptance photos
    # with it; a project not yet approved keeps them to those who may view it.
    register_file(Attachment(ProjectPhoto, photo="photo", public=_public_photos))
