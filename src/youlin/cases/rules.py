"""Who sees and changes which rows of the case loop: the case loop's registrations with the access policy."""

from youlin.access.policy import Rule, register
from youlin.cases.models import (
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
    register(CategoryTimeLimit, Rule(subdistrict="subdistrict"))
