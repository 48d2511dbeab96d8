"""The year-end 工作总结 of a unit, drafted from the platform: 总体情况, 主要成效 (one part per
section of the year's plan), 存在问题 and 下一步工作.

Every sentence is built from what the data holds — the plan's tasks and targets with their
tracked progress (plans.tracking), the indicators (data.aggregate, with 同比 as the data app
words it), 督办 and 问题清单, and assessment results where that app is installed — and every
figure goes through the draft's Ledger so the attachment can say where it came from. Where the
data has nothing to say, the draft says nothing rather than a stock phrase.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from weijian.data import aggregate
from weijian.data.formatting import format_figure
from weijian.data.models import DataValue
from weijian.indicators.models import Aggregation, Indicator
from weijian.orgs.models import Level, OrgUnit
from weijian.orgs.naming import area_word, issuer_for
from weijian.plans import tracking
from weijian.plans.models import Plan, ProblemItem, Rectification, Scope, Stage, SupervisionItem, Target, Task
from weijian.web import dashboard

from .document import Draft
from .figures import Ledger

# Connectives, taken in turn so neighbouring sentences do not open alike.
_OPENERS = ["", "同时，", "此外，", "与此同时，"]
log = logging.getLogger(__name__)
_SCOPE_NOUN = {Scope.COUNTY: "县（市、区）", Scope.TOWNSHIP: "乡镇"}


def plans_for(org: OrgUnit, year: int) -> list[Plan]:
    """The plans of `year` that cover `org`: its own, an enclosing area's, or area-less ones."""
    ancestors = [org.path[:i] for i in range(OrgUnit.steplen, len(org.path) + 1, OrgUnit.steplen)]
    return list(
        Plan.objects.filter(year=year)
        .filter(Q(org_unit__path__in=ancestors) | Q(org_unit__isnull=True))
        .order_by("-org_unit__depth", "pk")
    )


def data_end(org: OrgUnit, year: int) -> date | None:
    """The end of the latest period holding data for the unit in the year."""
    return DataValue.objects.filter(
        org_unit__path__startswith=org.path, period__start__year=year, period__end__year=year
    ).aggregate(last=Max("period__end"))["last"]


@dataclass
class Context:
    org: OrgUnit
    year: int
    period: str
    today: date
    complete: bool  # the year's data runs to 31 December
    ledger: Ledger
    stated: set[str]  # indicator codes already written about
    parent: OrgUnit | None
    turn: int = 0
    ranks_told: int = 0

    def opener(self) -> str:
        text = _OPENERS[self.turn % len(_OPENERS)]
        self.turn += 1
        return text


def _change_text(ctx: Context, ind: Indicator) -> str:
    """“同比提高1.20个百分点” — or "" when there is no base, or when the year is not over and
    the figure is a running total (eleven months against twelve is no comparison)."""
    change = aggregate.yoy(ind, ctx.org, ctx.period)
    if change.delta is None and change.text != "持平":
        return ""
    if not ctx.complete and change.kind == "percent" and not _is_stock(ind):
        return ""
    return ctx.ledger.change(ind, ctx.org, ctx.period, change)


def _with_change(ctx: Context, ind: Indicator, shown: str) -> str:
    """The figure and its 同比 in one clause: “覆盖率达到46.72%、同比提高1.01个百分点”. (After
    a comma, each bare “同比下降0.62个百分点” would read to a proofreader as one statement
    given with different numbers.)"""
    change = _change_text(ctx, ind)
    if not change:
        return f"{ind.name}{_verb(ind)}{shown}"
    if change == "持平":
        return f"{ind.name}为{shown}、与上年持平"
    return f"{ind.name}{_verb(ind)}{shown}、同比{change}"


def _is_stock(ind: Indicator) -> bool:
    plan = aggregate._Plan.of(ind)  # the elements behind the indicator
    return bool(plan.elements) and all(e.aggregation == Aggregation.LAST for e in plan.elements)


