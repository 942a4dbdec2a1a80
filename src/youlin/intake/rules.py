"""Who sees the corrections staff made to cases' categories: those who see the case's community."""

from youlin.access.policy import Rule, register
from youlin.intake.models import CategoryCorrection


def register_rules() -> None:
    register(CategoryCorrection, Rule(community="case__community", subdistrict="case__community__subdistrict"))
