"""How documents name a unit's commission and its area (公文 headers, 全市/全县)."""

from __future__ import annotations

from .models import Level, OrgUnit


def issuer_for(org: OrgUnit) -> str:
    """The commission of a unit: 示例市卫生健康委员会, 云川县卫生健康局."""
    if org.level <= Level.CITY:
        return f"{org.name}卫生健康委员会"
    if org.level == Level.COUNTY:
        return f"{org.name}卫生健康局"
    return org.name


def area_word(org: OrgUnit) -> str:
    """How a report names its own area: 全市, 全县, 全区, or the unit's name."""
    if org.level <= Level.CITY:
        return "全市" if org.name.endswith("市") else f"全{org.name[-1]}"
    if org.level == Level.COUNTY:
        return f"全{org.name[-1]}" if org.name[-1] in "县区市旗" else org.name
    return org.name