def _rank_text(ctx: Context, ind: Indicator) -> str:
    """ ", 位列全市第3" for a county among its siblings."""
    if ctx.parent is None or ctx.org.level != Level.COUNTY:
        return ""
    rows = [r for r in aggregate.breakdown(ind, ctx.parent, ctx.period) if r.rank is not None]
    mine = next((r for r in rows if r.org_unit.pk == ctx.org.pk), None)
    if mine is None or len(rows) < 3 or ctx.ranks_told >= 3:
        return ""
    # A rank is news at the top or the bottom of the list; a middling one is left out.
    if 3 < mine.rank < len(rows) - 1:
        return ""
    ctx.ranks_told += 1
    text = ctx.ledger.rank(ind, ctx.org, ctx.parent, ctx.period, mine.rank, len(rows))
    return f"，位列{area_word(ctx.parent)}{text}"


def _indicator_clause(ctx: Context, ind: Indicator, figure=None) -> str:
    """“高血压患者规范管理率为72.30%，同比提高1.20个百分点” (figure, 同比, rank)."""
    fig = figure or aggregate.value(ind, ctx.org, ctx.period)
    if fig.value is None:
        return ""
    ctx.stated.add(ind.code)
    shown = ctx.ledger.value(ind, ctx.org, ctx.period, fig)
    return f"{_with_change(ctx, ind, shown)}{_rank_text(ctx, ind)}"


def _verb(ind: Indicator) -> str:
    """达到 for a rate that should rise (覆盖率达到46.72%), 为 for the rest (死亡率为3.05‰)."""
    return "达到" if ind.is_rate and ind.direction == Indicator.Direction.HIGHER else "为"


def _group_sizes(n: int) -> list[int]:
    """Facts per sentence: threes, never a lone fact at the end (7 → 3, 2, 2)."""
    if n <= 3:
        return [n] if n else []
    threes, rest = divmod(n, 3)
    if rest == 0:
        return [3] * threes
    if rest == 2:
        return [3] * threes + [2]
    return [3] * (threes - 1) + [2, 2]


def _sentences(clauses: list[str], ctx: Context, lead: str = "") -> str:
    """Two or three facts to a sentence, joined by ；, each later sentence with its own opener."""
    clauses = [c for c in clauses if c]
    out, i = [], 0
    for k, size in enumerate(_group_sizes(len(clauses))):
        opener = lead if k == 0 else ctx.opener()
        out.append(opener + "；".join(clauses[i : i + size]) + "。")
        i += size
    return "".join(out)


# --- targets -----------------------------------------------------------------------------------


def _targets(ctx: Context, plans: list[Plan]) -> list[tracking.TargetProgress]:
    """Progress of the targets that concern the unit, judged for the unit itself."""
    targets = (
        Target.objects.active()
        .filter(plan__in=plans)
        .select_related("indicator", "plan", "plan__org_unit", "org_unit", "task", "task__section")
        .order_by("plan", "task__order", "order", "pk")
    )
    out = []
    area = {p.pk: tracking.plan_area(p) for p in plans}
    for t in targets:
        own_area = area[t.plan_id]
        if own_area is not None and own_area.pk == ctx.org.pk:
            out.append(tracking.target_progress(t, ctx.today))
            continue
        # A unit inside the plan's area answers for the targets set for every unit (各县/各乡镇)
        # and those split to a unit of its own; city-wide totals are not its to report.
        if t.scope == Scope.UNIT and not (t.org_unit_id and t.org_unit.path.startswith(ctx.org.path)):
            continue
        if t.scope == Scope.CITY:
            continue
        visible = set(OrgUnit.objects.filter(path__startswith=ctx.org.path).values_list("pk", flat=True))
        out.append(tracking.target_progress(t, ctx.today, visible_units=visible, viewer_unit=ctx.org))
    return out


