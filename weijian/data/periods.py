"""Period codes (DHIS2 style) and their dates: 2024, 2024S1, 2024Q1, 202401.

Periods are created on first use; roll-ups compare dates, so a year contains its halves,
quarters and months without any table of relations."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .clean import period_code
from .models import Period, PeriodType

# [0-9], not \d: \d also matches full-width and other digits, which made "２０２５" a period
# of its own; codes are brought to ASCII by clean.period_code first.
_PATTERNS = [
    (re.compile(r"^([0-9]{4})$"), PeriodType.YEAR),
    (re.compile(r"^([0-9]{4})S([12])$"), PeriodType.HALF),
    (re.compile(r"^([0-9]{4})Q([1-4])$"), PeriodType.QUARTER),
    (re.compile(r"^([0-9]{4})(0[1-9]|1[0-2])$"), PeriodType.MONTH),
]
_MONTHS_PER = {PeriodType.YEAR: 12, PeriodType.HALF: 6, PeriodType.QUARTER: 3, PeriodType.MONTH: 1}
_ORDER = [PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF, PeriodType.YEAR]


class PeriodError(ValueError):
    """A period code that cannot be read; the message is for the user."""


@dataclass(frozen=True, slots=True)
class ParsedPeriod:
    code: str
    type: str
    start: date
    end: date
    partial: bool = False  # the first months of a period only (see `through`)

    @property
    def year(self) -> int:
        return self.start.year


def through(code: str, month_end: date) -> ParsedPeriod:
    """The months of period `code` up to the end of `month_end`'s month: the part of a year or
    quarter in progress that 同比 compares (2026 through October → 2026-01-01 … 2026-10-31).
    The whole period when `month_end` reaches its end."""
    p = parse(code)
    end = date(month_end.year, month_end.month, calendar.monthrange(month_end.year, month_end.month)[1])
    if end >= p.end:
        return p
    if end < p.start:
        raise PeriodError(f"{end:%Y年%m月}不在{label(code)}之内")
    return ParsedPeriod(f"{p.code}至{end.month:02d}", p.type, p.start, end, partial=True)


def year_before(p: ParsedPeriod) -> ParsedPeriod:
    """The same months a year earlier: the base of 同比, for a whole or a partial period."""
    if not p.partial:
        return parse(same_period_last_year(p.code))
    whole = parse(same_period_last_year(p.code.split("至")[0]))
    end = date(p.end.year - 1, p.end.month, calendar.monthrange(p.end.year - 1, p.end.month)[1])
    return ParsedPeriod(f"{whole.code}至{end.month:02d}", whole.type, whole.start, end, partial=True)


FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse(code: str) -> ParsedPeriod:
    """Read a period code; raises PeriodError with a Chinese message when it is not one."""
    text = period_code(code)
    for pattern, ptype in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        # From FIRST_YEAR + 1 on, every period has the same period a year earlier (同比's base).
        if not FIRST_YEAR < year <= LAST_YEAR:
            raise PeriodError(f"期间“{text}”的年份应在 {FIRST_YEAR + 1} 到 {LAST_YEAR} 年之间")
        index = int(m.group(2)) if m.lastindex and m.lastindex > 1 else 1
        months = _MONTHS_PER[ptype]
        first_month = (index - 1) * months + 1
        last_month = first_month + months - 1
        start = date(year, first_month, 1)
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return ParsedPeriod(text, ptype, start, end)
    raise PeriodError(f"“{code}”不是有效的期间编码（应为 2024、2024S1、2024Q1 或 202401 这样的格式）")


def get_period(code: str) -> Period:
    """The Period for a code, created on first use."""
    p = parse(code)
    period, _ = Period.objects.get_or_create(
        code=p.code, defaults={"type": p.type, "start": p.start, "end": p.end}
    )
    return period


def code_for(ptype: str, year: int, index: int = 1) -> str:
    if ptype == PeriodType.YEAR:
        return f"{year}"
    if ptype == PeriodType.HALF:
        return f"{year}S{index}"
    if ptype == PeriodType.QUARTER:
        return f"{year}Q{index}"
    return f"{year}{index:02d}"


def same_period_last_year(code: str) -> str:
    """2024Q1 → 2023Q1: the base of 同比."""
    p = parse(code)
    return code_for(p.type, p.year - 1, _index(p))


def previous(code: str) -> str:
    """The period just before: 2024Q1 → 2023Q4 (the base of 环比)."""
    p = parse(code)
    idx = _index(p) - 1
    year = p.year
    if idx == 0:
        year -= 1
        idx = 12 // _MONTHS_PER[p.type]
    return code_for(p.type, year, idx)


def children_codes(code: str, ptype: str) -> list[str]:
    """The finer periods of `ptype` inside `code`: 2024 → 202401 … 202412 for months."""
    p = parse(code)
    if _ORDER.index(ptype) > _ORDER.index(p.type):
        raise PeriodError(f"{code} 不能再分为更长的期间")
    step = _MONTHS_PER[ptype]
    first = (p.start.month - 1) // step + 1
    count = _MONTHS_PER[p.type] // step
    return [code_for(ptype, p.year, first + i) for i in range(count)]


def label(code: str) -> str:
    """Chinese label: 2024年, 2024年上半年, 2024年第1季度, 2024年1月."""
    p = parse(code)
    idx = _index(p)
    if p.type == PeriodType.YEAR:
        return f"{p.year}年"
    if p.type == PeriodType.HALF:
        return f"{p.year}年{'上' if idx == 1 else '下'}半年"
    if p.type == PeriodType.QUARTER:
        return f"{p.year}年第{idx}季度"
    return f"{p.year}年{idx}月"


def _index(p: ParsedPeriod) -> int:
    return (p.start.month - 1) // _MONTHS_PER[p.type] + 1
