"""Scoring a scheme: gathering every item's inputs for every unit (batched: one aggregate call
per indicator for all units), keeping them as a snapshot, scoring them with the item's typed
rule, totalling with the scheme's grading policy, ranking, and the per-unit views built on the
stored scores (失分清单, where a unit can gain most, what-if).

The rule engine is rules.py / grading.py; this module only feeds it and stores what it says.
A rescore after a review or an appeal starts from the stored snapshot, never from live data, so
a change in the data after scoring does not move a result.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from weijian.accounts import scope
from weijian.orgs.models import OrgUnit

from . import grading, rules
from .models import (
    Category,
    Item,
    ItemScore,
    Result,
    Review,
    Scheme,
    SchemeLocked,
    ScoreChange,
    Source,
    Stage,
    WorkflowError,
)

ZERO = Decimal(0)


# --- the record of every change of points ------------------------------------------------


def audit(score: ItemScore | None, result: Result, user, old, new, reason: str) -> None:
    if _fmt(old) == _fmt(new):
        return
    ScoreChange.objects.create(
        score=score,
        result=result,
        user=user if scope.is_active(user) else None,
        old=_fmt(old),
        new=_fmt(new),
        reason=reason[:500],
    )


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        v = v.quantize(Decimal("0.01"))
        text = format(v, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(v)


# --- snapshot ------------------------------------------------------------------------------


def _d(v) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _s(v) -> str | None:
    """A Decimal as exact text without trailing zeros ("96", "8.5"), None as None."""
    return None if v is None else rules.format_number(Decimal(v))


@dataclass(frozen=True)
class _Fig:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    text: str  # the figure as the commission writes it (92.30%, 1.2万人)


def _figure_text(name: str, fig: _Fig | None, period: str) -> str:
    if fig is None or fig.value is None:
        return f"{name}：{period}年无数据"
    text = f"{name}：{fig.text}"
    if fig.denominator is not None and fig.numerator is not None:
        text += f"（分子 {_plain(fig.numerator)} / 分母 {_plain(fig.denominator)}）"
    return f"{text}，{period}年"


def _plain(v: Decimal) -> str:
    q = v.quantize(Decimal("0.01"))
    t = format(q, "f")
    return t.rstrip("0").rstrip(".") if "." in t else t


def _figures(measures: list, units: list[OrgUnit], period: str) -> dict[tuple[str, int], dict[int, _Fig]]:
    """Every measure's figure for every unit in one period: indicators through the data app's
    batched actuals service (one batch of queries for all of them), data elements through its
    aggregation. Keyed by (kind, pk) then unit pk."""
    from weijian.data import aggregate
    from weijian.data.actuals import actuals_many
    from weijian.data.formatting import format_figure
    from weijian.indicators.models import Indicator

    out: dict[tuple[str, int], dict[int, _Fig]] = {}
    indicators = {m.pk: m for m in measures if isinstance(m, Indicator)}
    if indicators:
        got = actuals_many([(i, False) for i in indicators.values()], units, period)
        for pk, ind in indicators.items():
            rate = bool(ind.denominator.strip())
            out[("indicator", pk)] = {
                u: _Fig(
                    a.value,
                    a.numerator if rate else None,
                    a.denominator if rate else None,
                    format_figure(a.value, ind.unit, ind.decimals),
                )
                for u, a in got.get((pk, False), {}).items()
            }
    for m in measures:
        if not isinstance(m, Indicator):
            figs = aggregate.values(m, units, period)
            out[("element", m.pk)] = {u: _Fig(f.value, None, None, str(f)) for u, f in figs.items()}
    return out


def _key(measure) -> tuple[str, int]:
    from weijian.indicators.models import Indicator

    return ("indicator" if isinstance(measure, Indicator) else "element", measure.pk)


def _measure(item: Item):
    if item.source == Source.TARGET and item.target_id:
        return item.target.indicator
    return item.indicator or item.element


def gather(scheme: Scheme, units: list[OrgUnit], today: date) -> dict[tuple[int, int], dict]:
    """The inputs of every (item, unit) pair as JSON-ready dicts, read from the live data."""
    from weijian.plans.models import ProblemItem, Rectification, SupervisionItem

    items = list(scheme.items.select_related("target__indicator", "indicator", "element", "task"))
    year = str(scheme.year)
    last = str(scheme.year - 1)
    out: dict[tuple[int, int], dict] = {}

    sup_rows = list(
        SupervisionItem.objects.filter(
            closed_at__isnull=True, deadline__lt=today, assignee_org__isnull=False
        ).values_list("assignee_org__path", "title")
    )
    prob_rows = list(
        ProblemItem.objects.exclude(status=Rectification.DONE)
        .filter(owner_org__isnull=False)
        .values_list("owner_org__path", "description")
    )
    measures = {
        _key(m): m for m in (_measure(i) for i in items if i.source in (Source.INDICATOR, Source.TARGET)) if m
    }
    now_figs = _figures(list(measures.values()), units, year)
    last_figs = _figures(list(measures.values()), units, last)
    for item in items:
        measure = _measure(item)
        figs = lasts = {}
        if measure is not None and item.source in (Source.INDICATOR, Source.TARGET):
            figs, lasts = now_figs[_key(measure)], last_figs[_key(measure)]
        target = item.target.value if item.source == Source.TARGET and item.target_id else item.target_value
        # A rank rule ranks every assessed unit ("参评单位"); peer groups are ranked on totals.
        peers = {u.code: _s(getattr(figs.get(u.pk), "value", None)) for u in units}
        for u in units:
            snap: dict = {"unit": u.code, "period": year, "target": _s(target)}
            if item.source in (Source.INDICATOR, Source.TARGET) and measure is not None:
                fig, before = figs.get(u.pk), lasts.get(u.pk)
                snap.update(
                    value=_s(getattr(fig, "value", None)),
                    numerator=_s(getattr(fig, "numerator", None)),
                    denominator=_s(getattr(fig, "denominator", None)),
                    last_year=_s(getattr(before, "value", None)),
                    measure_unit=getattr(measure, "unit", ""),
                    peers=peers,
                    source=_figure_text(measure.name, fig, year),
                )
            elif item.source == Source.TASK and item.task_id:
                met, total = _task_targets(item.task, u)
                snap.update(
                    value=_s(Decimal(met * 100) / Decimal(total)) if total else None,
                    numerator=str(met),
                    denominator=str(total),
                    source=f"任务“{item.task.title[:30]}”：{total}项目标中达标{met}项",
                )
            elif item.source == Source.SUPERVISION:
                titles = [t for p, t in sup_rows if p.startswith(u.path)]
                snap.update(
                    count=len(titles), findings=titles[:20], source=f"逾期未办结督办事项{len(titles)}件"
                )
            elif item.source == Source.PROBLEMS:
                texts = [t[:60] for p, t in prob_rows if p.startswith(u.path)]
                snap.update(count=len(texts), findings=texts[:20], source=f"未完成整改问题{len(texts)}个")
            out[(item.pk, u.pk)] = snap
    return out


def _task_targets(task, unit: OrgUnit) -> tuple[int, int]:
    """How many of a plan task's targets this unit meets, of how many apply to it."""
    from weijian.data.actuals import actuals_many, meets

    targets = [
        t
        for t in task.targets.filter(active=True).select_related("indicator")
        if t.indicator_id is not None and (not t.org_unit_id or t.org_unit_id == unit.pk)
    ]
    got = actuals_many({(t.indicator, False) for t in targets}, [unit], str(task.plan.year))
    met = 0
    for t in targets:
        value = got[(t.indicator_id, False)][unit.pk].value
        if value is not None and meets(
            value, t.cmp, t.value, lower_is_better=t.indicator.direction == "down"
        ):
            met += 1
    return met, len(targets)


