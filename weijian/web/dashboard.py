"""What the pages show, composed from the data services: the org unit a user starts from,
the latest complete period, the key-indicator cards of the home page, the analysis of one
indicator or element, and its Excel export. Views call these; the figures themselves come
from `weijian.data.aggregate` (rates recomputed from summed numerators and denominators)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q

from weijian.accounts.scope import reads_all_orgs, scope_root
from weijian.data import periods
from weijian.data.models import DataValue, Period, PeriodType
from weijian.indicators.expressions import parse as parse_expression
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import Level, OrgUnit
from weijian.sheets import protect_workbook

Target = Indicator | DataElement


def home_org(user) -> OrgUnit | None:
    """The unit a user's pages start from: its own scope root, or — for users who read every
    unit — the commission's own area: the first root, descending while a unit has a single
    child above county level (示例省 → 示例市 when the province holds only this city).
    None for a user with no scope."""
    if not reads_all_orgs(user):
        return scope_root(user)
    node = OrgUnit.objects.filter(depth=1).first()
    while node is not None and node.level < Level.COUNTY and node.numchild == 1:
        node = OrgUnit.objects.filter(path__startswith=node.path, depth=node.depth + 1).first()
    return node


HOME_CACHE_SECONDS = 300


def data_version() -> tuple:
    """A stamp that moves whenever a figure of any unit can move: every change to a data value
    (form, import, API) writes an audit row, and units added or removed change the sums. Two
    indexed aggregates, however large the values table."""
    from weijian.data.models import DataValueAudit

    last_change = DataValueAudit.objects.aggregate(m=Max("pk"))["m"]
    units = OrgUnit.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return (last_change, units["n"], units["m"])


def home_figures(org: OrgUnit, today: date | None = None) -> dict:
    """The home page's figures for `org`: the latest complete year, its key-indicator cards and
    their trend charts. Kept in the cache under the data version, so the next request after a
    change computes them afresh; the time limit covers catalogue edits, which write no audit."""
    today = today or date.today()
    stamp = "-".join(str(part) for part in data_version())
    key = f"weijian:home:{org.pk}:{org.path}:{today.isoformat()}:{stamp}"
    found = cache.get(key)
    if found is None:
        period_code = latest_complete_year(org, today)
        cards, key_only = key_cards(org, period_code)
        found = {
            "period_code": period_code,
            "period_label": periods.label(period_code),
            "cards": cards,
            "key": key_only,
            "charts": {c.chart_id: c.trend.as_chart() for c in cards},
        }
        cache.set(key, found, HOME_CACHE_SECONDS)
    return found


def _in_subtree(org: OrgUnit) -> Q:
    """The values of `org`'s subtree: by id for a unit without children (an index), else by path."""
    return Q(org_unit_id=org.pk) if org.numchild == 0 else Q(org_unit__path__startswith=org.path)


def latest_complete_year(org: OrgUnit, today: date | None = None) -> str:
    """The latest calendar year that has ended and holds data for `org`'s subtree (a year
    still running would compare a part-year with a whole one); the latest year with any data
    when none has ended; last year when there is no data at all."""
    today = today or date.today()
    ended = _first_period_with_values(Period.objects.filter(end__lt=date(today.year, 1, 1)), "-end", org)
    if ended is not None:
        return str(ended.end.year)
    latest = _first_period_with_values(Period.objects.all(), "-end", org)
    return str(latest.end.year if latest else today.year - 1)


def data_years(org: OrgUnit | None = None) -> list[str]:
    """Years for which any value exists (in `org`'s subtree when given), latest first."""
    first = _first_period_with_values(Period.objects.all(), "start", org)
    last = _first_period_with_values(Period.objects.all(), "-end", org)
    if first is None or last is None:
        return [str(date.today().year - 1)]
    return [str(y) for y in range(last.end.year, first.start.year - 1, -1)]


def _first_period_with_values(candidates, order: str, org: OrgUnit | None) -> Period | None:
    """The first period in `order` that holds a value (of `org`'s subtree): one LIMIT 1 probe
    of the value indexes per period, from the first, so no scan of the values; the periods
    are few (a year holds 19) and the first usually answers."""
    values = DataValue.objects.all() if org is None else DataValue.objects.filter(_in_subtree(org))
    for period in candidates.order_by(order, "pk").only("pk", "start", "end"):
        if values.filter(period_id=period.pk).exists():
            return period
    return None