def _target_figure(ctx: Context, tp: tracking.TargetProgress) -> str:
    """The actual of a target as a traced figure: the indicator's value, or the growth over
    last year-end for a 新增 target."""
    t = tp.target
    unit = ctx.org
    if t.scope == Scope.UNIT and t.org_unit_id:
        unit = t.org_unit
    if tracking.is_increase(t):
        return ctx.ledger.increase(t.indicator, unit, ctx.year, tp.actual, t.unit or t.indicator.unit)
    ctx.stated.add(t.indicator.code)
    return ctx.ledger.value(t.indicator, unit, ctx.period)


def _goal(t: Target) -> str:
    cmp = {">=": "不低于", ">": "超过", "<=": "不高于", "<": "低于"}.get(t.cmp, "达到")
    return f"{cmp}{t.value_display}"


def _gap(tp: tracking.TargetProgress, ctx: Context) -> str:
    """How far an actual is from its target, in the target's own unit (个百分点 for %)."""
    t = tp.target
    if tp.actual is None:
        return ""
    gap = abs(Decimal(t.value) - Decimal(tp.actual))
    if t.unit in ("%", "％"):
        shown = f"{format_figure(gap, '%', 2)[:-1]}个百分点"
    elif t.unit == "‰":
        shown = f"{format_figure(gap, '‰', 2)[:-1]}个千分点"
    elif t.unit in ("1/10万", "1/万"):
        shown = format_figure(gap, t.unit, 2)
    else:
        shown = format_figure(gap, t.unit, 0 if gap == gap.to_integral_value() else 2)
    return ctx.ledger.derived(
        f"gap|{t.pk}|{ctx.org.code}",
        shown,
        f"{t.phrase}与目标的差距",
        f"目标{t.value_display}，完成{tp.actual_display}",
    )


def _target_sentence(ctx: Context, tp: tracking.TargetProgress) -> str:
    """One target, met or not: its figure, 同比 and the goal; per-unit targets count units."""
    t = tp.target
    if t.indicator_id is None or tp.actual is None:
        return ""
    noun = _SCOPE_NOUN.get(t.scope)
    units = [u for u in tp.units if u.org_unit.pk != ctx.org.pk]
    if noun and units:
        met = [u for u in tp.units if u.met]
        n = ctx.ledger.count(
            f"units|{t.pk}|{ctx.org.code}", len(tp.units), "个", f"{t.phrase}考核的{noun}数", "工作计划"
        )
        head = (
            f"{area_word(ctx.org)}{_indicator_clause(ctx, t.indicator)}"
            if t.indicator.code not in ctx.stated
            else ""
        )
        if len(met) == len(units):
            tail = f"{n}{noun}均{_goal(t)}"
        else:
            k = ctx.ledger.count(
                f"met|{t.pk}|{ctx.org.code}", len(met), "个", f"{t.phrase}达标的{noun}数", "工作计划"
            )
            tail = f"{n}{noun}中有{k}{t.indicator.name}{_goal(t)}"
        return f"{head}，{tail}" if head else tail
    if tp.units and not units:  # the unit itself is the one unit the target names
        shown = ctx.ledger.value(t.indicator, ctx.org, ctx.period)
        ctx.stated.add(t.indicator.code)
        mine = tp.units[0]
        if mine.met is False:
            return f"{_with_change(ctx, t.indicator, shown)}，尚未达到{t.value_display}的年度目标"
        return f"{_with_change(ctx, t.indicator, shown)}，完成年度目标"
    shown = _target_figure(ctx, tp)
    if tracking.is_increase(t):
        words = f"{t.phrase.split('新增')[0]}新增{t.phrase.split('新增')[-1]}{shown}"
        return words + ("，完成年度目标" if tp.met else "")
    done = "，完成年度目标" if tp.met else ""
    return f"{_with_change(ctx, t.indicator, shown)}{done}"


# --- the parts ---------------------------------------------------------------------------------


