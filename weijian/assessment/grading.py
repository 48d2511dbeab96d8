"""Scheme-level computation: a unit's total from its item results, grades (等次), one-vote vetoes,
rankings and the change since last year. Pure Python (no Django), over `rules.ItemResult`.

The API:

```python
@dataclass(frozen=True)
class GradeScale:
    levels: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")   # best first; the last one is the failing grade
    cutoffs: tuple[tuple[Decimal, str], ...] = ((90, "优秀"), (80, "良好"), (60, "合格"))  # total ≥ cut-off
    quotas: tuple[Quota, ...] = ()   # when given, these levels go by quota; the others by cut-off

@dataclass(frozen=True)
class Quota:
    level: str                       # "优秀"
    share: Decimal                   # 0.2 for 前20%
    min_points: Decimal | None = None    # and at least this total (优秀须不低于90分)
    rounding: str = "floor"          # seats = n × share, "floor" | "round" (half up) | "ceil"
    ties: str = "include"            # a tie across the last seat: "include" all tied units, or "exclude" them all

@dataclass(frozen=True)
class SchemePolicy:
    full: Decimal = Decimal(100)     # declared full points of the scheme
    rescale: bool = True             # total on the full points: base × full ÷ applicable points (not-applicable items out)
    roles: Mapping[str, str] = {}    # item key -> "score" | "bonus" | "deduction" | "veto" (absent: "score")
    bonus_cap: Decimal | None = None # overall cap on bonus points
    deduct_from: Mapping[str, str] = {}  # deduction item -> the item whose points it reduces (absent: the total)
    may_go_negative: frozenset[str] = frozenset()   # items a deduction may take below 0 (floor 0 otherwise)
    total_floor: Decimal | None = Decimal(0)        # the total never falls below this (None: no floor)
    vetoes: Mapping[str, tuple[str, str]] = {}      # veto item -> (effect "fail"|"cap"|"bar", grade)
    scale: GradeScale = GradeScale()
    categories: Mapping[str, str] = {}              # item key -> category (一级指标), for subtotals and ranks
    places: int = 2                  # totals are compared (ranked, graded) as published, at 2 places
    vetoed_last: bool = True         # units vetoed to 不合格 rank after all others
    @classmethod
    def from_rules(cls, rules: Mapping[str, Rule], **kw) -> SchemePolicy   # roles and vetoes from the rules

@dataclass(frozen=True)
class VetoHit:
    item: str; effect: str; grade: str; reason: str   # reason: the item's computation text

@dataclass(frozen=True)
class Total:
    points: Decimal          # the unit's total: rescaled base + bonus − deductions (floored)
    full: Decimal            # the scheme's full points
    applicable: Decimal      # full points of the items that applied (scored or missing-as-zero)
    rescaled: Decimal        # the base after rescaling (= base when nothing was excluded)
    bonus: Decimal
    deductions: Decimal      # points deducted (positive)
    veto: tuple[VetoHit, ...]
    grade: str | None        # by cut-offs, veto applied; None when the scale uses quotas (see assess)
    explanation: str         # Chinese, step by step
    base: Decimal = 0        # sum of the score items' points before rescaling
    categories: Mapping[str, Decimal] = {}   # category -> points (rescaled within the category)

def total(results: Mapping[str, ItemResult], policy: SchemePolicy) -> Total
def grade_by_cutoffs(points: Decimal, scale: GradeScale) -> str
def grade_by_quota(totals: Mapping[str, Decimal], scale: GradeScale, allowed=None) -> dict[str, str]
def apply_veto(grade: str, hits: Sequence[VetoHit], levels: Sequence[str]) -> str
def rank(values: Mapping[str, Decimal], descending=True) -> dict[str, int]   # ties share: 1, 2, 2, 4

@dataclass(frozen=True)
class UnitAssessment:
    unit: str
    total: Total
    grade: str
    rank: int                       # overall
    category_ranks: Mapping[str, int]
    group: str | None               # peer group key
    group_rank: int | None
    last_points: Decimal | None     # last year's total and rank, when given
    last_rank: int | None
    change_points: Decimal | None   # total − last year's
    change_rank: int | None         # places moved up (last rank − rank); negative: down

def assess(units: Mapping[str, Mapping[str, ItemResult]], policy: SchemePolicy,
           groups: Mapping[str, str] | None = None,
           last_year: Mapping[str, tuple[Decimal, int]] | None = None) -> dict[str, UnitAssessment]
```

A what-if is a re-score of one item and another `assess`: everything here is pure and fast.

Declared choices: grades and ranks compare totals rounded to `places` (two units shown with the
same score share a rank); a quota's seats are counted among all assessed units; a unit vetoed to
不合格, or capped below a quota's level, does not take a seat and the seat passes on; under
`ties="include"` a tie on the last seat gives every tied unit the level (the quota is exceeded),
under "exclude" none of them (it is left short).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .rules import ItemResult, Rule, RuleError, Veto, competition_rank, format_number, format_points

ZERO = Decimal(0)


@dataclass(frozen=True)
class Quota:
    level: str
    share: Decimal
    min_points: Decimal | None = None
    rounding: str = "floor"
    ties: str = "include"

    def __post_init__(self) -> None:
        share = _number(self.share, f"等次“{self.level}”的比例")
        if not 0 < share <= 1:
            raise RuleError(f"等次“{self.level}”的比例应在0到1之间，而不是{format_number(share)}")
        object.__setattr__(self, "share", share)
        if self.min_points is not None:
            object.__setattr__(self, "min_points", _number(self.min_points, f"等次“{self.level}”的最低分"))
        if self.rounding not in ("floor", "round", "ceil"):
            raise RuleError(f"名额取整方式应为“floor”“round”“ceil”之一，而不是“{self.rounding}”")
        if self.ties not in ("include", "exclude"):
            raise RuleError(f"名额边界并列的处理应为“include”或“exclude”，而不是“{self.ties}”")

    def seats(self, n: int) -> int:
        raw = Decimal(n) * self.share
        mode = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}[self.rounding]
        return int(raw.to_integral_value(rounding=mode))


def _number(value: Any, what: str) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(f"{what}应为数字，而不是“{value}”") from None
    if not d.is_finite():
        raise RuleError(f"{what}应为数字，而不是“{value}”")
    return d


def _cutoffs(pairs: Any) -> tuple[tuple[Decimal, str], ...]:
    try:
        return tuple((_number(p, f"等次“{g}”的分数线"), g) for p, g in pairs)
    except (TypeError, ValueError) as e:
        if isinstance(e, RuleError):
            raise
        raise RuleError("分数线应为（分数，等次）的列表") from None


@dataclass(frozen=True)
class GradeScale:
    levels: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")
    cutoffs: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优秀"),
        (Decimal(80), "良好"),
        (Decimal(60), "合格"),
    )
    quotas: tuple[Quota, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "cutoffs", tuple(sorted(_cutoffs(self.cutoffs), key=lambda c: -c[0])))
        object.__setattr__(self, "quotas", tuple(self.quotas))
        if len(self.levels) < 2:
            raise RuleError("等次至少需要两级")
        for _, g in self.cutoffs:
            if g not in self.levels:
                raise RuleError(f"分数线的等次“{g}”不在等次列表中")
        order = [self.levels.index(g) for _, g in self.cutoffs]
        if order != sorted(order):
            raise RuleError("分数线应随等次降低而降低")
        for q in self.quotas:
            if q.level not in self.levels[:-1]:
                raise RuleError(f"按比例确定的等次“{q.level}”不在等次列表中（或是最低等次）")

    @property
    def fail(self) -> str:
        return self.levels[-1]


@dataclass(frozen=True)
class SchemePolicy:
    full: Decimal = Decimal(100)
    rescale: bool = True
    roles: Mapping[str, str] = field(default_factory=dict)
    bonus_cap: Decimal | None = None
    deduct_from: Mapping[str, str] = field(default_factory=dict)
    may_go_negative: frozenset[str] = frozenset()
    total_floor: Decimal | None = ZERO
    vetoes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    scale: GradeScale = field(default_factory=GradeScale)
    categories: Mapping[str, str] = field(default_factory=dict)
    places: int = 2
    vetoed_last: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "full", _number(self.full, "方案总分"))
        if self.bonus_cap is not None:
            object.__setattr__(self, "bonus_cap", _number(self.bonus_cap, "加分上限"))
        if self.full <= 0:
            raise RuleError(f"方案总分应大于0，而不是{format_number(self.full)}")
        for item, role in self.roles.items():
            if role not in ("score", "bonus", "deduction", "veto"):
                raise RuleError(f"考核项“{item}”的类别“{role}”无效")
        for item, (effect, grade) in self.vetoes.items():
            if effect not in ("fail", "cap", "bar"):
                raise RuleError(f"否决项“{item}”的后果“{effect}”无效")
            if effect != "fail" and grade not in self.scale.levels:
                raise RuleError(f"否决项“{item}”限定的等次“{grade}”不在等次列表中")

    @classmethod
    def from_rules(cls, rules: Mapping[str, Rule], **kw: Any) -> SchemePolicy:
        """A policy whose item roles and veto effects come from the items' rules."""
        roles = {k: r.role for k, r in rules.items() if r.role != "score"}
        vetoes = {k: (r.effect, r.grade) for k, r in rules.items() if isinstance(r, Veto)}
        return cls(roles={**roles, **kw.pop("roles", {})}, vetoes={**vetoes, **kw.pop("vetoes", {})}, **kw)

    def role(self, item: str) -> str:
        return self.roles.get(item, "score")

    def shown(self, d: Decimal) -> Decimal:
        return d.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class VetoHit:
    item: str
    effect: str
    grade: str
    reason: str

    def text(self) -> str:
        if self.effect == "fail":
            return f"{self.reason}（等次为不合格）" if "不合格" not in self.reason else self.reason
        return self.reason


