"""Template filters for figures: {% load figures %}

{{ fig|figure }}            a Figure as the commission writes it (92.30%, 1.2万人)
{{ amount|figure:"万元" }}   a bare number with its unit
{{ change|change }}         a Change as text: 增长5.1%, 下降2.30个百分点
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from weijian.data.formatting import NO_FIGURE, format_figure

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    if value is None or value == "":
        return NO_FIGURE
    if hasattr(value, "decimals") and hasattr(value, "unit"):
        return format_figure(value.value, value.unit, value.decimals)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return NO_FIGURE
    return format_figure(number, unit or "", 2)


@register.filter
def change(value) -> str:
    return getattr(value, "text", "") or NO_FIGURE