def _overview(d: Draft, ctx: Context, plans: list[Plan], items: list, tps: list) -> None:
    d.h1("总体情况")
    plan = plans[0] if plans else None
    lines = []
    if plan is not None and items:
        counts = tracking.status_counts(items)
        n = ctx.ledger.count(f"tasks|{plan.pk}|{ctx.org.code}", len(items), "项", "重点任务数", "工作计划")
        parts = []
        for status, word in (
            (tracking.Status.COMPLETED, "已完成"),
            (tracking.Status.ON_TRACK, "正常推进"),
            (tracking.Status.LAGGING, "进度滞后"),
            (tracking.Status.NOT_STARTED, "尚未启动"),
        ):
            if counts[status]:
                parts.append(
                    word
                    + ctx.ledger.count(
                        f"tasks-{status}|{plan.pk}|{ctx.org.code}",
                        counts[status],
                        "项",
                        f"{word}的任务数",
                        "工作计划",
                    )
                )
        own = tracking.plan_area(plan)
        if own is not None and own.pk == ctx.org.pk:
            head = f"{ctx.year}年，{area_word(ctx.org)}卫生健康系统对照《{plan.title}》确定的{n}重点任务推进各项工作"
        else:
            head = f"{ctx.year}年，对照《{plan.title}》，涉及{ctx.org.name}的{n}重点任务"
        lines.append(f"{head}，其中{'，'.join(parts)}。")
    measured = [tp for tp in tps if tp.target.indicator_id and tp.actual is not None]
    if measured:
        met = sum(1 for tp in measured if tp.met)
        n = ctx.ledger.count(
            f"targets|{ctx.org.code}|{ctx.year}", len(measured), "项", "有数据的量化目标数", "工作计划"
        )
        if met == len(measured):
            tail = "全部达到年度目标"
        elif met == 0:
            tail = "尚无一项达到年度目标"
        else:
            m = ctx.ledger.count(
                f"targets-met|{ctx.org.code}|{ctx.year}", met, "项", "已达到的量化目标数", "工作计划"
            )
            tail = f"已达到年度目标的有{m}"
        lines.append(f"纳入数据监测的{n}量化目标中，{tail}。")
    if not ctx.complete:
        end = data_end(ctx.org, ctx.year)
        if end is not None:
            lines.append(f"本文所用数据截至{end.month}月底。")
    if lines:
        d.p("".join(lines))
    keys = [
        ind
        for ind in Indicator.objects.filter(is_key=True).order_by("category", "code")
        if ind.code not in {tp.target.indicator.code for tp in tps if tp.target.indicator_id}
    ]
    clauses = [_indicator_clause(ctx, ind) for ind in keys]
    d.p(_sentences(clauses, ctx, lead="从主要指标看，"))
    _charts(d, ctx, [ind for ind in keys if ind.code in ctx.stated][:1])


def _charts(d: Draft, ctx: Context, inds: list[Indicator]) -> None:
    for ind in inds:
        a = dashboard.analyse(ind, ctx.org, ctx.period)
        trend = a.trend.as_chart()
        source = {"target": ind.code, "org_unit": ctx.org.code, "period": ctx.period}
        if any(v is not None for s in trend["series"] for v in s["data"]):
            d.chart(
                trend,
                f"图{_chart_no(d)}　{ctx.org.name}{ind.name}（{trend['title']}）",
                {**source, "view": "trend"},
            )
        if a.children_chart is not None and len(a.children_chart.labels) >= 2:
            d.chart(
                a.children_chart.as_chart(),
                f"图{_chart_no(d)}　{ctx.org.name}各下级单位{ind.name}",
                {**source, "view": "children"},
            )


def _chart_no(d: Draft) -> int:
    return sum(1 for b in d.blocks if b["kind"] == "chart") + 1


