"""Numbers as the commission writes them: 1.2万, 3.45亿, 92.30%, 3.2‰, 16.1/10万, "—" when
there is no figure. Used by pages, reports and the `figure` template filter."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Units whose figures are rates: shown with fixed decimals, changed in points (百分点, ‰ …).
RATE_UNITS = frozenset({"%", "％", "‰", "‱", "1/10万", "/10万", "1/万", "/万"})
# "16.1" followed by "1/10万" would read 16.11/10万: a per-population unit is shown as "/10万".
_SHOWN_UNIT = {"％": "%", "1/10万": "/10万", "1/万": "/万"}
_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
NO_FIGURE = "—"


def format_figure(value: Decimal | None, unit: str, decimals: int = 2) -> str:
    """Rates keep `decimals` places (92.30%); counts of 1万 and more are written in 万 or 亿
    with up to `decimals` places and no trailing zeros (1.2万人, 3.45亿元); smaller counts as
    they are (1234人, 3.5天). A unit that already starts with 万 ("万元") moves up to 亿."""
    if value is None:
        return NO_FIGURE
    value = Decimal(value)
    unit = unit or ""
    if unit in RATE_UNITS:
        return f"{_fixed(value, decimals)}{rate_unit(unit)}"
    sign = "-" if value < 0 else ""
    size = abs(value)
    # In 万 and 亿 two places are kept even for a whole count: 12345人 is 1.23万人, not 1万人.
    scaled = max(decimals, 2)
    if unit.startswith("万") and size >= _WAN:
        return f"{sign}{_trimmed(size / _WAN, scaled)}亿{unit[1:]}"
    if size >= _YI:
        return f"{sign}{_trimmed(size / _YI, scaled)}亿{unit}"
    if size >= _WAN:
        return f"{sign}{_trimmed(size / _WAN, scaled)}万{unit}"
    return f"{sign}{_trimmed(size, decimals)}{unit}"


def rate_unit(unit: str) -> str:
    """How a rate's unit follows its number: %, ‰, /10万."""
    return _SHOWN_UNIT.get(unit, unit)


def _fixed(value: Decimal, decimals: int) -> str:
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(q, "f")


def _trimmed(value: Decimal, decimals: int) -> str:
    text = _fixed(value, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
