"""Aggregation: the value of a data element or an indicator for an org unit (its whole
subtree) and a period, its year-on-year change (同比), its series, and its breakdown over
the unit's children with a ranking. The plans app reads target actuals from here.

The rules, all in SQL (grouped sums, a constant number of queries whatever the hierarchy):

* Across org units values are summed (the subtree: `org_unit__path__startswith`).
* Across periods a query period takes the values stored for it and for every finer period
  inside it. Per element and org unit, a stored period that lies inside another stored period
  of the same element and unit is left out, so the coarsest stored figure wins and nothing is
  counted twice (a county that reported Q1 and also January keeps its Q1 figure; a county that
  reported only months has its months summed).
  - aggregation "sum": the sum of those values;
  - "last" (stock figures: beds, population): per org unit, the value of its latest period
    inside the query period, then summed over units; with nothing stored inside, the finest
    stored period enclosing the query period (a year's population holds for its quarters);
  - "avg": per org unit, the average over its periods weighted by their length in months,
    then summed over units (the city's average daily inpatients is the sum of its hospitals').
* An indicator is numerator / denominator × factor, each side an expression over element
  codes evaluated on the element totals: a rate is recomputed from summed numerator and
  denominator, never averaged. A side has no value when none of its elements has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, Exists, F, IntegerField, OuterRef, Q, Sum, When
from django.db.models.functions import Substr

from weijian.indicators.expressions import Expression, ExpressionError, parse
from weijian.indicators.models import Aggregation, DataElement, Indicator, ValueType
from weijian.orgs.models import OrgUnit

from . import periods
from .formatting import RATE_UNITS, format_figure, rate_unit
from .models import DataValue, Period, PeriodType
from .validation import evaluate

_TIDY = Decimal("0.000001")
_DECIMAL = DecimalField(max_digits=30, decimal_places=6)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure: for an element numerator = value; for an indicator the two summed sides."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    unit: str
    decimals: int

    def __str__(self) -> str:
        return format_figure(self.value, self.unit, self.decimals)

    @property
    def text(self) -> str:
        return str(self)

    @property
    def rounded(self) -> Decimal | None:
        """The value as shown, to `decimals` places (what comparisons in the text use)."""
        return None if self.value is None else _round(self.value, self.decimals)


@dataclass(frozen=True, slots=True)
class Change:
    current: Figure
    base: Figure
    delta: Decimal | None
    kind: str  # "percent": relative change of a count, in %; "points": absolute change of a rate
    text: str
    direction: str | None  # "up", "down", None (no change or nothing to compare)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Row:
    org_unit: OrgUnit
    figure: Figure
    rank: int | None  # 1 = best by the indicator's direction; None without a value


def value(target: DataElement | Indicator, org_unit: OrgUnit, period_code: str) -> Figure:
    """The figure of `target` for `org_unit` and everything below it, in `period_code`."""
    plan = _Plan.of(target)
    return values_for(plan, [org_unit], period_code)[org_unit.pk]


def values(
    target: DataElement | Indicator, org_units: Sequence[OrgUnit], period_code: str
) -> dict[int, Figure]:
    """Figures for many org units at once, by org_unit.pk: one grouped query per depth of
    unit asked for (and aggregation kind), never one per unit."""
    return values_for(_Plan.of(target), org_units, period_code)


def series(target: DataElement | Indicator, org_unit: OrgUnit, period_codes: Sequence[str]) -> list[Figure]:
    """The figure for each period, in the order given (a trend line)."""
    plan = _Plan.of(target)
    return [values_for(plan, [org_unit], code)[org_unit.pk] for code in period_codes]


def yoy(target: DataElement | Indicator, org_unit: OrgUnit, period_code: str) -> Change:
    """同比: against the same period a year before. Counts change in % ("增长5.1%"); rates
    change in 百分点 (or in their own unit, ‰ or 1/10万: "提高0.8‰"), from the values as shown."""
    plan = _Plan.of(target)
    current = values_for(plan, [org_unit], period_code)[org_unit.pk]
    base = values_for(plan, [org_unit], periods.same_period_last_year(period_code))[org_unit.pk]
    return compare(current, base, is_rate=plan.is_rate)


def compare(current: Figure, base: Figure, *, is_rate: bool) -> Change:
    """The change from `base` to `current`, worded as the commission writes it."""
    kind = "points" if is_rate and current.unit in RATE_UNITS else "percent"
    if current.value is None or base.value is None:
        return Change(current, base, None, kind, "无可比数据", None)
    if kind == "points":
        delta = current.rounded - base.rounded
        amount = _round(abs(delta), current.decimals)
        unit = "个百分点" if current.unit in ("%", "％") else rate_unit(current.unit)
        words = ("提高", "下降")
        shown = f"{amount}{unit}"
    else:
        if base.value == 0:
            return Change(current, base, None, kind, "上年同期为0，无法计算增幅", None)
        delta = _round((current.value - base.value) / abs(base.value) * 100, 1)
        amount = abs(delta)
        words = ("增长", "下降")
        shown = f"{amount}%"
    if amount == 0:
        return Change(current, base, delta, kind, "持平", None)
    up = delta > 0
    return Change(
        current, base, delta, kind, f"{words[0] if up else words[1]}{shown}", "up" if up else "down"
    )


def breakdown(target: DataElement | Indicator, org_unit: OrgUnit, period_code: str) -> list[Row]:
    """The figure of each child of `org_unit` (its counties, or its institutions), ranked:
    rank 1 is the best by the indicator's direction (the largest for an element). Units
    without a value come last, unranked. All children in one grouped query per kind."""
    plan = _Plan.of(target)
    children = list(
        OrgUnit.objects.filter(path__startswith=org_unit.path, depth=org_unit.depth + 1).order_by("path")
    )
    figures = values_for(plan, children, period_code)
    descending = plan.direction != Indicator.Direction.LOWER
    ranked = sorted(
        (c for c in children if figures[c.pk].value is not None),
        key=lambda c: figures[c.pk].value,
        reverse=descending,
    )
    ranks: dict[int, int] = {}
    previous, previous_rank = None, 0
    for position, child in enumerate(ranked, start=1):
        v = figures[child.pk].rounded
        previous_rank = previous_rank if v == previous else position  # ties share a rank (1, 1, 3)
        ranks[child.pk] = previous_rank
        previous = v
    rows = [Row(c, figures[c.pk], ranks.get(c.pk)) for c in children]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org_unit.path))
    return rows


# --- the machinery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What a target needs: its elements, its expressions, how to show it."""

    elements: tuple[DataElement, ...]
    numerator: Expression | None
    denominator: Expression | None
    factor: Decimal
    unit: str
    decimals: int
    direction: str
    is_rate: bool
    element_code: str | None = None

    @classmethod
    def of(cls, target: DataElement | Indicator) -> _Plan:
        if isinstance(target, DataElement):
            decimals = (
                0
                if target.value_type == ValueType.INTEGER and target.aggregation != Aggregation.AVERAGE
                else 2
            )
            return cls(
                (target,),
                None,
                None,
                Decimal(1),
                target.unit,
                decimals,
                Indicator.Direction.HIGHER,
                False,
                target.code,
            )
        try:
            num = parse(target.numerator)
            den = parse(target.denominator) if target.denominator.strip() else None
        except ExpressionError:
            # An indicator whose formula cannot be read has no figure, rather than a wrong one.
            return cls(
                (), None, None, Decimal(1), target.unit, target.decimals, target.direction, target.is_rate
            )
        codes = num.codes | (den.codes if den else frozenset())
        elements = tuple(DataElement.objects.filter(code__in=codes)) if codes else ()
        return cls(
            elements,
            num,
            den,
            Decimal(target.factor),
            target.unit,
            target.decimals,
            target.direction,
            target.is_rate,
        )

    def figure(self, totals: dict[str, Decimal]) -> Figure:
        if self.element_code is not None:
            v = totals.get(self.element_code)
            return Figure(_tidy(v), _tidy(v), None, self.unit, self.decimals)
        if self.numerator is None:
            return Figure(None, None, None, self.unit, self.decimals)
        num = evaluate(self.numerator, totals)
        if self.denominator is None:
            result = None if num is None else num * self.factor
            return Figure(_tidy(result), _tidy(num), None, self.unit, self.decimals)
        den = evaluate(self.denominator, totals)
        result = None if num is None or not den else num / den * self.factor
        return Figure(_tidy(result), _tidy(num), _tidy(den), self.unit, self.decimals)