@dataclass(frozen=True)
class Total:
    points: Decimal
    full: Decimal
    applicable: Decimal
    rescaled: Decimal
    bonus: Decimal
    deductions: Decimal
    veto: tuple[VetoHit, ...]
    grade: str | None
    explanation: str
    base: Decimal = ZERO
    categories: Mapping[str, Decimal] = field(default_factory=dict)


def grade_by_cutoffs(points: Decimal, scale: GradeScale) -> str:
    """The best level whose cut-off the total reaches; the failing level otherwise."""
    for cut, level in scale.cutoffs:
        if points >= cut:
            return level
    return scale.fail


def apply_veto(grade: str, hits: Sequence[VetoHit], levels: Sequence[str]) -> str:
    """The grade after vetoes: "fail" → the last level; "cap" → at most `grade`; "bar" → below it."""
    worst = levels.index(grade)
    for h in hits:
        if h.effect == "fail":
            limit = len(levels) - 1
        elif h.effect == "cap":
            limit = levels.index(h.grade)
        else:
            limit = min(levels.index(h.grade) + 1, len(levels) - 1)
        worst = max(worst, limit)
    return levels[worst]


def rank(values: Mapping[str, Decimal], descending: bool = True) -> dict[str, int]:
    """Competition ranks: ties share a rank and the next one skips (1, 2, 2, 4)."""
    return competition_rank(values, descending)