def _unit_side(score: ItemScore, snap: dict) -> dict:
    """What the unit and the reviewers added to the snapshot: reviews, checked figures, evidence."""
    snap = dict(snap)
    item = score.item
    if item.source == Source.REVIEW:
        snap["reviews"] = [
            {
                "reviewer": r.reviewer.get_full_name() or r.reviewer.username,
                "reviewer_id": r.reviewer_id,
                "level": r.level,
                "points": _s(r.points),
                "reason": r.reason,
            }
            for r in score.reviews.select_related("reviewer")
        ]
    if item.source == Source.MANUAL:
        snap["value"] = _s(score.manual_value) if score.manual_value is not None else snap.get("value")
        snap["count"] = score.manual_count
        snap["flag"] = score.manual_flag
        if score.manual_note:
            snap["source"] = f"考核组核定：{score.manual_note}"
    evidence = [e.name for e in score.evidence.all()]
    snap["evidence"] = evidence
    if item.source == Source.EVIDENCE:
        snap["count"] = len(evidence)
        snap["flag"] = bool(evidence)
        snap["source"] = f"佐证材料{len(evidence)}份" if evidence else "未上传佐证材料"
    return snap


# --- the engine's side ---------------------------------------------------------------------


def inputs_from(snap: dict) -> rules.Inputs:
    peers = {k: _d(v) for k, v in (snap.get("peers") or {}).items()}
    reviews = tuple(
        rules.Review(
            reviewer=r["reviewer"],
            level=r.get("level") or None,
            points=_d(r.get("points")),
            reason=r["reason"],
        )
        for r in snap.get("reviews") or []
    )
    count = snap.get("count")
    return rules.Inputs(
        value=_d(snap.get("value")),
        target=_d(snap.get("target")),
        last_year=_d(snap.get("last_year")),
        peers=peers,
        unit=snap.get("unit") or "",
        count=None if count is None else int(count),
        flag=None if snap.get("flag") is None else bool(snap["flag"]),
        reviews=reviews,
        numerator=_d(snap.get("numerator")),
        denominator=_d(snap.get("denominator")),
    )


