"""Who sees which subscriptions: a subscriber their own; the community's staff those of their community."""

from youlin.access.policy import Rule, register
from youlin.alerts.models import Subscription


def register_rules() -> None:
    register(Subscription, Rule(community="community", subdistrict="community__subdistrict"))