def resolve_target(code: str) -> Target | None:
    """An indicator or a data element by its code (indicators first: codes rarely clash)."""
    code = (code or "").strip()
    if not code:
        return None
    return Indicator.objects.filter(code=code).first() or DataElement.objects.filter(code=code).first()


def target_decimals(target: Target) -> int:
    return target.decimals if isinstance(target, Indicator) else (0 if target.value_type == "int" else 2)


@dataclass
class Trend:
    """A chart series: labels and one list of numbers (None where no data) per named line."""

    title: str
    labels: list[str]
    lines: dict[str, list[float | None]]
    unit: str = ""
    kind: str = "line"
    goal: float | None = None  # the plan's target, drawn as a line

    def as_chart(self) -> dict:
        return {
            "title": self.title,
            "labels": self.labels,
            "unit": self.unit,
            "kind": self.kind,
            "goal": self.goal,
            "series": [{"name": name, "data": data} for name, data in self.lines.items()],
        }


def _number(figure) -> float | None:
    return None if figure is None or figure.value is None else float(figure.value)


def year_trend(target: Target, org: OrgUnit, period_code: str) -> Trend:
    """The periods of the year of `period_code` (months for a year), this year against last:
    the picture of 同比. Falls back to the last five years when no month holds data."""
    return trends([target], org, period_code)[target]


def trends(targets: list[Target], org: OrgUnit, period_code: str) -> dict[Target, Trend]:
    """`year_trend` of many targets at once: every figure of every line in one grouped pass
    (the months of both years and the last five years together)."""
    return _trends(targets, org, period_code)[0]


def _trends(targets: list[Target], org: OrgUnit, period_code: str) -> tuple[dict[Target, Trend], dict]:
    from weijian.data import aggregate

    p = periods.parse(period_code)
    step = PeriodType.MONTH if p.type == PeriodType.YEAR else p.type
    this_year = periods.children_codes(str(p.year), step)
    last_year = periods.children_codes(str(p.year - 1), step)
    years = [str(y) for y in range(p.year - 4, p.year + 1)]
    elements = aggregate.elements_of(targets)
    # What is stored in the year says whether the line is by month or by year.
    stored = aggregate.stored_in(
        list({e.pk: e for es in elements.values() for e in es}.values()), str(p.year)
    )
    step_months = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF: 6}[step]
    figures = aggregate.grid(targets, [org], this_year + last_year + years)
    out = {}
    for t in targets:
        unit = getattr(t, "unit", "")

        def line(codes, t=t):
            return [_number(figures[(t, org.pk, c)]) for c in codes]

        by_step = any(
            _months(start, end) == step_months for e in elements[t] for start, end in stored.get(e.pk, ())
        )
        if by_step:
            out[t] = Trend(
                f"{p.year}年与{p.year - 1}年",
                [periods.label(c).removeprefix(f"{p.year}年") for c in this_year],
                {f"{p.year}年": line(this_year), f"{p.year - 1}年": line(last_year)},
                unit,
            )
            continue
        # Reported yearly: the years up to this one, from the first with data, at most five.
        values = line(years)
        first = next((i for i, v in enumerate(values) if v is not None), len(values) - 1)
        shown = years[first:]
        out[t] = Trend("近年", [f"{y}年" for y in shown], {t.name: values[first:]}, unit)
    return out, figures


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def element_codes(target: Target) -> set[str]:
    """The data elements a figure is computed from."""
    if isinstance(target, DataElement):
        return {target.code}
    codes = set(parse_expression(target.numerator).codes)
    if target.denominator.strip():
        codes |= parse_expression(target.denominator).codes
    return codes


def verdict(target: Target, change) -> str:
    """ "better" or "worse" for a change of an indicator with a direction (a falling death rate
    is better); "" for elements, neutral indicators, no change or nothing to compare."""
    wanted = getattr(target, "direction", Indicator.Direction.NEUTRAL)
    if change is None or change.direction is None or wanted == Indicator.Direction.NEUTRAL:
        return ""
    return "better" if (change.direction == "up") == (wanted == Indicator.Direction.HIGHER) else "worse"


@dataclass
class KeyCard:
    target: Target
    figure: object
    change: object
    trend: Trend
    chart_id: str

    @property
    def verdict(self) -> str:
        return verdict(self.target, self.change)


