"""Registrations of the foundation's models with the access policy. Later apps register their own."""

from youlin.access.policy import Rule, register


def register_rules() -> None:
    from youlin.parties.models import Membership, Organisation, Person, Responsibility
    from youlin.places.models import Building, Community, Compound, Entrance, Grid, NamedPoint, Subdistrict, Zone

    register(Community, Rule(community="pk", subdistrict="subdistrict"))
    register(Subdistrict, Rule(subdistrict="pk", community="communities"))
    register(
        Compound,
        Rule(
            community="community", subdistrict="community__subdistrict", organisation="responsibilities__organisation"
        ),
    )
    register(
        Building,
        Rule(
            community="compound__community",
            subdistrict="compound__community__subdistrict",
            organisation="responsibilities__organisation",
        ),
    )
    register(Entrance, Rule(community="building__compound__community"))
    register(Grid, Rule(community="community", subdistrict="community__subdistrict"))
    register(
        Zone,
        Rule(
            community="community", subdistrict="community__subdistrict", organisation="responsibilities__organisation"
        ),
    )
    register(NamedPoint, Rule(community="community", subdistrict="community__subdistrict"))
    register(
        Organisation,
        Rule(
            community=(
                "community",
                "responsibilities__building__compound__community",
                "responsibilities__compound__community",
                "responsibilities__zone__community",
                "responsibilities__community",
                # The sub-district's departments and contractors, which a community's overview lists and its
                # cases are routed to, are seen from each of its communities.
                "subdistrict__communities",
            ),
            subdistrict="subdistrict",
            organisation="pk",
            organisation_can_change=True,
        ),
    )
    register(Person, Rule(community="community", owner="pk", owner_can_change=True))
    register(Membership, Rule(community="person__community", owner="person"))
    register(
        Responsibility,
        Rule(
            community=("building__compound__community", "compound__community", "zone__community", "community"),
            organisation="organisation",
        ),
    )