def _rescale(base: Decimal, full: Decimal, applicable: Decimal) -> Decimal:
    return base * full / applicable if applicable else ZERO


def total(results: Mapping[str, ItemResult], policy: SchemePolicy) -> Total:
    """One unit's total from its item results, explained step by step in Chinese."""
    points: dict[str, Decimal | None] = {k: r.points for k, r in results.items()}
    steps: list[str] = []
    on_items = ZERO
    # Deductions aimed at an item come off that item first, floored at 0 unless declared.
    for item, target in policy.deduct_from.items():
        r = results.get(item)
        if r is None or r.points is None or r.points >= 0 or points.get(target) is None:
            continue
        before = points[target]
        after = before + r.points
        if target not in policy.may_go_negative:
            after = max(ZERO, after)
        points[target] = after
        on_items += before - after
        steps.append(f"“{item}”从“{target}”扣{format_points(before - after)}分")
    base = ZERO
    applicable = ZERO
    bonus = ZERO
    from_total = ZERO
    hits: list[VetoHit] = []
    cat_points: dict[str, Decimal] = {}
    cat_applicable: dict[str, Decimal] = {}
    cat_full: dict[str, Decimal] = {}
    for item, r in results.items():
        role = policy.role(item)
        if r.veto:  # whatever role the policy gives the item, a veto met is a veto
            effect, grade = policy.vetoes.get(item, ("fail", ""))
            hits.append(VetoHit(item, effect, grade, r.computation))
        if role == "veto":
            continue
        p = points[item]
        if role == "bonus":
            bonus += p or ZERO
            continue
        if role == "deduction":
            if item not in policy.deduct_from and p is not None and p < 0:
                from_total -= p
            continue
        cat = policy.categories.get(item)
        if cat is not None:
            cat_full[cat] = cat_full.get(cat, ZERO) + r.max_points
        if p is None:
            continue
        base += p
        applicable += r.max_points
        if cat is not None:
            cat_points[cat] = cat_points.get(cat, ZERO) + p
            cat_applicable[cat] = cat_applicable.get(cat, ZERO) + r.max_points
    excluded = [k for k, r in results.items() if policy.role(k) == "score" and points[k] is None]
    steps.append(f"各项得分合计{format_points(base)}分")
    if policy.rescale and applicable and applicable != policy.full:
        # The total is always out of the scheme's full points: items that do not apply are
        # taken out and the rest stretched to the full points.
        rescaled = _rescale(base, policy.full, applicable)
        why = f"{len(excluded)}项不参与计分，" if excluded else ""
        steps.append(
            f"{why}按适用分值{format_points(applicable)}分折算为{format_points(policy.full)}分制："
            f"{format_points(base)}×{format_points(policy.full)}÷{format_points(applicable)}={format_points(rescaled)}分"
        )
    elif policy.rescale and not applicable and excluded:
        rescaled = ZERO
        steps.append("没有适用的考核项，基础得分为0分")
    else:
        rescaled = base
    if policy.bonus_cap is not None and bonus > policy.bonus_cap:
        steps.append(f"加分{format_points(bonus)}分，超过加分上限，按{format_points(policy.bonus_cap)}分计")
        bonus = Decimal(policy.bonus_cap)
    elif bonus:
        steps.append(f"加{format_points(bonus)}分")
    if from_total:
        steps.append(f"扣{format_points(from_total)}分")
    final = rescaled + bonus - from_total
    if policy.total_floor is not None and final < policy.total_floor:
        steps.append(f"总分不低于{format_points(policy.total_floor)}分")
        final = Decimal(policy.total_floor)
    steps.append(f"总分{format_points(final)}分")
    grade = None
    if not policy.scale.quotas:
        grade = apply_veto(grade_by_cutoffs(policy.shown(final), policy.scale), hits, policy.scale.levels)
    for h in hits:
        steps.append(f"否决：{h.text()}")
    if grade is not None:
        steps.append(f"等次{grade}")
    cats = {
        c: (
            _rescale(cat_points.get(c, ZERO), cat_full[c], cat_applicable[c])
            if policy.rescale
            else cat_points.get(c, ZERO)
        )
        if cat_applicable.get(c)
        else ZERO
        for c in cat_full
    }
    return Total(
        points=final,
        full=policy.full,
        applicable=applicable,
        rescaled=rescaled,
        bonus=bonus,
        deductions=on_items + from_total,
        veto=tuple(hits),
        grade=grade,
        explanation="；".join(steps),
        base=base,
        categories=cats,
    )