def key_cards(org: OrgUnit, period_code: str, limit: int = 12) -> tuple[list[KeyCard], bool]:
    """The home page: each key indicator (Indicator.is_key) that has a figure for `org` in the
    period or the year before, with its 同比 and trend. Key indicators are mostly area rates
    (per population), so an institution has none: it gets the data elements it reports
    instead (at most `limit`). Returns the cards and whether they are key indicators.
    A constant number of queries, whatever the number of indicators."""
    indicators = list(Indicator.objects.filter(is_key=True).order_by("category", "code"))
    cards = _cards(indicators, org, period_code, keep_empty=False)
    if cards:
        return cards, True
    p = periods.parse(period_code)
    reported = list(
        DataElement.objects.filter(
            Exists(
                DataValue.objects.filter(_in_subtree(org), element=OuterRef("pk"), period__start__year=p.year)
            )
        ).order_by("code")[:limit]
    )
    return _cards(reported, org, period_code, keep_empty=True), False


def _cards(targets: list[Target], org: OrgUnit, period_code: str, *, keep_empty: bool) -> list[KeyCard]:
    from weijian.data import aggregate

    if not targets:
        return []
    # The trends' grid holds the year and the year before: 同比 reuses those figures.
    lines, figures = _trends(targets, org, period_code)
    changes = aggregate.yoys(targets, [org], period_code, known=figures)  # `current` is the figure
    shown = [
        t
        for t in targets
        if keep_empty
        or changes[(t, org.pk)].current.value is not None
        or changes[(t, org.pk)].base.value is not None
    ]
    return [
        KeyCard(t, changes[(t, org.pk)].current, changes[(t, org.pk)], lines[t], f"chart-{t.code}")
        for t in shown
    ]


@dataclass
class Goal:
    """A plan target that applies to one unit in the period's year, and whether it is met."""

    text: str  # 不低于95%
    value: float
    met: bool | None


@dataclass
class ChildRow:
    row: object  # aggregate.Row
    change: object  # aggregate.Change: the child's own 同比
    goal: Goal | None = None


@dataclass
class Analysis:
    target: Target
    org_unit: OrgUnit
    period_code: str
    figure: object
    change: object
    trend: Trend
    rows: list = field(default_factory=list)  # ChildRow of the children that reported, ranked
    silent: list = field(default_factory=list)  # children that reported nothing (未报送)
    children_chart: Trend | None = None
    goal: Goal | None = None

    @property
    def period_label(self) -> str:
        return periods.label(self.period_code)

    @property
    def is_rate(self) -> bool:
        return isinstance(self.target, Indicator) and self.target.is_rate

    @property
    def verdict(self) -> str:
        return verdict(self.target, self.change)

    @property
    def silent_names(self) -> str:
        return "、".join(u.name for u in self.silent)


def analyse(target: Target, org: OrgUnit, period_code: str) -> Analysis:
    """One target for one unit and period: the figure with numerator and denominator, its 同比,
    the trend over the year, the ranking of the children that reported (each with its own
    同比) and, apart, those that reported nothing; the plan's target where one applies."""
    from weijian.data import aggregate

    rows = aggregate.breakdown(target, org, period_code)
    reported = [r for r in rows if r.figure.value is not None]
    children = [r.org_unit for r in rows]
    changes = aggregate.yoys([target], [org, *children], period_code)
    goals = plan_goals(target, org, children, periods.parse(period_code).year)

    def goal_of(unit, figure) -> Goal | None:
        found = goals.get(unit.pk)
        if found is None:
            return None
        cmp, value, text, lower = found
        from weijian.data.actuals import meets

        met = None if figure.value is None else meets(figure.rounded, cmp, value, lower_is_better=lower)
        return Goal(text, float(value), met)

    chart = Trend(
        f"{org.name}下级单位",
        [r.org_unit.name for r in reported],
        {target.name: [_number(r.figure) for r in reported]},
        getattr(target, "unit", ""),
        kind="bar",
    )
    child_goals = {goals[c.pk][1] for c in children if c.pk in goals}
    if len(child_goals) == 1:
        chart.goal = float(child_goals.pop())
    change = changes[(target, org.pk)]
    trend = year_trend(target, org, period_code)
    goal = goal_of(org, change.current)
    if goal is not None:
        trend.goal = goal.value
    return Analysis(
        target=target,
        org_unit=org,
        period_code=period_code,
        figure=change.current,
        change=change,
        trend=trend,
        rows=[ChildRow(r, changes[(target, r.org_unit.pk)], goal_of(r.org_unit, r.figure)) for r in reported],
        silent=_silent(rows, reported),
        children_chart=chart if reported else None,
        goal=goal,
    )