def values_for(plan: _Plan, org_units: Sequence[OrgUnit], period_code: str) -> dict[int, Figure]:
    totals = element_totals(plan.elements, org_units, period_code)
    return {ou.pk: plan.figure(totals.get(ou.pk, {})) for ou in org_units}


def element_totals(
    elements: Sequence[DataElement], org_units: Sequence[OrgUnit], period_code: str
) -> dict[int, dict[str, Decimal]]:
    """{org_unit.pk: {element code: total}} for each unit's subtree in the period."""
    out: dict[int, dict[str, Decimal]] = {ou.pk: {} for ou in org_units}
    if not elements or not org_units:
        return out
    query_period = periods.parse(period_code)
    present = _present_periods(elements, query_period)
    if not present:
        return out
    by_depth: dict[int, list[OrgUnit]] = defaultdict(list)
    for ou in org_units:
        by_depth[len(ou.path)].append(ou)
    codes = {e.pk: e.code for e in elements}
    for path_len, units in by_depth.items():
        by_path = {ou.path: ou.pk for ou in units}
        for (path, element_id), total in _grouped_totals(elements, present, list(by_path), path_len).items():
            out[by_path[path]][codes[element_id]] = total
    return out


def _present_periods(
    elements: Sequence[DataElement], query_period
) -> dict[int, list[tuple[int, object, object]]]:
    """Per element, the stored periods inside the query period: [(period id, start, end)].

    One small query over the period table (a year holds at most 19 periods), each row asking
    the (element, period) index whether the element has values there."""
    flags = {
        f"e{e.pk}": Exists(DataValue.objects.filter(period=OuterRef("pk"), element_id=e.pk)) for e in elements
    }
    inside = Q(start__gte=query_period.start, end__lte=query_period.end)
    containing = Q(start__lte=query_period.start, end__gte=query_period.end)
    rows = Period.objects.filter(inside | containing).annotate(**flags).values("pk", "start", "end", *flags)
    present: dict[int, list[tuple[int, object, object]]] = defaultdict(list)
    enclosing: dict[int, list[tuple[int, object, object]]] = defaultdict(list)
    for row in rows:
        within = row["start"] >= query_period.start and row["end"] <= query_period.end
        for e in elements:
            if row[f"e{e.pk}"]:
                (present if within else enclosing)[e.pk].append((row["pk"], row["start"], row["end"]))
    # A stock figure (population, beds) reported once a year still holds in each quarter and
    # month of that year: with nothing stored inside the period, the finest stored period that
    # encloses it stands for it. Flows (sums) never borrow from a longer period.
    for e in elements:
        if e.aggregation == Aggregation.LAST and e.pk not in present and enclosing.get(e.pk):
            finest = min(enclosing[e.pk], key=lambda p: p[2] - p[1])
            present[e.pk] = [finest]
    return present


