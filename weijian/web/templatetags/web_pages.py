"""Template filters of the pages: numerators and denominators written as the commission writes
counts (through data.formatting, like every figure)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def count(value) -> str:
    """A numerator or denominator as a count: 5051, 3.05万, 12.5; — when missing."""
    from weijian.data.formatting import NO_FIGURE, format_figure

    if value is None or value == "":
        return NO_FIGURE
    return format_figure(Decimal(value), "", 2)
