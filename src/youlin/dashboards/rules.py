"""Who sees and changes which bulletins: the dashboards' registrations with the access policy."""

from youlin.access.policy import Rule, register
from youlin.dashboards.models import Bulletin, BulletinSection


def register_rules() -> None:
    register(Bulletin, Rule(community="communities", subdistrict="communities__subdistrict"))
    register(BulletinSection, Rule(community="community", subdistrict="community__subdistrict"))
