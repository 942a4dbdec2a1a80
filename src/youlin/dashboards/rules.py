"""Who sees and changes which bulletins: the dashboards' registrations with the access policy."""

from youlin.access.policy import Rule, register
from youlin.dashboards.models import Bulletin, BulletinSection


def register_rules() -> None:
    # A section is changed by staff of its community; the bulletin itself (publishing) by whoever manages all of
    # its communities.
    register(
        Bulletin,
        Rule(community="communities", subdistrict="communities__subdistrict", change_needs_every_community=True),
    )
    register(BulletinSection, Rule(community="community", subdistrict="community__subdistrict"))
