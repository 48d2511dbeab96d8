"""The 排名通报: one indicator across the units under an area for a period, ranked, with the
area's own figure and 同比, a table and the ranking chart — drafted by the same engine as the
summary, every figure traced."""

from __future__ import annotations

from django.utils import timezone

from weijian.data import aggregate, periods
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import Level, OrgUnit
from weijian.orgs.naming import issuer_for
from weijian.web import dashboard

from .document import Draft
from .figures import Ledger


def draft_ranking(target: Indicator | DataElement, org: OrgUnit, period_code: str) -> Draft:
    ledger = Ledger()
    label = periods.label(period_code)
    rows = aggregate.breakdown(target, org, period_code)
    ranked = [r for r in rows if r.rank is not None]
    issuer = issuer_for(org)
    children_are_counties = bool(rows) and rows[0].org_unit.level == Level.COUNTY
    d = Draft(
        kind="ranking",
        title=f"关于{label}{target.name}情况的通报",
        issuer=issuer,
        date=timezone.localdate(),
        addressee="各县（市、区）卫生健康局" if children_are_counties else "各有关单位",
    )
    whole = aggregate.value(target, org, period_code)
    if whole.value is not None:
        shown = ledger.value(target, org, period_code, whole)
        change = aggregate.yoy(target, org, period_code)
        tail = f"、同比{ledger.change(target, org, period_code, change)}" if change.delta is not None else ""
        d.p(
            f"根据卫健工作平台汇总数据，{label}{org.name}{target.name}为{shown}{tail}。现将各单位情况通报如下。"
        )
    if not ranked:
        d.p(f"{label}各下级单位均无{target.name}数据。")
        d.figures = ledger.to_list()
        return d
    d.h1("排名情况")
    top = ranked[:3]
    names = "、".join(r.org_unit.name for r in top)
    values = "、".join(ledger.value(target, r.org_unit, period_code, r.figure) for r in top)
    n = ledger.count(
        f"ranked|{target.code}|{org.code}|{period_code}", len(ranked), "个", "有数据的单位数", "数据汇总"
    )
    lines = [f"参加排名的{n}单位中，{names}位列前{len(top)}名，分别为{values}"]
    if len(ranked) > 5:
        bottom = ranked[-2:]
        lines.append(
            f"{'、'.join(r.org_unit.name for r in bottom)}排名靠后，分别为"
            + "、".join(ledger.value(target, r.org_unit, period_code, r.figure) for r in bottom)
        )
    if whole.value is not None:
        better = target.direction != Indicator.Direction.LOWER if isinstance(target, Indicator) else True
        above = [r for r in ranked if (r.figure.value >= whole.value) == better]
        k = ledger.count(
            f"better|{target.code}|{org.code}|{period_code}",
            len(above),
            "个",
            f"优于{org.name}总体水平的单位数",
            "数据汇总",
        )
        lines.append(f"优于{org.name}总体水平的有{k}")
    d.p("；".join(lines) + "。")
    header = ["名次", "单位", target.name, "同比"]
    table = []
    for r in rows:
        ch = aggregate.yoy(target, r.org_unit, period_code)
        shown = ledger.value(target, r.org_unit, period_code, r.figure) if r.figure.value is not None else "—"
        table.append([str(r.rank or "—"), r.org_unit.name, shown, ch.text if ch.delta is not None else "—"])
    d.table(header, table)
    a = dashboard.analyse(target, org, period_code)
    if a.children_chart is not None:
        d.chart(a.children_chart.as_chart(), f"图1　{label}各单位{target.name}")
    unlisted = [r for r in rows if r.rank is None]
    if unlisted:
        d.p(f"{'、'.join(r.org_unit.name for r in unlisted)}未报送{label}相关数据，请尽快补报。")
    d.h1("有关要求")
    d.p(f"排名靠后的单位要对照{target.name}找准差距、分析原因，逐项制定改进措施。")
    d.figures = ledger.to_list()
    return d