def _grouped_totals(elements, present, paths: list[str], path_len: int) -> dict[tuple[str, int], Decimal]:
    """{(unit path, element id): total} for the subtrees of `paths` (all of length path_len)."""
    period_ids = {pid for plist in present.values() for pid, _s, _e in plist}
    qs = DataValue.objects.filter(element_id__in=list(present), period_id__in=period_ids)
    group: list[str] = []
    if len(paths) == 1:
        qs = qs.filter(org_unit__path__startswith=paths[0])
    else:
        group = ["unit_path"]
        common = _common_prefix(paths)
        if common:
            qs = qs.filter(org_unit__path__startswith=common)
        qs = qs.annotate(unit_path=Substr("org_unit__path", 1, path_len)).filter(unit_path__in=paths)

    # No double counting: drop a value whose period lies inside another stored period of the
    # same element and unit. Only the (element, period) pairs where nesting occurs are checked.
    covered = Q()
    for element_id, plist in present.items():
        inner = [pid for pid, s, e in plist if any(o != pid and os <= s and oe >= e for o, os, oe in plist)]
        if inner:
            covered |= Q(element_id=element_id, period_id__in=inner)
    if covered:
        coarser = DataValue.objects.filter(
            element_id=OuterRef("element_id"),
            org_unit_id=OuterRef("org_unit_id"),
            period_id__in=period_ids,
            period__start__lte=OuterRef("period__start"),
            period__end__gte=OuterRef("period__end"),
        ).exclude(period_id=OuterRef("period_id"))
        qs = qs.filter(~covered | ~Exists(coarser))

    kinds: dict[str, list[int]] = defaultdict(list)
    for e in elements:
        if e.pk in present:
            kinds[e.aggregation].append(e.pk)
    out: dict[tuple[str, int], Decimal] = {}
    if kinds[Aggregation.SUM]:
        rows = (
            qs.filter(element_id__in=kinds[Aggregation.SUM])
            .values(*group, "element_id")
            .annotate(total=Sum("value"))
            .values_list(*group, "element_id", "total")
        )
        out.update({_key(r, paths): r[-1] for r in rows})
    if kinds[Aggregation.LAST]:
        later = DataValue.objects.filter(
            element_id=OuterRef("element_id"),
            org_unit_id=OuterRef("org_unit_id"),
            period_id__in=period_ids,
            period__end__gt=OuterRef("period__end"),
        )
        rows = (
            qs.filter(element_id__in=kinds[Aggregation.LAST])
            .filter(~Exists(later))
            .values(*group, "element_id")
            .annotate(total=Sum("value"))
            .values_list(*group, "element_id", "total")
        )
        out.update({_key(r, paths): r[-1] for r in rows})
    if kinds[Aggregation.AVERAGE]:
        months = Case(
            When(period__type=PeriodType.YEAR, then=12),
            When(period__type=PeriodType.HALF, then=6),
            When(period__type=PeriodType.QUARTER, then=3),
            default=1,
            output_field=IntegerField(),
        )
        rows = (
            qs.filter(element_id__in=kinds[Aggregation.AVERAGE])
            .values(*group, "element_id", "org_unit_id")
            .annotate(weighted=Sum(F("value") * months, output_field=_DECIMAL), span=Sum(months))
            .values_list(*group, "element_id", "weighted", "span")
        )
        sums: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for r in rows:
            sums[_key(r[:-1], paths)] += Decimal(r[-2]) / r[-1]
        out.update(sums)
    return {k: Decimal(v) for k, v in out.items() if v is not None}


def _key(row: tuple, paths: list[str]) -> tuple[str, int]:
    """(unit path, element id) from a grouped row: (path, element, ...) or (element, ...)."""
    if len(paths) == 1:
        return paths[0], row[0]
    return row[0], row[1]


def _common_prefix(paths: list[str]) -> str:
    step = OrgUnit.steplen
    first, last = min(paths), max(paths)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[: n - n % step]


def _round(v: Decimal, places: int) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _tidy(v: Decimal | None) -> Decimal | None:
    """Six decimal places at most, no trailing zeros, no exponent: 1200, 92.3, 0.000417."""
    if v is None:
        return None
    q = Decimal(v).quantize(_TIDY, rounding=ROUND_HALF_UP)
    return q.to_integral_value() if q == q.to_integral_value() else q.normalize()
