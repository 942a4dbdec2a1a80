"""Who sees which rows of smart intake: a category correction goes with its case's community and sub-district."""

from youlin.access.policy import Rule, register
from youlin.intake.models import CategoryCorrection


def register_rules() -> None:
    register(CategoryCorrection, Rule(community="case__community", subdistrict="case__community__subdistrict"))
