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


@register.filter
def viewable(obj, user) -> bool:
    """Whether ``obj``'s own page opens for ``user`` (``policy.can_open``, what that page's view checks): a page
    links a case, a meeting or a project only for a viewer who can open it, and names it as text otherwise. One
    query or two per object (none for the district)."""
    from youlin.access import policy

    return obj is not None and user is not None and policy.can_open(user, obj)
