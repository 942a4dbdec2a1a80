"""Numbers as people read them: service hours without the database's trailing digits."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HOURS_STEP = Decimal("0.01")  # SignUp.hours is stored to the hundredth


def hours_value(value) -> Decimal:
    """A sum of hours as a Decimal to the hundredth (SQLite's SUM of a decimal column returns
    ``Decimal('21.6000000000000')``; PostgreSQL's, ``Decimal('21.60')``)."""
    if value is None or value == "":
        return Decimal(0).quantize(HOURS_STEP)
    try:
        return Decimal(str(value)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return Decimal(0).quantize(HOURS_STEP)


def hours_text(value) -> str:
    """Hours for display: ``21.6``, ``2.25``, ``3`` (no trailing zeros, no exponent)."""
    text = format(hours_value(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
