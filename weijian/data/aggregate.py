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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
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
    through: int | None = None  # a period in progress compared through this month (截至10月)

    def __str__(self) -> str:
        return f"{self.text}（{self.basis}）" if self.through else self.text

    @property
    def basis(self) -> str:
        """截至10月 when only the first months of the period are compared, else ""."""
        return f"截至{self.through}月" if self.through else ""


@dataclass(frozen=True, slots=True)
class Row:
    org_unit: OrgUnit
    figure: Figure
    rank: int | None  # 1 = best by the indicator's direction; None without a value


Target = DataElement | Indicator


def value(target: Target, org_unit: OrgUnit, period_code: str) -> Figure:
    """The figure of `target` for `org_unit` and everything below it, in `period_code`."""
    plan = _Plan.of(target)
    return values_for(plan, [org_unit], period_code)[org_unit.pk]


def values(target: Target, org_units: Sequence[OrgUnit], period_code: str) -> dict[int, Figure]:
    """Figures for many org units at once, by org_unit.pk: one grouped query per depth of
    unit asked for (and aggregation kind), never one per unit."""
    return values_for(_Plan.of(target), org_units, period_code)


def grid(
    targets: Sequence[Target], org_units: Sequence[OrgUnit], period_codes: Sequence[str]
) -> dict[tuple[Target, int, str], Figure]:
    """The figure of every target for every unit and period, keyed (target, unit pk, period
    code), in a few grouped queries whatever the number of targets, units and periods."""
    plans = _plans(targets)
    elements = list({e.pk: e for plan in plans.values() for e in plan.elements}.values())
    totals = element_grid(elements, org_units, period_codes)
    return {
        (t, ou.pk, code): plans[t].figure(totals[(ou.pk, code)])
        for t in targets
        for ou in org_units
        for code in period_codes
    }


def series(target: Target, org_unit: OrgUnit, period_codes: Sequence[str]) -> list[Figure]:
    """The figure for each period, in the order given (a trend line): one grouped query."""
    figures = grid([target], [org_unit], period_codes)
    return [figures[(target, org_unit.pk, code)] for code in period_codes]


def yoy(target: Target, org_unit: OrgUnit, period_code: str) -> Change:
    """同比: against the same months a year before. A year or quarter whose data stop before its
    end (a year in progress, reported through October) is compared month for month with the
    same months of the year before and marked 截至10月. Counts change in % ("增长5.1%"); rates
    change in 百分点 (or in their own unit, ‰ or 1/10万: "提高0.8‰"), from the values as shown."""
    return yoys([target], [org_unit], period_code)[(target, org_unit.pk)]


def yoys(
    targets: Sequence[Target],
    org_units: Sequence[OrgUnit],
    period_code: str,
    *,
    known: dict[tuple[Target, int, str], Figure] | None = None,
) -> dict[tuple[Target, int], Change]:
    """同比 of many targets and units at once (see `yoy`), keyed (target, unit pk). `known`
    figures (from `grid`) are used where they cover a whole period and its base."""
    plans = _plans(targets)
    elements = list({e.pk: e for plan in plans.values() for e in plan.elements}.values())
    stored = stored_in(elements, period_code)
    spans = {t: _span(plans[t].elements, period_code, stored) for t in targets}
    known = known or {}

    def covered(t, span) -> bool:
        base = periods.year_before(span).code
        return not span.partial and all((t, ou.pk, c) in known for ou in org_units for c in (span.code, base))

    wanted = {
        p.code: p
        for t, span in spans.items()
        if not covered(t, span)
        for p in (span, periods.year_before(span))
    }
    totals = element_grid(elements, org_units, list(wanted.values())) if wanted else {}
    out = {}
    for t in targets:
        plan, span = plans[t], spans[t]
        base_code = periods.year_before(span).code
        for ou in org_units:
            if covered(t, span):
                current, base = known[(t, ou.pk, span.code)], known[(t, ou.pk, base_code)]
            else:
                current = plan.figure(totals[(ou.pk, span.code)])
                base = plan.figure(totals[(ou.pk, base_code)])
            change = compare(
                current,
                base,
                is_rate=plan.is_rate,
                direction=plan.direction,
            )
            if span.partial:
                change = replace(change, through=span.end.month)
            out[(t, ou.pk)] = change
    return out