def _achievements(d: Draft, ctx: Context, plans: list[Plan], items: list, tps: list) -> None:
    by_task: dict[int, list] = {}
    for tp in tps:
        if tp.target.task_id:
            by_task.setdefault(tp.target.task_id, []).append(tp)
    sections: list[tuple[str, list[str]]] = []
    for plan in plans[:1]:
        for section in plan.sections.filter(level=1).order_by("order"):
            lines = []
            ctx.turn = 0  # a part opens without a connective
            for item in [i for i in items if i.task.section_id == section.pk or _under(i.task, section)]:
                if item.status == tracking.Status.LAGGING:
                    continue  # told under 存在问题
                facts = [
                    _target_sentence(ctx, tp)
                    for tp in by_task.get(item.task.pk, [])
                    if tp.status != tracking.Status.LAGGING
                ]
                facts = [f for f in facts if f]
                title = item.task.title.rstrip("。")
                if facts:
                    lines.append(f"{ctx.opener()}{title}方面，" + "；".join(facts) + "。")
                elif item.status == tracking.Status.COMPLETED:
                    lines.append(f"{ctx.opener()}{title}工作已按计划完成。")
                elif item.percent is not None:
                    pct = ctx.ledger.count(
                        f"percent|{item.task.pk}",
                        item.percent,
                        "%",
                        f"“{title}”最近一次填报的进度",
                        "进度报告",
                    )
                    report = item.task.reports.all()[:1]
                    said = f"，{report[0].text.rstrip('。')}" if report and report[0].text else ""
                    lines.append(f"{ctx.opener()}{title}工作按计划推进，完成进度{pct}{said}。")
            if lines:
                sections.append((section.title.rstrip("。"), lines))
    assessment = _assessment_lines(ctx)
    if not sections and not assessment:
        return
    d.h1("主要成效")
    for title, lines in sections:
        d.h2(title)
        for line in lines:
            d.p(line)
    if assessment:
        d.h2("考核情况")
        d.p("".join(assessment))


def _under(task: Task, section) -> bool:
    """A task filed under a sub-section of `section`."""
    s = task.section
    return s is not None and s.order > section.order and s.level > 1 and _parent_section(s) == section.pk


def _parent_section(s) -> int | None:
    prev = s.plan.sections.filter(order__lt=s.order, level=1).order_by("-order").first()
    return prev.pk if prev else None


def _guarded(query) -> list:
    """Rows from the assessment app, or none while its tables are not there (not migrated yet):
    a savepoint keeps the surrounding transaction usable on PostgreSQL."""
    try:
        with transaction.atomic():
            return list(query())
    except DatabaseError:
        log.warning("assessment tables unavailable; the summary leaves assessment out", exc_info=True)
        return []


def _assessment_lines(ctx: Context) -> list[str]:
    """Results of the year's published assessment for the unit, when the assessment app exists."""
    if not apps.is_installed("weijian.assessment"):
        return []
    try:
        from weijian.assessment.models import Result
        from weijian.assessment.models import Stage as AStage
    except ImportError:
        return []
    results = _guarded(
        lambda: Result.objects.filter(
            scheme__year=ctx.year, scheme__stage__in=[AStage.DECIDED, AStage.PUBLISHED], org_unit=ctx.org
        ).select_related("scheme")
    )
    lines = []
    for r in results:
        if r.points is None:
            continue
        pts = ctx.ledger.derived(
            f"assess|{r.scheme_id}|{ctx.org.code}",
            f"{r.points.normalize():f}分",
            f"{r.scheme.name}得分",
            "考核",
        )
        rank = f"，排名第{r.rank}" if r.rank else ""
        grade = f"，等次为{r.grade}" if r.grade else ""
        lines.append(f"在{r.scheme.name}中得{pts}{rank}{grade}。")
    return lines


def _assessment_losses(ctx: Context) -> list[str]:
    if not apps.is_installed("weijian.assessment"):
        return []
    try:
        from weijian.assessment.models import ItemScore
    except ImportError:
        return []
    lost = _guarded(
        lambda: (
            ItemScore.objects.filter(result__scheme__year=ctx.year, result__org_unit=ctx.org, lost__gt=0)
            .select_related("item")
            .order_by("-lost")[:3]
        )
    )
    return [f"“{s.item.name}”失{s.lost.normalize():f}分" for s in lost]


