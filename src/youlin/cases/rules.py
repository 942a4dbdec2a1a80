"""Who sees and changes which rows of the case loop: the case loop's registrations with the access policy."""

from django.db.models import Q

from youlin.access.policy import Rule, register
from youlin.cases.models import (
    CLOSED_STATUSES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseExtension,
    CaseFollower,
    CasePhoto,
    CaseSupport,
    CaseUpdate,
    CaseUpdateFlag,
    CaseUpdateModeration,
    CategoryTimeLimit,
    FollowUpVisit,
    RoutingRule,
)


def register_rules() -> None:
    # A responsible organisation sees the cases routed to it; a reporter sees their own.
    register(
        Case,
        Rule(
            community="community",
            subdistrict="community__subdistrict",
            organisation="assignments__organisation",
            owner="reporter",
        ),
    )
    for model in (
        CaseEvent,
        CaseAssignment,
        CaseExtension,
        CaseSupport,
        CasePhoto,
        CaseFollower,
        FollowUpVisit,
        CaseUpdate,
    ):
        register(
            model,
            Rule(
                community="case__community",
                subdistrict="case__community__subdistrict",
                organisation="case__assignments__organisation",
                owner="case__reporter",
            ),
        )
    # Flags and moderation records are staff's business: the case's community and sub-district only.
    for model in (CaseUpdateFlag, CaseUpdateModeration):
        register(model, Rule(community="update__case__community", subdistrict="update__case__community__subdistrict"))
    register(RoutingRule, Rule(community="community", subdistrict="community__subdistrict"))
    register_files()


# The cases whose tracking link this browser opened (``views.track``): their photos are its to see.
TRACKED_SESSION_KEY = "youlin_tracked_cases"


def _public_photos() -> Q:
    # Open311 publishes every request's "before" photo (media_url); a closed case's photos are on its
    # community's public page and in bulletins.
    return Q(kind=CasePhoto.Kind.BEFORE) | Q(case__status__in=CLOSED_STATUSES)


def _tracked(request) -> Q | None:
    session = getattr(request, "session", None)
    ids = session.get(TRACKED_SESSION_KEY) if session is not None else None
    return Q(case_id__in=ids) if ids else None


def register_files() -> None:
    from youlin.files.attachments import Attachment
    from youlin.files.attachments import register as register_file

    register_file(Attachment(CasePhoto, photo="photo", public=_public_photos, grant=_tracked))
    register(CategoryTimeLimit, Rule(subdistrict="subdistrict"))