def comparable_span(elements: Sequence[DataElement], period_code: str) -> periods.ParsedPeriod:
    """The part of the period that holds data: the whole period, or its months up to the
    last month for which the flows are stored (stock figures reported for the whole year
    do not make a year in progress complete)."""
    return _span(elements, period_code, stored_in(elements, period_code))


def stored_in(elements: Sequence[DataElement], period_code: str) -> dict[int, list[tuple[date, date]]]:
    """Per element id, the (start, end) of the periods stored inside the period, anywhere:
    one query over the period table, asking the (element, period) index."""
    if not elements:
        return {}
    p = periods.parse(period_code)
    present, _ = _present_periods(elements, [p])
    return {e: [(s, end) for _pid, s, end in stored] for e, stored in present.get(p.code, {}).items()}


def elements_of(targets: Sequence[Target]) -> dict[Target, tuple[DataElement, ...]]:
    """The data elements each target is computed from (one query for all)."""
    return {t: plan.elements for t, plan in _plans(targets).items()}


def _span(elements, period_code: str, stored: dict[int, list[tuple[date, date]]]) -> periods.ParsedPeriod:
    p = periods.parse(period_code)
    if p.type == PeriodType.MONTH:
        return p
    ends = [
        max(end for _s, end in stored[e.pk])
        for e in elements
        if e.aggregation != Aggregation.LAST and e.pk in stored
    ]
    if not ends:
        return p
    return periods.through(period_code, min(ends))


def compare(current: Figure, base: Figure, *, is_rate: bool, direction: str | None = None) -> Change:
    """The change from `base` to `current`, worded as the commission writes it: counts in %,
    rates in points of their unit (百分点, ‰, /10万), plain ratios (性别比, 医护比) in points
    of their value. A rate where lower is better (a death rate) rises or falls (上升/下降); a
    rate where higher is better improves or falls (提高/下降)."""
    ratio = is_rate and current.unit not in RATE_UNITS and not current.unit
    kind = "points" if is_rate and (current.unit in RATE_UNITS or ratio) else "percent"
    if current.value is None or base.value is None:
        return Change(current, base, None, kind, "无可比数据", None)
    if kind == "points":
        delta = current.rounded - base.rounded
        amount = _round(abs(delta), current.decimals)
        if ratio:
            unit = ""
        else:
            unit = "个百分点" if current.unit in ("%", "％") else rate_unit(current.unit)
        praise = direction == Indicator.Direction.HIGHER and not ratio
        words = ("提高", "下降") if praise else ("上升", "下降")
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
    def of(cls, target: DataElement | Indicator, known: dict[str, DataElement] | None = None) -> _Plan:
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
        if known is not None:
            elements = tuple(known[c] for c in sorted(codes) if c in known)
        else:
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


def _plans(targets: Sequence[Target]) -> dict[Target, _Plan]:
    """The plans of many targets with one query for all their elements."""
    codes: set[str] = set()
    for t in targets:
        if isinstance(t, Indicator):
            for side in (t.numerator, t.denominator):
                try:
                    codes |= parse(side).codes if side.strip() else set()
                except ExpressionError:
                    pass
    known = {e.code: e for e in DataElement.objects.filter(code__in=codes)} if codes else {}
    return {t: _Plan.of(t, known) for t in targets}


def values_for(plan: _Plan, org_units: Sequence[OrgUnit], period_code: str) -> dict[int, Figure]:
    totals = element_totals(plan.elements, org_units, period_code)
    return {ou.pk: plan.figure(totals.get(ou.pk, {})) for ou in org_units}


def element_totals(
    elements: Sequence[DataElement], org_units: Sequence[OrgUnit], period_code: str
) -> dict[int, dict[str, Decimal]]:
    """{org_unit.pk: {element code: total}} for each unit's subtree in the period."""
    grid = element_grid(elements, org_units, [period_code])
    return {ou.pk: grid[(ou.pk, period_code)] for ou in org_units}


# A source of pre-computed totals (the analytics app registers one): called with the elements,
# the units and the standard period codes asked for, it answers
# ({(unit pk, period code): {element id: total}}, {unit pks it answered for}); the units it
# does not answer for are computed from the stored values.
TotalsSource = Callable[
    [Sequence[DataElement], Sequence[OrgUnit], Sequence[str]],
    tuple[dict[tuple[int, str], dict[int, Decimal]], set[int]],
]
_sources: list[TotalsSource] = []


