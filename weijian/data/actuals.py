"""Actuals: what each org unit has reached on an indicator in a period, and whether that meets
a target. The one service that plans (target tracking) and assessment (scoring) read figures
from; it asks data.aggregate for the figures, batched, and keeps every number a Decimal.

API::

    @dataclass(frozen=True)
    class Actual:
        org_unit_id: int
        value: Decimal | None        # the indicator's value as the catalogue defines it (factor
                                     # applied); with increase=True the growth over the previous
                                     # year-end (current minus base)
        numerator: Decimal | None    # the summed sides of the current period's figure
        denominator: Decimal | None  # (None for an indicator without a denominator)
        base: Decimal | None         # with increase=True the previous period's value, else None

    actuals(indicator, org_units, period_code: str, *, increase: bool = False) -> dict[int, Actual]
        # keyed by org unit pk; a constant number of queries for any number of units

    actuals_many(asks: Iterable[tuple[Indicator, bool]], org_units, period_code: str)
        -> dict[tuple[int, bool], dict[int, Actual]]
        # many (indicator, increase) at once, keyed (indicator pk, increase) then unit pk; one
        # batch of queries for all of them (the same count as for one indicator)

    meets(value: Decimal, cmp: str, target: Decimal, *, lower_is_better: bool = False) -> bool
    is_stock(indicator) -> bool                   # counted at period end (aggregation LAST)
    stock_indicators(indicators) -> set[int]      # is_stock for many, one query

`period_code` is any period code of data.periods ("2025", "2025Q3"); with increase=True the
base is the same period a year earlier ("2024" for "2025": the previous year-end of a stock).
A unit's value is that of its whole subtree. A unit without data has an Actual whose value is
None; every unit asked for is in the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from weijian.indicators.expressions import ExpressionError, parse
from weijian.indicators.models import Aggregation, DataElement, Indicator
from weijian.orgs.models import OrgUnit

from . import aggregate, periods


@dataclass(frozen=True)
class Actual:
    org_unit_id: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    base: Decimal | None = None


def actuals(
    indicator: Indicator, org_units: Sequence[OrgUnit], period_code: str, *, increase: bool = False
) -> dict[int, Actual]:
    """Each unit's actual on `indicator` in `period_code`, keyed by org unit pk."""
    return actuals_many([(indicator, increase)], org_units, period_code)[(indicator.pk, increase)]


def actuals_many(
    asks: Iterable[tuple[Indicator, bool]], org_units: Sequence[OrgUnit], period_code: str
) -> dict[tuple[int, bool], dict[int, Actual]]:
    """Actuals of many (indicator, increase) pairs for the same units and period in one batch."""
    asks = list({(ind.pk, inc): (ind, inc) for ind, inc in asks}.values())
    units = list({ou.pk: ou for ou in org_units}.values())
    if not asks:
        return {}
    codes = [period_code]
    base_code = None
    if any(inc for _ind, inc in asks):
        base_code = periods.year_before(periods.parse(period_code)).code
        codes.append(base_code)
    indicators = list({ind.pk: ind for ind, _inc in asks}.values())
    figures = aggregate.grid(indicators, units, codes)
    out: dict[tuple[int, bool], dict[int, Actual]] = {}
    for ind, inc in asks:
        row: dict[int, Actual] = {}
        for ou in units:
            now = figures[(ind, ou.pk, period_code)]
            if not inc:
                row[ou.pk] = Actual(ou.pk, now.value, now.numerator, now.denominator)
                continue
            before = figures[(ind, ou.pk, base_code)].value
            growth = None if now.value is None or before is None else now.value - before
            row[ou.pk] = Actual(ou.pk, growth, now.numerator, now.denominator, before)
        out[(ind.pk, inc)] = row
    return out


def meets(value: Decimal, cmp: str, target: Decimal, *, lower_is_better: bool = False) -> bool:
    """Whether a value meets a target. "达到 100张" (=) and "约" (~) mean at least (at most
    where lower is better): a plan's round figure is a floor, not a point."""
    if cmp == ">=":
        return value >= target
    if cmp == ">":
        return value > target
    if cmp == "<=":
        return value <= target
    if cmp == "<":
        return value < target
    return value <= target if lower_is_better else value >= target


def is_stock(indicator: Indicator) -> bool:
    """A count taken at period end (beds, staff: aggregation LAST), not a rate: a 新增 target on
    it counts the growth over the previous year-end, not the stock itself."""
    return indicator.pk in stock_indicators([indicator])


def stock_indicators(indicators: Iterable[Indicator]) -> set[int]:
    """The pks of the indicators among `indicators` that are stocks (see is_stock), one query."""
    numerators: dict[int, frozenset[str]] = {}
    for ind in indicators:
        if ind.is_rate:
            continue
        try:
            numerators[ind.pk] = parse(ind.numerator).codes
        except ExpressionError:
            continue
    wanted = set().union(*numerators.values()) if numerators else set()
    if not wanted:
        return set()
    last = set(
        DataElement.objects.filter(code__in=wanted, aggregation=Aggregation.LAST).values_list(
            "code", flat=True
        )
    )
    return {pk for pk, codes in numerators.items() if codes & last}