def score_item(item: Item, snap: dict, applicable: bool = True) -> rules.ItemResult:
    rule = rules.rule_from_dict(item.rule)
    if not applicable:
        return rules.not_applicable(item.points, snap.get("unit_type", ""))
    return rule.score(inputs_from(snap), item.points)


def _result_of(score: ItemScore) -> rules.ItemResult:
    return rules.ItemResult(
        points=score.points,
        max_points=score.max_points,
        status=score.status,
        computation=score.computation,
        veto=score.veto,
        lost=score.lost,
        gain_potential=score.gain_text,
    )


def policy_of(scheme: Scheme, items: list[Item] | None = None) -> grading.SchemePolicy:
    """The scheme's grading policy: item roles and vetoes from the rules, full points from the
    scored items (or declared), grade scale (cut-offs or quotas) and bonus cap from `grading`."""
    items = items if items is not None else list(scheme.items.select_related("category__parent"))
    conf = scheme.grading or {}
    item_rules = {str(i.pk): rules.rule_from_dict(i.rule) for i in items}
    full = conf.get("full") or sum((i.points for i in items if item_rules[str(i.pk)].role == "score"), ZERO)
    scale_kw = {}
    if conf.get("levels"):
        scale_kw["levels"] = tuple(conf["levels"])
    if conf.get("cutoffs"):
        scale_kw["cutoffs"] = tuple((Decimal(str(p)), g) for p, g in conf["cutoffs"])
    if conf.get("quotas"):
        scale_kw["quotas"] = tuple(grading.Quota(**q) for q in conf["quotas"])
    cats = {str(i.pk): _top_category(i).name for i in items}
    return grading.SchemePolicy.from_rules(
        item_rules,
        full=full or Decimal(100),
        bonus_cap=_d(conf.get("bonus_cap")),
        scale=grading.GradeScale(**scale_kw),
        categories=cats,
    )


def _top_category(item: Item) -> Category:
    cat = item.category
    return cat.parent if cat.parent_id else cat


# --- scoring -------------------------------------------------------------------------------


@transaction.atomic
def issue(scheme: Scheme) -> int:
    """下达: a result with one blank score per item for every assessed unit."""
    items = list(scheme.items.all())
    n = 0
    for unit in scheme.assessed_units():
        result, _ = Result.objects.get_or_create(scheme=scheme, org_unit=unit)
        for item in items:
            ItemScore.objects.get_or_create(result=result, item=item, defaults={"max_points": item.points})
        n += 1
    return n


