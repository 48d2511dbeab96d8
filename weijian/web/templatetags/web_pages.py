"""Template filters of the pages: numerators and denominators written as the commission writes
counts (through data.formatting, like every figure)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def count(value) -> str:
    """A numerator or denominator: whole numbers without decimals, others with two; — when missing."""
    from weijian.data.formatting import format_figure

    if value is None or value == "":
        return "—"
    number = Decimal(value)
    return format_figure(number, "", 0 if number == number.to_integral_value() else 2)