def register_source(source: TotalsSource) -> None:
    if source not in _sources:
        _sources.append(source)


def element_grid(
    elements: Sequence[DataElement],
    org_units: Sequence[OrgUnit],
    period_codes: Sequence[str | periods.ParsedPeriod],
    *,
    raw: bool = False,
    mode: str = "auto",
) -> dict[tuple[int, str], dict[str, Decimal]]:
    """{(org_unit.pk, period code): {element code: total}} for every unit and period asked for,
    in a number of queries that does not grow with the number of periods: the periods are
    taken in families of disjoint ones (the months of two years are one family), each family
    in one grouped query per aggregation kind. `raw` skips pre-computed totals; `mode` "own"
    takes each unit's own values only (not its subtree's), "subtree" always the subtree."""
    wanted = [p if isinstance(p, periods.ParsedPeriod) else periods.parse(p) for p in period_codes]
    keys = {p.code: p for p in wanted}
    out: dict[tuple[int, str], dict[str, Decimal]] = {(ou.pk, c): {} for ou in org_units for c in keys}
    if not elements or not org_units or not keys:
        return out
    codes = {e.pk: e.code for e in elements}
    units = list({ou.pk: ou for ou in org_units}.values())
    standard = [c for c, p in keys.items() if not p.partial]
    passes = [(units, list(keys.values()))]
    if not raw and standard:
        for source in _sources:
            found, covered = source(elements, units, standard)
            for (unit_pk, code), totals in found.items():
                out[(unit_pk, code)] = {codes[e]: v for e, v in totals.items() if e in codes}
            units = [ou for ou in units if ou.pk not in covered]
        answered = [ou for ou in passes[0][0] if ou not in units]
        partial = [p for p in keys.values() if p.partial]
        passes = [(units, list(keys.values())), (answered, partial)]
    for group, wanted_periods in passes:
        if group and wanted_periods:
            _compute(out, elements, group, wanted_periods, codes, mode)
    return out


def _compute(out, elements, units, wanted, codes, mode) -> None:
    """Fill `out` from the stored values for `units` in the `wanted` periods."""
    for family in _families(wanted):
        present, borrowed = _present_periods(elements, family)
        if not present and not borrowed:
            continue
        found = _family_totals(elements, units, family, present, borrowed, mode)
        for (unit_pk, code, element_id), total in found.items():
            out[(unit_pk, code)][codes[element_id]] = total


def _families(wanted: list[periods.ParsedPeriod]) -> list[list[periods.ParsedPeriod]]:
    """Split periods into groups of pairwise disjoint ones, in order."""
    families: list[list[periods.ParsedPeriod]] = []
    for p in sorted(wanted, key=lambda p: (p.end - p.start, p.start)):
        for family in families:
            if all(p.end < q.start or p.start > q.end for q in family):
                family.append(p)
                break
        else:
            families.append([p])
    return families


Stored = tuple[int, object, object]  # (period id, start, end)


def _present_periods(
    elements: Sequence[DataElement], family: list[periods.ParsedPeriod]
) -> tuple[dict[str, dict[int, list[Stored]]], dict[str, dict[int, Stored]]]:
    """Per query period of the family and element, the stored periods inside it; and per query
    period the stock elements (aggregation "last") with nothing inside, which borrow the finest
    stored period enclosing it: a yearly population still holds in each quarter and month.

    One small query over the period table (a year holds at most 19 periods), each row asking
    the (element, period) index whether the element has values there."""
    rows = _period_flags(elements, min(qp.start for qp in family), max(qp.end for qp in family))
    present: dict[str, dict[int, list[Stored]]] = {}
    borrowed: dict[str, dict[int, Stored]] = {}
    for qp in family:
        inside: dict[int, list[Stored]] = defaultdict(list)
        enclosing: dict[int, list[Stored]] = defaultdict(list)
        for row in rows:
            within = row["start"] >= qp.start and row["end"] <= qp.end
            encloses = row["start"] <= qp.start and row["end"] >= qp.end
            if not (within or encloses):
                continue
            for e in elements:
                if row[e.pk]:
                    (inside if within else enclosing)[e.pk].append((row["pk"], row["start"], row["end"]))
        if inside:
            present[qp.code] = dict(inside)
        # Flows (sums) never borrow from a longer period.
        lent = {
            e.pk: min(enclosing[e.pk], key=lambda p: p[2] - p[1])
            for e in elements
            if e.aggregation == Aggregation.LAST and e.pk not in inside and enclosing.get(e.pk)
        }
        if lent:
            borrowed[qp.code] = lent
    return present, borrowed