def _group_members(scheme: Scheme) -> dict[int, set[int]]:
    groups = {i.applies_group_id for i in scheme.items.all() if i.applies_group_id}
    from weijian.orgs.models import OrgGroup

    return {g.pk: set(g.members.values_list("pk", flat=True)) for g in OrgGroup.objects.filter(pk__in=groups)}


@transaction.atomic
def score_scheme(
    scheme: Scheme, user=None, *, reason: str = "按数据快照计算得分", today: date | None = None
) -> list[Result]:
    """Compute every unit's scores from a fresh snapshot of the data; audited; ranks updated.

    Refused once results are 审定 (final)."""
    if scheme.results_final:
        raise WorkflowError("考核结果已审定，不能重新计算。")
    today = today or timezone.localdate()
    if scheme.stage == Stage.DRAFT:
        issue(scheme)
    units = list(scheme.assessed_units())
    if not Result.objects.filter(scheme=scheme).exists():
        issue(scheme)
    snaps = gather(scheme, units, today)
    members = _group_members(scheme)
    now = timezone.now()
    scores = (
        ItemScore.objects.filter(result__scheme=scheme)
        .select_related("item", "result__org_unit")
        .prefetch_related("reviews__reviewer", "evidence")
    )
    for score in scores:
        unit = score.result.org_unit
        item = score.item
        snap = _unit_side(score, snaps.get((item.pk, unit.pk), {"unit": unit.code}))
        applicable = item.applies_to(unit, members.get(item.applies_group_id)) and _rule_applies(item, unit)
        snap["unit_type"] = unit_type(unit)
        _store(score, item, snap, applicable, user, reason, now)
    if scheme.scored_at is None:
        scheme.scored_at = now
        scheme.save(update_fields=["scored_at"])
    return recompute_totals(scheme, user, reason)


def unit_type(unit: OrgUnit) -> str:
    """The unit's type as a rule's `applies_to` names it: 乡镇卫生院, 综合医院, 县(市、区) …"""
    return unit.get_inst_type_display() if unit.inst_type else unit.get_level_display()


def _rule_applies(item: Item, unit: OrgUnit) -> bool:
    rule = rules.rule_from_dict(item.rule)
    if not rule.applies_to:
        return True
    names = {unit_type(unit), unit.get_level_display(), unit.name[-1:]}
    if unit.grade in ("2", "3"):
        names |= {"二级以上医院", "二级以上公立医院"} if unit.ownership == "public" else {"二级以上医院"}
    return any(rule.applies(n) for n in names)


def _store(
    score: ItemScore, item: Item, snap: dict, applicable: bool, user, reason: str, now, scorer=None
) -> None:
    """Score one item from `snap` and store it. `scorer` is a person whose judgement this is
    (a reviewer, the team member who checked a figure): the first one is kept, so an appeal
    against the item goes to someone else. Computing from data has no scorer."""
    res = score_item(item, snap, applicable)
    old = score.points
    snap["rule"] = item.rule
    snap["criterion"] = item.criterion
    if item.rule.get("target") is not None:  # the rule's own target wins (rules.Rule._target)
        snap["target"] = str(item.rule["target"])
    if score.inputs.get("override"):
        snap["override"] = score.inputs["override"]
    score.inputs = snap
    score.status = res.status
    score.max_points = res.max_points
    score.veto = res.veto
    score.computation = res.computation
    score.lost = res.lost
    score.gain_text = res.gain_potential[:300]
    score.gain_potential = res.lost if res.gain_potential else ZERO
    score.points = res.points
    override = snap.get("override")
    if override:
        score.points = _d(override["points"])
        score.lost = max(ZERO, score.max_points - score.points) if not item.is_bonus else ZERO
        score.gain_potential = ZERO
        score.gain_text = ""
        score.computation = f"{res.computation}；{override['reason']}，调整为{_plain(score.points)}分"
    score.source_text = (snap.get("source") or "")[:300]
    score.computed_at = now
    if scorer is not None and score.scored_by_id is None:
        score.scored_by = scorer
    score.save()
    audit(score, score.result, user, old, score.points, reason)