def _silent(rows: list, reported: list) -> list[OrgUnit]:
    """The children that reported nothing, among those of the kind that report this figure:
    when counties report it, a city hospital directly under the city that never does is not
    "未报送". With no child reporting, every child is listed."""
    levels = {r.org_unit.level for r in reported}
    return [r.org_unit for r in rows if r.figure.value is None and (not levels or r.org_unit.level in levels)]


def plan_goals(target: Target, org: OrgUnit, children: list[OrgUnit], year: int) -> dict[int, tuple]:
    """{unit pk: (cmp, value, text, lower is better)} for the plan targets of `year` on this
    indicator that apply to `org` or to its children: a city-wide target to the plan's own
    area, a per-county or per-township target to each unit of that level, a unit's target to
    that unit. Elements have no plan targets."""
    if not isinstance(target, Indicator):
        return {}
    from weijian.orgs.models import Level
    from weijian.plans.models import Scope
    from weijian.plans.models import Target as PlanTarget
    from weijian.plans.tracking import plan_area

    out: dict[int, tuple] = {}
    lower = target.direction == Indicator.Direction.LOWER
    units = [org, *children]
    for t in PlanTarget.objects.filter(indicator=target, plan__year=year, active=True).select_related("plan"):
        text = f"{t.get_cmp_display()}{t.value_display}"
        if t.scope == Scope.CITY:
            area = plan_area(t.plan)
            applies = [u for u in units if area is not None and u.pk == area.pk]
        elif t.scope == Scope.COUNTY:
            applies = [u for u in units if u.level == Level.COUNTY]
        elif t.scope == Scope.TOWNSHIP:
            applies = [u for u in units if u.level == Level.TOWNSHIP]
        else:
            applies = [u for u in units if u.pk == t.org_unit_id]
        for u in applies:
            out.setdefault(u.pk, (t.cmp, t.value, text, lower))
    return out


def analysis_workbook(a: Analysis) -> bytes:
    """The analysis as an Excel workbook: the figure, then the children's ranking and those
    that reported nothing. Every figure is a number cell with a number format that shows it as
    the page does (92.30%, 12,345人, 同比 +1.20个百分点), so it can be summed and charted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from weijian.data.formatting import RATE_UNITS, rate_unit

    def raw(value):
        return None if value is None else float(value)

    def quoted(text: str) -> str:
        return '"' + text.replace('"', "") + '"' if text else ""

    unit = a.figure.unit or ""
    places = "0" if a.figure.decimals == 0 else "0." + "0" * a.figure.decimals
    shown_unit = rate_unit(unit) if unit in RATE_UNITS else unit
    value_format = ("#,##" if unit not in RATE_UNITS else "") + places + quoted(shown_unit)
    count_format = "#,##0.##"
    change = a.change
    if change.kind == "points":
        step = "个百分点" if unit in ("%", "％") else rate_unit(unit)
        change_format = f"+{places}{quoted(step)};-{places}{quoted(step)};0"
    else:
        change_format = '+0.0"%";-0.0"%";0'

    wb = Workbook()
    ws = wb.active
    ws.title = "分析"
    bold = Font(bold=True)
    ws.append([f"{a.target.name}（{a.target.code}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["单位", a.org_unit.name])
    ws.append(["期间", a.period_label + (f"（同比{a.change.basis}）" if a.change.through else "")])
    ws.append([])
    ws.append(["单位", "分子", "分母", "数值", "同比", "排名", "目标", "达标"])
    for cell in ws[ws.max_row]:
        cell.font = bold

    def line(name, figure, change, rank, goal) -> None:
        ws.append(
            [
                name,
                raw(figure.numerator),
                raw(figure.denominator),
                raw(figure.value),
                raw(change.delta) if change is not None else None,
                rank,
                goal.text if goal else None,
                ({True: "达标", False: "未达标"}.get(goal.met) if goal else None),
            ]
        )
        r = ws.max_row
        ws.cell(r, 2).number_format = count_format
        ws.cell(r, 3).number_format = count_format
        ws.cell(r, 4).number_format = value_format
        ws.cell(r, 5).number_format = change_format

    line(a.org_unit.name, a.figure, a.change, None, a.goal)
    for child in a.rows:
        line(child.row.org_unit.name, child.row.figure, child.change, child.row.rank, child.goal)
    if a.silent:
        ws.append([])
        ws.append(["未报送", a.silent_names])
    for col, width in zip("ABCDEFGH", (28, 14, 14, 14, 16, 8, 14, 8), strict=True):
        ws.column_dimensions[col].width = width
    protect_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