def grade_by_quota(
    totals: Mapping[str, Decimal], scale: GradeScale, allowed: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Grades where `scale.quotas` give the top levels by share of the units and the rest go by
    cut-off (among the levels that have no quota). `allowed` maps a unit to the best level it
    may take (after a veto); such a unit passes its seat on."""
    allowed = allowed or {}
    levels = scale.levels
    n = len(totals)
    order = sorted(totals, key=lambda u: -totals[u])
    out: dict[str, str] = {}
    for q in scale.quotas:
        seats = q.seats(n)
        qi = levels.index(q.level)
        pool = [
            u
            for u in order
            if u not in out
            and levels.index(allowed.get(u, levels[0])) <= qi
            and (q.min_points is None or totals[u] >= q.min_points)
        ]
        if seats <= 0 or not pool:
            continue
        if len(pool) <= seats:
            chosen = pool
        else:
            edge = totals[pool[seats - 1]]
            if totals[pool[seats]] != edge:
                chosen = pool[:seats]
            elif q.ties == "include":
                chosen = [u for u in pool if totals[u] >= edge]
            else:
                chosen = [u for u in pool if totals[u] > edge]
        for u in chosen:
            out[u] = q.level
    rest = GradeScale(
        levels=levels,
        cutoffs=tuple((c, g) for c, g in scale.cutoffs if g not in {q.level for q in scale.quotas}),
    )
    best_rest = max((levels.index(q.level) for q in scale.quotas), default=-1) + 1
    for u in order:
        if u in out:
            continue
        g = grade_by_cutoffs(totals[u], rest)
        g = levels[max(levels.index(g), best_rest, levels.index(allowed.get(u, levels[0])))]
        out[u] = g
    return out


@dataclass(frozen=True)
class UnitAssessment:
    unit: str
    total: Total
    grade: str
    rank: int
    category_ranks: Mapping[str, int]
    group: str | None
    group_rank: int | None
    last_points: Decimal | None
    last_rank: int | None
    change_points: Decimal | None
    change_rank: int | None


def _best_allowed(hits: Sequence[VetoHit], levels: Sequence[str]) -> str:
    return apply_veto(levels[0], hits, levels)


def _ranks(values: Mapping[str, Decimal], last: set[str]) -> dict[str, int]:
    """Ranks with units in `last` placed after all the others."""
    top = rank({u: v for u, v in values.items() if u not in last})
    bottom = rank({u: v for u, v in values.items() if u in last})
    return {**top, **{u: r + len(top) for u, r in bottom.items()}}


def assess(
    units: Mapping[str, Mapping[str, ItemResult]],
    policy: SchemePolicy,
    groups: Mapping[str, str] | None = None,
    last_year: Mapping[str, tuple[Decimal, int]] | None = None,
) -> dict[str, UnitAssessment]:
    """Every unit's total, grade (cut-offs or quota, vetoes applied), rank overall, per category
    and per peer group, and the change since last year."""
    groups = groups or {}
    last_year = last_year or {}
    levels = policy.scale.levels
    totals = {u: total(results, policy) for u, results in units.items()}
    shown = {u: policy.shown(t.points) for u, t in totals.items()}
    allowed = {u: _best_allowed(t.veto, levels) for u, t in totals.items() if t.veto}
    if policy.scale.quotas:
        grades = grade_by_quota(shown, policy.scale, allowed)
    else:
        grades = {u: t.grade or policy.scale.fail for u, t in totals.items()}
    failed = {u for u in totals if policy.vetoed_last and allowed.get(u) == policy.scale.fail}
    overall = _ranks(shown, failed)
    categories = sorted({c for t in totals.values() for c in t.categories})
    cat_ranks = {
        c: _ranks({u: policy.shown(t.categories[c]) for u, t in totals.items() if c in t.categories}, failed)
        for c in categories
    }
    group_ranks: dict[str, int] = {}
    for g in set(groups.values()):
        members = {u: shown[u] for u in shown if groups.get(u) == g}
        group_ranks.update(_ranks(members, failed & set(members)))
    out: dict[str, UnitAssessment] = {}
    for u, t in totals.items():
        lp, lr = last_year.get(u, (None, None))
        out[u] = UnitAssessment(
            unit=u,
            total=t,
            grade=grades[u],
            rank=overall[u],
            category_ranks={c: cat_ranks[c][u] for c in categories if u in cat_ranks[c]},
            group=groups.get(u),
            group_rank=group_ranks.get(u),
            last_points=lp,
            last_rank=lr,
            change_points=None if lp is None else t.points - Decimal(lp),
            change_rank=None if lr is None else lr - overall[u],
        )
    return out