@transaction.atomic
def rescore_item(score: ItemScore, user, *, reason: str, as_scorer: bool = False) -> None:
    """Rescore one item from its stored snapshot plus the current reviews and checked figures."""
    score = ItemScore.objects.select_related("item", "result__scheme", "result__org_unit").get(pk=score.pk)
    scheme = score.result.scheme
    if scheme.results_final:
        raise WorkflowError("考核结果已审定，得分不能再改变。")
    base = {k: v for k, v in score.inputs.items() if k not in ("reviews", "evidence")} or {
        "unit": score.result.org_unit.code
    }
    snap = _unit_side(score, base)
    applicable = score.status != "not_applicable"
    _store(
        score, score.item, snap, applicable, user, reason, timezone.now(), scorer=user if as_scorer else None
    )
    recompute_totals(scheme, user, reason)


@transaction.atomic
def override_points(score: ItemScore, user, points: Decimal, *, reason: str) -> None:
    """Set an item's points by decision (an upheld appeal), keeping the rule's own computation."""
    inputs = dict(score.inputs)
    inputs["override"] = {"points": _s(points), "reason": reason}
    score.inputs = inputs
    score.save(update_fields=["inputs"])
    rescore_item(score, user, reason=reason)


def _assess(
    scheme: Scheme, results: list[Result], replace: dict[int, dict[str, rules.ItemResult]] | None = None
):
    """grading.assess over the stored item scores (or, for a what-if, some replaced)."""
    items = list(scheme.items.select_related("category__parent"))
    policy = policy_of(scheme, items)
    units = {}
    for r in results:
        units[str(r.pk)] = {str(s.item_id): _result_of(s) for s in r.scores.all()}
        if replace and r.pk in replace:
            units[str(r.pk)].update(replace[r.pk])
    groups = {str(r.pk): scheme.peer_group_of(r.org_unit) for r in results}
    last = scheme.last_year()
    last_year = {}
    if last is not None:
        before = {b.org_unit_id: b for b in last.results.filter(points__isnull=False)}
        for r in results:
            b = before.get(r.org_unit_id)
            if b is not None and b.rank is not None:
                last_year[str(r.pk)] = (b.points, b.rank)
    return grading.assess(units, policy, groups, last_year)


def _results(scheme: Scheme) -> list[Result]:
    return list(Result.objects.filter(scheme=scheme).select_related("org_unit").prefetch_related("scores"))


_local = threading.local()  # per thread: a deferral in one request never leaks into another


def _stack() -> list[set[int]]:
    if not hasattr(_local, "deferred"):
        _local.deferred = []
    return _local.deferred


@contextmanager
def totals_deferred():
    """Recompute each touched scheme's totals once on leaving, not after every item (for a
    batch of reviews, as the demo records them)."""
    _stack().append(set())
    try:
        yield
    finally:
        pending = _stack().pop()
        for pk in sorted(pending):
            recompute_totals(Scheme.objects.get(pk=pk), None, "批量评审后重新汇总")


def recompute_totals(scheme: Scheme, user=None, reason: str = "") -> list[Result]:
    """Totals, grades, ranks (overall, per category, per peer group) from the stored item scores."""
    if _stack():
        _stack()[-1].add(scheme.pk)
        return []
    results = _results(scheme)
    assessed = _assess(scheme, results)
    now = timezone.now()
    for r in results:
        a = assessed[str(r.pk)]
        t = a.total
        old = r.points
        r.points = t.points.quantize(Decimal("0.01"))
        r.full = t.full
        r.veto = bool(t.veto)
        r.grade = a.grade
        r.rank = a.rank
        r.peer_rank = a.group_rank
        r.explanation = t.explanation
        r.totals = {
            "full": _s(t.full),
            "applicable": _s(t.applicable),
            "base": _s(t.base),
            "rescaled": _s(t.rescaled),
            "bonus": _s(t.bonus),
            "deductions": _s(t.deductions),
            "veto": [
                {"item": h.item, "effect": h.effect, "grade": h.grade, "reason": h.reason} for h in t.veto
            ],
            "categories": {c: _s(v) for c, v in t.categories.items()},
            "category_ranks": dict(a.category_ranks),
            "group": a.group,
            "change_points": _s(a.change_points),
            "change_rank": a.change_rank,
        }
        r.computed_at = now
        r.save()
        if reason:
            audit(None, r, user, old, r.points, f"总分：{reason}")
    return results


