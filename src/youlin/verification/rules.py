"""Who sees one-time codes: nobody but superusers (a rule with no path matches no jurisdiction's rows)."""

from youlin.access.policy import Rule, register
from youlin.verification.models import PhoneCode


def register_rules() -> None:
    register(PhoneCode, Rule())
