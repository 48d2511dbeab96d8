"""What the pages show, composed from the data services: the org unit a user starts from,
the latest complete period, the key-indicator cards of the home page, the analysis of one
indicator or element, and its Excel export. Views call these; the figures themselves come
from `weijian.data.aggregate` (rates recomputed from summed numerators and denominators)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, Max, Min, OuterRef, Q

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


def _in_subtree(org: OrgUnit) -> Q:
    """The values of `org`'s subtree: by id for a unit without children (an index), else by path."""
    return Q(org_unit_id=org.pk) if org.numchild == 0 else Q(org_unit__path__startswith=org.path)


def latest_complete_year(org: OrgUnit, today: date | None = None) -> str:
    """The latest calendar year that has ended and holds data for `org`'s subtree (a year
    still running would compare a part-year with a whole one); the latest year with any data
    when none has ended; last year when there is no data at all.

    Walks the period table from the latest period down, asking the value indexes whether a
    period holds a value of the subtree; it stops at the first that does."""
    today = today or date.today()
    holds = Exists(DataValue.objects.filter(_in_subtree(org), period=OuterRef("pk")))
    with_data = Period.objects.filter(holds).order_by("-end")
    ended = with_data.filter(end__lt=date(today.year, 1, 1)).values_list("end", flat=True).first()
    if ended is not None:
        return str(ended.year)
    any_end = with_data.values_list("end", flat=True).first()
    return str(any_end.year if any_end else today.year - 1)


def data_years(org: OrgUnit | None = None) -> list[str]:
    """Years for which any value exists (in `org`'s subtree when given), latest first: from
    the period table, each period asking the value indexes (no scan of the values)."""
    qs = DataValue.objects.filter(period=OuterRef("pk"))
    if org is not None:
        qs = qs.filter(_in_subtree(org))
    span = Period.objects.filter(Exists(qs)).aggregate(first=Min("start"), last=Max("end"))
    if span["first"] is None:
        return [str(date.today().year - 1)]
    return [str(y) for y in range(span["last"].year, span["first"].year - 1, -1)]


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

    def as_chart(self) -> dict:
        return {
            "title": self.title,
            "labels": self.labels,
            "unit": self.unit,
            "kind": self.kind,
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
    return out


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
    changes = aggregate.yoys(targets, [org], period_code)  # each `current` is the figure itself
    shown = [
        t
        for t in targets
        if keep_empty
        or changes[(t, org.pk)].current.value is not None
        or changes[(t, org.pk)].base.value is not None
    ]
    lines = trends(shown, org, period_code) if shown else {}
    return [
        KeyCard(t, changes[(t, org.pk)].current, changes[(t, org.pk)], lines[t], f"chart-{t.code}")
        for t in shown
    ]


@dataclass
class Analysis:
    target: Target
    org_unit: OrgUnit
    period_code: str
    figure: object
    change: object
    trend: Trend
    rows: list = field(default_factory=list)
    children_chart: Trend | None = None

    @property
    def period_label(self) -> str:
        return periods.label(self.period_code)

    @property
    def is_rate(self) -> bool:
        return isinstance(self.target, Indicator) and self.target.is_rate

    @property
    def verdict(self) -> str:
        return verdict(self.target, self.change)


def analyse(target: Target, org: OrgUnit, period_code: str) -> Analysis:
    """One target for one unit and period: the figure with numerator and denominator, its 同比,
    the trend over the year, and the ranking of the unit's children."""
    from weijian.data import aggregate

    rows = aggregate.breakdown(target, org, period_code)
    # The bar chart shows the units with a figure (ranked); those without stay in the table.
    shown = [r for r in rows if r.figure.value is not None]
    chart = Trend(
        f"{org.name}下级单位",
        [r.org_unit.name for r in shown],
        {target.name: [_number(r.figure) for r in shown]},
        getattr(target, "unit", ""),
        kind="bar",
    )
    change = aggregate.yoy(target, org, period_code)
    return Analysis(
        target=target,
        org_unit=org,
        period_code=period_code,
        figure=change.current,
        change=change,
        trend=year_trend(target, org, period_code),
        rows=rows,
        children_chart=chart if shown else None,
    )


def analysis_workbook(a: Analysis) -> bytes:
    """The analysis as an Excel workbook: the figure, then the children's ranking, with the
    numbers written as the page shows them and the raw values beside them for re-use."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from weijian.data.formatting import format_figure

    def shown(fig) -> str:
        return format_figure(fig.value, fig.unit, fig.decimals) if fig is not None else ""

    def raw(value):
        return None if value is None else float(value)

    wb = Workbook()
    ws = wb.active
    ws.title = "分析"
    bold = Font(bold=True)
    ws.append([f"{a.target.name}（{a.target.code}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["单位", a.org_unit.name])
    ws.append(["期间", a.period_label])
    ws.append([])
    header = ["单位", "分子", "分母", "数值", "数值（原始）", "同比", "排名"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    f = a.figure
    ws.append(
        [
            a.org_unit.name,
            raw(f.numerator),
            raw(f.denominator),
            shown(f),
            raw(f.value),
            getattr(a.change, "text", "") or "",
            "",
        ]
    )
    for row in a.rows:
        rf = row.figure
        ws.append(
            [
                row.org_unit.name,
                raw(rf.numerator),
                raw(rf.denominator),
                shown(rf),
                raw(rf.value),
                "",
                row.rank,
            ]
        )
    for col, width in zip("ABCDEFG", (28, 14, 14, 14, 14, 18, 8), strict=True):
        ws.column_dimensions[col].width = width
    protect_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
