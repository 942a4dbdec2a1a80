"""Who sees and touches a long job: only the staff who manage its community (and its sub-district's officers)."""

from youlin.access.policy import Rule, register
from youlin.jobs.models import Job


def register_rules() -> None:
    register(Job, Rule(community="community", subdistrict="community__subdistrict"))