# --- reading a unit's result ---------------------------------------------------------------


def lost_points(result: Result) -> list[ItemScore]:
    """The 失分清单: items where the unit lost points, most first (deductions and vetoes too)."""
    rows = [s for s in result.scores.select_related("item__category") if s.lost > 0 or s.veto]
    return sorted(rows, key=lambda s: (-s.lost, s.item.order))


def gains(result: Result, n: int = 5) -> list[ItemScore]:
    """Where the unit can gain most: the items with the largest gain potential."""
    rows = [s for s in result.scores.select_related("item") if s.gain_potential > 0]
    return sorted(rows, key=lambda s: (-s.gain_potential, s.item.order))[:n]


@dataclass
class WhatIf:
    item: Item
    old_points: Decimal | None
    new_points: Decimal | None
    computation: str
    old_total: Decimal | None
    new_total: Decimal | None
    old_rank: int | None
    new_rank: int | None
    old_grade: str
    new_grade: str


def what_if(
    result: Result, score: ItemScore, value: Decimal | None = None, count: int | None = None
) -> WhatIf:
    """Change one input of one item and see the unit's points, total, grade and rank move.
    Computed from the stored snapshot; nothing is saved."""
    scheme = result.scheme
    snap = dict(score.inputs)
    snap.pop("override", None)
    if value is not None:
        snap["value"] = _s(value)
        snap["numerator"] = snap["denominator"] = None
        if snap.get("peers"):
            snap["peers"] = {**snap["peers"], result.org_unit.code: _s(value)}
    if count is not None:
        snap["count"] = count
    res = score_item(score.item, snap, score.status != "not_applicable")
    assessed = _assess(scheme, _results(scheme), {result.pk: {str(score.item_id): res}})
    mine = assessed[str(result.pk)]
    return WhatIf(
        item=score.item,
        old_points=score.points,
        new_points=res.points,
        computation=res.computation,
        old_total=result.points,
        new_total=mine.total.points.quantize(Decimal("0.01")),
        old_rank=result.rank,
        new_rank=mine.rank,
        old_grade=result.grade,
        new_grade=mine.grade,
    )


def change_since_last_year(result: Result) -> dict | None:
    """Last year's total, grade and rank of the same unit under last year's scheme of the kind."""
    last = result.scheme.last_year()
    if last is None:
        return None
    before = Result.objects.filter(scheme=last, org_unit=result.org_unit).first()
    if before is None or before.points is None:
        return None
    delta = None if result.points is None else result.points - before.points
    rank_delta = None if result.rank is None or before.rank is None else before.rank - result.rank
    return {
        "scheme": last,
        "points": before.points,
        "grade": before.grade,
        "rank": before.rank,
        "delta": delta,
        "rank_delta": rank_delta,
    }


def category_table(
    scheme: Scheme, results: list[Result]
) -> list[tuple[str, list[tuple[Result, Decimal | None, int | None]]]]:
    """Per top category (一级指标): each unit's points in it and its rank, as last totalled."""
    names = [c.name for c in scheme.categories.filter(parent__isnull=True).order_by("order", "pk")]
    rows = []
    for name in names:
        cells = []
        for r in results:
            t = r.totals or {}
            cells.append(
                (r, _d((t.get("categories") or {}).get(name)), (t.get("category_ranks") or {}).get(name))
            )
        rows.append((name, cells))
    return rows


def ranking_grid(scheme: Scheme) -> dict:
    """Units × items with each cell's points and a colour band (DHIS2-scorecard-like)."""
    items = list(scheme.items.select_related("category").order_by("order", "pk"))
    results = list(scheme.results.select_related("org_unit").order_by("rank", "org_unit__code"))
    cells = {(s.result_id, s.item_id): s for s in ItemScore.objects.filter(result__scheme=scheme)}
    rows = []
    for r in results:
        row = []
        for it in items:
            s = cells.get((r.pk, it.pk))
            row.append((s, band(s)))
        rows.append((r, row))
    return {"items": items, "rows": rows}