def _period_flags(elements: Sequence[DataElement], start: date, end: date) -> list[dict]:
    """The periods overlapping start…end, each with {element id: whether it holds a value}:
    one query, an EXISTS per element on the (element, period) index. Written as SQL because
    compiling a few dozen ORM subqueries costs more than running them."""
    qn = connection.ops.quote_name
    values, period = DataValue._meta.db_table, Period._meta.db_table
    flags = ", ".join(
        f"EXISTS(SELECT 1 FROM {qn(values)} v WHERE v.element_id = %s AND v.period_id = p.id)"
        for _ in elements
    )
    sql = (
        f"SELECT p.id, p.{qn('start')}, p.{qn('end')}, {flags} FROM {qn(period)} p "
        f"WHERE p.{qn('start')} <= %s AND p.{qn('end')} >= %s"
    )
    adapt = connection.ops.adapt_datefield_value
    params = [e.pk for e in elements] + [adapt(end), adapt(start)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    parse_date = DateField().to_python
    return [
        {
            "pk": row[0],
            "start": parse_date(row[1]),
            "end": parse_date(row[2]),
            **{e.pk: bool(flag) for e, flag in zip(elements, row[3:], strict=True)},
        }
        for row in fetched
    ]


def _family_totals(
    elements, units, family, present, borrowed, mode="auto"
) -> dict[tuple[int, str, int], Decimal]:
    """{(unit pk, period code, element id): total} for the subtrees of `units`."""
    # Units are grouped by the length of their path; a group of units without children is
    # found by their ids (the unique (element, org unit, period) index), others by path prefix.
    by_length: dict[int, list[OrgUnit]] = defaultdict(list)
    for ou in units:
        by_length[len(ou.path)].append(ou)
    out: dict[tuple[int, str, int], Decimal] = {}
    for length, members in by_length.items():
        childless = mode == "own" or (mode == "auto" and all(ou.numchild == 0 for ou in members))
        how = "leaf" if childless else length
        out.update(_grouped_totals(elements, members, how, family, present, borrowed))
    return out


def _grouped_totals(elements, units, how, family, present, borrowed) -> dict[tuple[int, str, int], Decimal]:
    kinds = {e.pk: e.aggregation for e in elements}
    out: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
    unit_key, base = _unit_grouping(units, how)
    pk_of = {ou.path: ou.pk for ou in units}

    def unit_of(key: list) -> int:
        if not key:
            return units[0].pk
        return key[0] if how == "leaf" else pk_of[key[0]]

    if present:
        bucket_of = {
            pid: code
            for code, plist in present.items()
            for stored in plist.values()
            for pid, _s, _e in stored
        }
        ids = sorted(bucket_of)
        element_ids = sorted({e for plist in present.values() for e in plist})
        codes_in = sorted(present)
        bucket = Case(
            *[
                When(period_id__in=[p for p, c in bucket_of.items() if c == code], then=Value(code))
                for code in codes_in
            ],
            output_field=CharField(),
        )
        qs = base(DataValue.objects.filter(element_id__in=element_ids, period_id__in=ids)).annotate(
            bucket=bucket
        )

        # No double counting: drop a value whose period lies inside another stored period of the
        # same element and unit. Only the (element, period) pairs where nesting occurs are
        # checked, each against the ids of the periods that hold it (an index lookup).
        holders: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
        for plist in present.values():
            for element_id, stored in plist.items():
                for pid, s0, e0 in stored:
                    outer = tuple(sorted(o for o, os, oe in stored if o != pid and os <= s0 and oe >= e0))
                    if outer:
                        holders[(pid, outer)].append(element_id)
        for (pid, outer), in_elements in holders.items():
            held = DataValue.objects.filter(
                element_id=OuterRef("element_id"), org_unit_id=OuterRef("org_unit_id"), period_id__in=outer
            )
            qs = qs.exclude(Q(period_id=pid, element_id__in=in_elements) & Exists(held))

        group = [*unit_key, "bucket", "element_id"]
        sums = [e for e in element_ids if kinds[e] == Aggregation.SUM]
        lasts = [e for e in element_ids if kinds[e] == Aggregation.LAST]
        avgs = [e for e in element_ids if kinds[e] == Aggregation.AVERAGE]
        if sums:
            rows = (
                qs.filter(element_id__in=sums)
                .values(*group)
                .annotate(total=Sum("value"))
                .values_list(*group, "total")
            )
            for *key, total in rows:
                out[(unit_of(key[:-2]), key[-2], key[-1])] += Decimal(total)
        if lasts:
            last_qs = qs.filter(element_id__in=lasts)
            # Per unit, the latest stored period inside the query period: a value is dropped
            # when the same unit has one for a period of the same query period that ends later
            # (asked of the unique index with the ids of those later periods).
            latest = Q()
            needed = False
            for code in codes_in:
                stored = {(pid, end) for e in lasts for pid, _s, end in present[code].get(e, ())}
                for end in sorted({end for _pid, end in stored}):
                    same = [pid for pid, e0 in stored if e0 == end]
                    later = [pid for pid, e0 in stored if e0 > end]
                    if later:
                        needed = True
                        newer = DataValue.objects.filter(
                            element_id=OuterRef("element_id"),
                            org_unit_id=OuterRef("org_unit_id"),
                            period_id__in=later,
                        )
                        latest |= Q(period_id__in=same) & ~Exists(newer)
                    else:
                        latest |= Q(period_id__in=same)
            if needed:
                last_qs = last_qs.filter(latest)
            rows = last_qs.values(*group).annotate(total=Sum("value")).values_list(*group, "total")
            for *key, total in rows:
                out[(unit_of(key[:-2]), key[-2], key[-1])] += Decimal(total)
        if avgs:
            months = Case(
                When(period__type=PeriodType.YEAR, then=12),
                When(period__type=PeriodType.HALF, then=6),
                When(period__type=PeriodType.QUARTER, then=3),
                default=1,
                output_field=IntegerField(),
            )
            rows = (
                qs.filter(element_id__in=avgs)
                .values(*group, "org_unit_id")
                .annotate(weighted=Sum(F("value") * months, output_field=_DECIMAL), span=Sum(months))
                .values_list(*group, "weighted", "span")
            )
            for *key, weighted, span in rows:
                out[(unit_of(key[:-2]), key[-2], key[-1])] += Decimal(weighted) / span
    if borrowed:
        # The stock elements that borrow a longer period: its values, once per period lent.
        pairs = {(e, stored[0]) for lent in borrowed.values() for e, stored in lent.items()}
        wanted = Q()
        for e, pid in pairs:
            wanted |= Q(element_id=e, period_id=pid)
        group = [*unit_key, "period_id", "element_id"]
        rows = (
            base(DataValue.objects.filter(wanted))
            .values(*group)
            .annotate(total=Sum("value"))
            .values_list(*group, "total")
        )
        lent_totals: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
        for *key, pid, e, total in rows:
            lent_totals[(pid, e)].append((unit_of(key), Decimal(total)))
        for code, lent in borrowed.items():
            for e, (pid, _s, _e) in lent.items():
                for unit_pk, total in lent_totals.get((pid, e), ()):
                    out[(unit_pk, code, e)] += total
    return {k: v for k, v in out.items() if v is not None}


def _unit_grouping(units: list[OrgUnit], how):
    """The grouping columns and the filter that find the rows of `units`' subtrees."""
    if how == "leaf":
        ids = [ou.pk for ou in units]
        if len(ids) == 1:
            return [], lambda qs: qs.filter(org_unit_id=ids[0])
        return ["org_unit_id"], lambda qs: qs.filter(org_unit_id__in=ids)
    paths = [ou.path for ou in units]
    if len(paths) == 1:
        return [], lambda qs: qs.filter(org_unit__path__startswith=paths[0])
    common = _common_prefix(paths)

    def scoped(qs):
        if common:
            qs = qs.filter(org_unit__path__startswith=common)
        return qs.annotate(unit_path=Substr("org_unit__path", 1, how)).filter(unit_path__in=paths)

    return ["unit_path"], scoped


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
