from django import template

from youlin.core.numbers import hours_text
from youlin.core.privacy import mask_name, mask_phone

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)


@register.filter
def rate(value, digits: int = 1) -> str:
    """A rate (0–1) as a percentage, e.g. 0.8571 → "85.7%"; a rate with nothing to measure (None) is "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def hours(value) -> str:
    """Service hours as people read them: 21.6, 2.25, 3 (never "21.6000000000000")."""
    return hours_text(value)