def _problems(d: Draft, ctx: Context, plans: list[Plan], items: list, tps: list) -> None:
    lines: list[str] = []
    lagging = [tp for tp in tps if tp.status == tracking.Status.LAGGING and tp.target.indicator_id]
    for tp in lagging:
        t = tp.target
        if tp.units:
            short = [u for u in tp.units if u.met is not True]
            noun = _SCOPE_NOUN.get(t.scope, "单位")
            k = ctx.ledger.count(
                f"short|{t.pk}|{ctx.org.code}", len(short), "个", f"{t.phrase}未达标的{noun}数", "工作计划"
            )
            names = "、".join(u.org_unit.name for u in short[:5])
            more = "等" if len(short) > 5 else ""
            lines.append(f"{t.phrase}尚有{k}{noun}未达到{t.value_display}，包括{names}{more}")
        elif tp.actual is not None:
            shown = _target_figure(ctx, tp)
            verb = "" if tracking.is_increase(t) else "为"
            lines.append(f"{t.phrase}{verb}{shown}、距年度目标{t.value_display}尚差{_gap(tp, ctx)}")
    late = [i for i in items if i.missing_reports]
    if late:
        n = ctx.ledger.count(
            f"late|{ctx.org.code}|{ctx.year}", len(late), "项", "逾期未报进度的任务数", "进度报告"
        )
        lines.append(f"{n}任务存在逾期未报进度的情况")
    sup = SupervisionItem.objects.filter(plan__in=plans).exclude(stage=Stage.CLOSED)
    if ctx.org.level > Level.CITY:
        sup = sup.filter(assignee_org__path__startswith=ctx.org.path)
    open_sup = sup.count()
    if open_sup:
        n = ctx.ledger.count(
            f"supervision|{ctx.org.code}|{ctx.year}", open_sup, "件", "未办结的督办事项数", "督办"
        )
        overdue = sup.filter(deadline__lt=ctx.today).count()
        tail = (
            "，其中超过办理时限"
            + ctx.ledger.count(
                f"supervision-late|{ctx.org.code}|{ctx.year}", overdue, "件", "超期的督办事项数", "督办"
            )
            if overdue
            else ""
        )
        lines.append(f"督办事项尚有{n}未办结{tail}")
    probs = ProblemItem.objects.filter(Q(plan__in=plans) | Q(plan__isnull=True, created__year=ctx.year))
    if ctx.org.level > Level.CITY:
        probs = probs.filter(owner_org__path__startswith=ctx.org.path)
    total = probs.count()
    unresolved = probs.exclude(status=Rectification.DONE).count()
    if unresolved:
        n = ctx.ledger.count(
            f"problems|{ctx.org.code}|{ctx.year}", total, "个", "问题清单登记的问题数", "问题清单"
        )
        u = ctx.ledger.count(
            f"problems-open|{ctx.org.code}|{ctx.year}", unresolved, "个", "尚未完成整改的问题数", "问题清单"
        )
        lines.append(f"巡察、督导和检查发现的{n}问题中，尚有{u}未完成整改")
    losses = _assessment_losses(ctx)
    if losses:
        lines.append("考核中" + "、".join(losses))
    if not lines:
        return
    d.h1("存在问题")
    ctx.turn = 0
    d.p(_sentences(lines, ctx, lead="对照年度目标和工作要求，"))


