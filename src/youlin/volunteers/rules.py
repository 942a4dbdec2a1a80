"""Who sees and changes which volunteer rows: the volunteers' registrations with the access policy."""

from youlin.access.policy import Rule, register
from youlin.volunteers.models import Activity, SignUp


def register_rules() -> None:
    # The community sees its activities; a team's and a partner unit's people see theirs; a volunteer sees
    # the activities they signed up for.
    register(
        Activity,
        Rule(
            community="community",
            subdistrict="community__subdistrict",
            organisation="team",
            owner="signups__person",
        ),
    )
    register(
        SignUp,
        Rule(
            community="activity__community",
            subdistrict="activity__community__subdistrict",
            organisation="activity__team",
            owner="person",
        ),
    )
