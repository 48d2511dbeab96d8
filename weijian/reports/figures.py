"""Traceable figures: every number a drafted report states is taken through a `Ledger`, which
returns the text to write and keeps where it came from (indicator, unit, period, numerator,
denominator, the analysis page that shows it). The ledger is the sidecar stored with a draft
and the 附件：数据来源 table; comparing two ledgers tells what changed between two drafts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from urllib.parse import urlencode

from weijian.data import aggregate, periods
from weijian.data.formatting import format_figure
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import OrgUnit

Target = Indicator | DataElement


def analysis_link(target: Target, org: OrgUnit, period_code: str) -> str:
    """The analysis page of a figure (weijian/web/views/analysis.py reads these parameters)."""
    return "/analysis/?" + urlencode({"target": target.code, "org_unit": org.code, "period": period_code})


def _plain(v: Decimal | None) -> str:
    if v is None:
        return ""
    text = format(Decimal(v).normalize(), "f")
    return text


@dataclass
class Entry:
    """One stated figure. `kind`: value (a figure), change (同比), rank (位列第X), count (a
    number of tasks, targets or items from the plans and assessment apps)."""

    key: str  # stable identity across drafts: kind|indicator|unit|period
    kind: str
    text: str  # as written in the report
    label: str  # what it measures, in words
    indicator: str = ""  # catalogue code
    unit: str = ""  # org unit code
    unit_name: str = ""
    period: str = ""
    period_label: str = ""
    value: str = ""
    numerator: str = ""
    denominator: str = ""
    base: str = ""  # for a change: the figure a year before
    link: str = ""
    source: str = ""  # where a count comes from (工作计划, 督办, 问题清单, 考核)

    def to_dict(self) -> dict:
        return asdict(self)


class Ledger:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._keys: dict[str, Entry] = {}

    def _add(self, entry: Entry) -> str:
        if entry.key not in self._keys:
            self._keys[entry.key] = entry
            self.entries.append(entry)
        return entry.text

    def value(self, target: Target, org: OrgUnit, period_code: str, figure=None) -> str:
        """The figure of `target` for `org` in the period, as the platform formats it."""
        fig = figure if figure is not None else aggregate.value(target, org, period_code)
        return self._add(
            Entry(
                key=f"value|{target.code}|{org.code}|{period_code}",
                kind="value",
                text=fig.text,
                label=target.name,
                indicator=target.code,
                unit=org.code,
                unit_name=org.name,
                period=period_code,
                period_label=periods.label(period_code),
                value=_plain(fig.value),
                numerator=_plain(fig.numerator),
                denominator=_plain(fig.denominator),
                link=analysis_link(target, org, period_code),
            )
        )

    def change(self, target: Target, org: OrgUnit, period_code: str, change=None) -> str:
        """同比 of the figure, worded by the data app (增长5.1%, 提高1.20个百分点, 下降0.3‰)."""
        ch = change if change is not None else aggregate.yoy(target, org, period_code)
        base_code = periods.same_period_last_year(period_code)
        return self._add(
            Entry(
                key=f"change|{target.code}|{org.code}|{period_code}",
                kind="change",
                text=ch.text,
                label=f"{target.name}同比",
                indicator=target.code,
                unit=org.code,
                unit_name=org.name,
                period=period_code,
                period_label=f"{periods.label(period_code)}比{periods.label(base_code)}",
                value=_plain(ch.delta),
                numerator=_plain(ch.current.value),
                denominator="",
                base=ch.base.text,
                link=analysis_link(target, org, period_code),
            )
        )

    def increase(self, target: Target, org: OrgUnit, year: int, amount: Decimal, unit: str) -> str:
        """Growth of a stock figure over the previous year-end (新增床位18张)."""
        text = format_figure(amount, unit, 0)
        return self._add(
            Entry(
                key=f"increase|{target.code}|{org.code}|{year}",
                kind="increase",
                text=text,
                label=f"{target.name}比上年末增加",
                indicator=target.code,
                unit=org.code,
                unit_name=org.name,
                period=str(year),
                period_label=f"{year}年末比{year - 1}年末",
                value=_plain(amount),
                link=analysis_link(target, org, str(year)),
            )
        )

    def rank(
        self, target: Target, org: OrgUnit, parent: OrgUnit, period_code: str, rank: int, of: int
    ) -> str:
        text = f"第{rank}"
        return self._add(
            Entry(
                key=f"rank|{target.code}|{org.code}|{period_code}",
                kind="rank",
                text=text,
                label=f"{target.name}在{parent.name}{of}个单位中的名次",
                indicator=target.code,
                unit=org.code,
                unit_name=org.name,
                period=period_code,
                period_label=periods.label(period_code),
                value=str(rank),
                denominator=str(of),
                link=analysis_link(target, parent, period_code),
            )
        )

    def count(self, key: str, n: int, measure: str, label: str, source: str, link: str = "") -> str:
        """A count from the plans/assessment apps: `measure` is its measure word (项, 个, 件)."""
        return self._add(
            Entry(
                key=f"count|{key}",
                kind="count",
                text=f"{n}{measure}",
                label=label,
                value=str(n),
                source=source,
                link=link,
            )
        )

    def derived(self, key: str, text: str, label: str, source: str) -> str:
        """A figure worked out from others (a gap to a target, an assessment score)."""
        return self._add(Entry(key=f"derived|{key}", kind="derived", text=text, label=label, source=source))

    def to_list(self) -> list[dict]:
        return [e.to_dict() for e in self.entries]


@dataclass
class FigureChange:
    key: str
    label: str
    unit_name: str
    period_label: str
    before: str | None
    after: str | None

    @property
    def what(self) -> str:
        if self.before is None:
            return "新增"
        if self.after is None:
            return "删除"
        return "变化"


def diff(before: list[dict], after: list[dict]) -> list[FigureChange]:
    """Figures that differ between two drafts' ledgers (changed, added, dropped), in the new
    draft's order, the dropped ones last."""
    old = {e["key"]: e for e in before}
    new = {e["key"]: e for e in after}
    out: list[FigureChange] = []
    for key, e in new.items():
        prev = old.get(key)
        if prev is None or prev["text"] != e["text"]:
            out.append(
                FigureChange(
                    key,
                    e["label"],
                    e["unit_name"],
                    e["period_label"],
                    prev["text"] if prev else None,
                    e["text"],
                )
            )
    for key, e in old.items():
        if key not in new:
            out.append(FigureChange(key, e["label"], e["unit_name"], e["period_label"], e["text"], None))
    return out