def _next_steps(d: Draft, ctx: Context, plans: list[Plan], items: list, tps: list) -> None:
    """Open tasks, each with what the data says is left; then next year's plan if imported."""
    open_items = [i for i in items if i.status != tracking.Status.COMPLETED]
    nxt = (
        Plan.objects.filter(year=ctx.year + 1).filter(Q(org_unit__isnull=True) | Q(org_unit=ctx.org)).first()
    )
    if not open_items and nxt is None:
        return
    d.h1("下一步工作")
    by_task: dict[int, list] = {}
    for tp in tps:
        if tp.target.task_id:
            by_task.setdefault(tp.target.task_id, []).append(tp)
    ordinals = "一二三四五六七八九十"
    for k, item in enumerate(open_items[: len(ordinals)]):
        title = item.task.title.rstrip("。")
        left = []
        for tp in by_task.get(item.task.pk, []):
            t = tp.target
            if tp.met or t.indicator_id is None:
                continue
            short = [u for u in tp.units if u.met is not True]
            if short:
                noun = _SCOPE_NOUN.get(t.scope, "单位")
                move = "降到" if tracking._lower_is_better(t) else "提高到"
                left.append(f"推动未达标的{noun}尽快把{t.indicator.name}{move}{t.value_display}")
            elif tp.actual is not None:
                left.append(f"确保{t.phrase}达到{t.value_display}的目标")
        if not left and item.percent is not None:
            left.append(f"抓好{title}剩余工作的收尾")
        if not left:
            left.append(f"细化{title}的工作措施和时间安排")
        owners = "、".join(item.task.department_names())
        by = f"{owners}牵头，" if owners else ""
        d.p(f"{title}。{by}{'，'.join(left)}。", lead=f"{ordinals[k]}是")
    if nxt is not None:
        sections = [s.title.rstrip("。") for s in nxt.sections.filter(level=1).order_by("order")]
        if sections:
            d.p(f"{ctx.year + 1}年，按照《{nxt.title}》的部署，重点抓好{'、'.join(sections)}等方面工作。")


def draft_summary(org: OrgUnit, year: int, *, today: date | None = None) -> Draft:
    """The 工作总结 of `org` (its whole subtree) for `year`."""
    today = min(today or timezone.localdate(), date(year, 12, 31))
    end = data_end(org, year)
    parent = OrgUnit.objects.filter(path=org.path[: -OrgUnit.steplen]).first() if org.depth > 1 else None
    ctx = Context(
        org=org,
        year=year,
        period=str(year),
        today=today,
        complete=end is not None and end >= date(year, 12, 31),
        ledger=Ledger(),
        stated=set(),
        parent=parent,
    )
    plans = plans_for(org, year)
    if plans and tracking.plan_area(plans[0]) is not None and tracking.plan_area(plans[0]).pk == org.pk:
        items = tracking.tasks_with_progress(
            Task.objects.active().filter(plan=plans[0]).order_by("order"), today
        )
    else:
        items = []
    tps = _targets(ctx, plans[:1])
    if not items and plans:
        # A unit inside the plan's area: the tasks that hold its targets, judged by them.
        items = _unit_items(plans[0], tps)
    issuer = issuer_for(org)
    d = Draft(kind="summary", title=f"{issuer}{year}年工作总结", issuer=issuer, date=timezone.localdate())
    _overview(d, ctx, plans, items, tps)
    _achievements(d, ctx, plans, items, tps)
    _problems(d, ctx, plans, items, tps)
    _next_steps(d, ctx, plans, items, tps)
    d.figures = ctx.ledger.to_list()
    return d


@dataclass
class _UnitItem:
    """A task as a county sees it: the status of its own targets."""

    task: Task
    status: str
    percent: int | None = None
    missing_reports: tuple = ()


def _unit_items(plan: Plan, tps: list) -> list:
    by_task: dict[int, list] = {}
    for tp in tps:
        if tp.target.task_id:
            by_task.setdefault(tp.target.task_id, []).append(tp.status)
    out = []
    for task in (
        Task.objects.active().filter(pk__in=by_task).select_related("section", "plan").order_by("order")
    ):
        statuses = by_task[task.pk]
        if all(s == tracking.Status.COMPLETED for s in statuses):
            status = tracking.Status.COMPLETED
        elif tracking.Status.LAGGING in statuses:
            status = tracking.Status.LAGGING
        elif all(s == tracking.Status.NOT_STARTED for s in statuses):
            status = tracking.Status.NOT_STARTED
        else:
            status = tracking.Status.ON_TRACK
        out.append(_UnitItem(task, status))
    return out