def band(score: ItemScore | None) -> str:
    """The colour of a cell: green at ≥ 90% of the item's points, amber ≥ 60%, red below; grey
    for missing or not applicable; a veto is always red."""
    if score is None or score.points is None or score.status in ("missing", "not_applicable"):
        return "na" if score is not None and score.status == "not_applicable" else "missing"
    if score.veto:
        return "red"
    if score.item.is_bonus or score.max_points <= 0:
        return "bonus" if score.points and score.points != 0 else "na"
    share = score.points / score.max_points
    if share >= Decimal("0.9"):
        return "green"
    if share >= Decimal("0.6"):
        return "amber"
    return "red"


# --- versions -----------------------------------------------------------------------------


@transaction.atomic
def new_version(scheme: Scheme, user=None) -> Scheme:
    """A copy of the scheme (categories, items, rules) as the next draft version."""
    latest = Scheme.objects.filter(year=scheme.year, kind=scheme.kind).order_by("-version").first()
    copy = Scheme.objects.create(
        name=scheme.name,
        year=scheme.year,
        kind=scheme.kind,
        version=latest.version + 1,
        previous=scheme,
        area=scheme.area,
        unit_group=scheme.unit_group,
        peer_groups=scheme.peer_groups,
        missing_policy=scheme.missing_policy,
        grading=scheme.grading,
        basis=scheme.basis,
        requirements=scheme.requirements,
        appeal_days=scheme.appeal_days,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    copy.reviewers.set(scheme.reviewers.all())
    cat_map: dict[int, Category] = {}
    for cat in scheme.categories.order_by("parent_id", "order", "pk"):
        cat_map[cat.pk] = Category.objects.create(
            scheme=copy,
            parent=cat_map.get(cat.parent_id),
            name=cat.name,
            points=cat.points,
            order=cat.order,
        )
    for item in scheme.items.all():
        item.pk = None
        item.scheme = copy
        item.category = cat_map[item.category_id]
        item.save()
    return copy


def save_item(item: Item) -> Item:
    """Save an item with its 评分标准 sentence generated from its rule (text and rule agree)."""
    rule = rules.rule_from_dict(item.rule)
    item.rule = rule.to_dict()
    item.criterion = rule.describe(item.points)
    item.is_bonus = rule.role in ("bonus", "deduction", "veto")  # outside the full points
    item.save()
    return item


__all__ = [
    "SchemeLocked",
    "Review",
    "issue",
    "score_scheme",
    "rescore_item",
    "override_points",
    "recompute_totals",
    "lost_points",
    "gains",
    "what_if",
    "ranking_grid",
    "new_version",
    "save_item",
]


def report(scheme: Scheme, results=None) -> dict:
    """Every unit's total, grade, rank and per-item points with the explanation fields, as
    plain JSON (the CLI's --format json and the API)."""
    results = (
        results
        if results is not None
        else scheme.results.select_related("org_unit").order_by("rank", "org_unit__code")
    )
    units = []
    for r in results:
        items = []
        for s in r.scores.select_related("item__category").order_by("item__order", "item__pk"):
            inp = s.inputs or {}
            items.append(
                {
                    "num": s.item.num,
                    "item": s.item.name,
                    "category": s.item.category.name,
                    "max_points": _s(s.max_points),
                    "points": _s(s.points),
                    "status": s.status,
                    "value": inp.get("value"),
                    "target": inp.get("target"),
                    "numerator": inp.get("numerator"),
                    "denominator": inp.get("denominator"),
                    "rule": s.item.rule,
                    "criterion": s.item.criterion,
                    "computation": s.computation,
                    "source": s.source_text,
                    "evidence": inp.get("evidence") or [],
                    "veto": s.veto,
                    "lost": _s(s.lost),
                }
            )
        units.append(
            {
                "unit": r.org_unit.name,
                "code": r.org_unit.code,
                "total": _s(r.points),
                "full": _s(r.full),
                "grade": r.grade,
                "rank": r.rank,
                "peer_rank": r.peer_rank,
                "veto": r.veto,
                "explanation": r.explanation,
                "items": items,
            }
        )
    return {
        "scheme": {
            "id": scheme.pk,
            "name": scheme.name,
            "year": scheme.year,
            "kind": scheme.kind,
            "version": scheme.version,
            "stage": scheme.stage,
        },
        "units": units,
    }
