"""Scoring rules of assessment items: one typed rule per item, with its parameters, its score and
the Chinese 评分标准 sentence it stands for, generated from the parameters so text and rule cannot
drift. Pure Python (no Django); `criteria.read_criterion` reads such a sentence back into a rule.

The API (used by the rest of the assessment app):

```python
@dataclass(frozen=True)
class Review:            # one reviewer's judgement of a qualitative item
    reviewer: str
    level: str | None    # "好" / "较好" / "一般" / "差", or None when points given
    points: Decimal | None
    reason: str

@dataclass(frozen=True)
class Inputs:            # everything an item is scored from, gathered by H7b's service
    value: Decimal | None = None        # the unit's figure for the item (rate in its own unit, e.g. 92.5 for 92.5%)
    target: Decimal | None = None       # target, when the rule takes it from a plan target instead of its parameters
    last_year: Decimal | None = None    # the unit's figure a year before (improvement rules)
    peers: Mapping[str, Decimal | None] = field(default_factory=dict)  # unit key -> value of every unit in the peer group (rank rules)
    unit: str = ""                      # this unit's key in peers
    count: int | None = None            # findings / events / overdue items / unrectified problems
    flag: bool | None = None            # veto condition met
    reviews: tuple[Review, ...] = ()
    numerator: Decimal | None = None    # shown in the explanation only
    denominator: Decimal | None = None

@dataclass(frozen=True)
class ItemResult:
    points: Decimal | None   # None when excluded/not applicable
    max_points: Decimal
    status: str              # "scored" | "missing" | "not_applicable" | "vetoed"
    computation: str         # Chinese, step by step: "实际92.5%，目标95%，差2.5个百分点，每低1个百分点扣2分（不足1个百分点按1个计）扣6分，得4分"
    veto: bool = False
    lost: Decimal = Decimal(0)       # points lost (max − points), for the 失分清单
    gain_potential: str = ""         # "达到95%可再得6分" — where the unit can gain most

class Rule:  # base
    kind: ClassVar[str]
    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult: ...
    def describe(self, max_points: Decimal) -> str: ...   # the 评分标准 sentence
    def to_dict(self) -> dict: ...
def rule_from_dict(d: dict) -> Rule
RULE_KINDS: dict[str, type[Rule]]   # kind -> class, with a Chinese label per kind (LABELS)
```

Also here:
- `Rule.role` (ClassVar): "score" (counts towards the total), "bonus" (加分), "deduction" (扣分项,
  negative points) or "veto" (一票否决, no points); `grading.SchemePolicy.from_rules` reads it.
- Every rule has two keyword fields: `missing` — what a missing figure means: "zero" (the item
  scores 0; a deduction item deducts nothing; a veto is not triggered), "excluded" (points None,
  treated as not applicable and rescaled away) or "failing" (the worst outcome: 0 points, the full
  deduction, the veto triggered); and `applies_to` — the unit types the item applies to (empty:
  all). The caller checks `rule.applies(unit_type)` and uses `not_applicable(max_points, why)`.
- The rule's own `target` wins; `Inputs.target` is used when the rule's target is None.
- `RuleError` (a ValueError) carries a Chinese message for invalid parameters; `rule.problems(
  max_points)` lists in Chinese what does not fit the item's points (a band worth more than them).
- `format_points(d)` / `format_number(d)`: Decimal shown with at most 2 places (points), or exactly.

Points are Decimal throughout and rounded only where shown (2 places, half up).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from weijian.data.formatting import rate_unit

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")

MISSING_POLICIES = {"zero": "按0分计", "excluded": "按不适用处理", "failing": "按未达标处理"}


class RuleError(ValueError):
    """Invalid rule parameters; the message is Chinese and names the parameter."""


# --- numbers as shown -------------------------------------------------------------------------


def format_number(d: Decimal) -> str:
    """A parameter exactly as written: 95, 2.5, 0.25 (no exponent, no trailing zeros)."""
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_points(d: Decimal | None) -> str:
    """Points or a computed figure, rounded half up to 2 places: 4, 3.33, 92.5."""
    if d is None:
        return "—"
    return format_number(d.quantize(_CENT, rounding=ROUND_HALF_UP))


def _v(d: Decimal, unit: str) -> str:
    return f"{format_points(d)}{rate_unit(unit)}"


def _p(d: Decimal, unit: str) -> str:
    return f"{format_number(d)}{rate_unit(unit)}"


def _gap_word(unit: str) -> str:
    """The word for a difference of two figures in `unit`: rates differ in points."""
    return {"%": "个百分点", "‰": "个千分点"}.get(unit, rate_unit(unit))


# --- API dataclasses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    reviewer: str
    level: str | None
    points: Decimal | None
    reason: str


@dataclass(frozen=True)
class Inputs:
    value: Decimal | None = None
    target: Decimal | None = None
    last_year: Decimal | None = None
    peers: Mapping[str, Decimal | None] = field(default_factory=dict)
    unit: str = ""
    count: int | None = None
    flag: bool | None = None
    reviews: tuple[Review, ...] = ()
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class ItemResult:
    points: Decimal | None
    max_points: Decimal
    status: str
    computation: str
    veto: bool = False
    lost: Decimal = Decimal(0)
    gain_potential: str = ""


def not_applicable(max_points: Decimal, why: str = "") -> ItemResult:
    """The result of an item that does not apply to the unit (its points are rescaled away)."""
    text = f"该项不适用于本单位（{why}），不参与计分" if why else "该项不适用于本单位，不参与计分"
    return ItemResult(None, Decimal(max_points), "not_applicable", text)


def _scored(points: Decimal, max_points: Decimal, computation: str, gain: str = "") -> ItemResult:
    points = max(ZERO, points)
    return ItemResult(
        points, max_points, "scored", computation, lost=max_points - points, gain_potential=gain
    )


def _source(inputs: Inputs, unit: str) -> str:
    """'（分子123/分母456）' when the figure came from a numerator and denominator."""
    if inputs.numerator is None or inputs.denominator is None:
        return ""
    return f"（{format_points(inputs.numerator)}/{format_points(inputs.denominator)}）"


# --- parameter checking -----------------------------------------------------------------------

_NAMES = {
    "target": "目标值",
    "floor": "起点值",
    "per": "每档差距",
    "deduct": "每档扣分",
    "cap": "上限",
    "step": "每名次扣分",
    "by": "提高幅度",
    "points": "分值",
    "partial": "未达标得分",
    "lower": "下限",
    "upper": "上限",
    "min_count": "触发次数",
}


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, bool):
        raise RuleError(f"{_NAMES.get(name, name)}应为数字，而不是“{value}”")
    elif isinstance(value, int | float | str):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            raise RuleError(f"{_NAMES.get(name, name)}应为数字，而不是“{value}”") from None
    else:
        raise RuleError(f"{_NAMES.get(name, name)}应为数字，而不是“{value}”")
    if not d.is_finite():
        raise RuleError(f"{_NAMES.get(name, name)}应为有限的数字，而不是“{value}”")
    return d


def _choice(value: Any, name: str, options: Mapping[str, str] | tuple[str, ...]) -> None:
    if value not in options:
        listed = "、".join(f"“{o}”" for o in options)
        raise RuleError(f"{name}应为{listed}之一，而不是“{value}”")


def _positive(value: Decimal | None, name: str, allow_zero: bool = False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero):
        raise RuleError(f"{_NAMES.get(name, name)}应大于0，而不是{format_number(value)}")


# --- the base rule ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Rule:
    kind: ClassVar[str] = ""
    role: ClassVar[str] = "score"
    missing: str = "zero"
    applies_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            kind = str(f.type)
            if kind in ("Decimal", "Decimal | None") and value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, f.name, _decimal(value, f.name))
            elif kind == "bool" and not isinstance(value, bool):
                raise RuleError(f"参数{f.name}应为是或否（true/false），而不是“{value}”")
            elif kind == "str" and not isinstance(value, str):
                raise RuleError(f"参数{f.name}应为文字，而不是“{value}”")
        if not isinstance(self.applies_to, tuple):
            object.__setattr__(self, "applies_to", tuple(self.applies_to))
        _choice(self.missing, "数据缺失处理", MISSING_POLICIES)
        for t in self.applies_to:
            if not isinstance(t, str) or not t.strip() or any(c in t for c in "、，,（）()；;。"):
                raise RuleError(f"适用单位类型“{t}”无效：应为不含标点的名称")
        self.check()

    def check(self) -> None:
        """Raise RuleError for parameters that make no sense on their own."""

    def applies(self, unit_type: str) -> bool:
        return not self.applies_to or unit_type in self.applies_to

    def problems(self, max_points: Decimal) -> list[str]:
        """What does not fit the item's points, in Chinese (empty when all is well)."""
        cap = getattr(self, "cap", None)
        if cap is None or not max_points or cap <= max_points or isinstance(self, Proportional):
            return []
        if self.role == "bonus":
            return [f"加分上限{format_number(cap)}分超过了该项分值{format_number(max_points)}分，按分值计"]
        if self.role == "score":
            return [
                f"扣分上限{format_number(cap)}分超过了该项分值{format_number(max_points)}分，扣完该项分值为止"
            ]
        return []

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        raise NotImplementedError

    def describe(self, max_points: Decimal) -> str:
        return self._sentence(max_points) + self._suffix()

    def _sentence(self, max_points: Decimal) -> str:
        raise NotImplementedError

    def _unit_shown(self) -> bool:
        """Whether the sentence shows the figure's unit (else the suffix names it)."""
        return True

    def _suffix(self) -> str:
        out = ""
        unit = getattr(self, "unit", "%")
        if unit != "%" and not self._unit_shown():
            out += f"；计量单位：{unit or '无'}"
        if self.missing == "excluded":
            out += "；数据缺失的，该项按不适用处理，不参与计分"
        elif self.missing == "failing":
            out += "；数据缺失的，按未达标处理"
        if self.applies_to:
            out += "；适用于" + "、".join(self.applies_to)
        return out

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            d[f.name] = _plain(getattr(self, f.name))
        return d

    def _missing(self, max_points: Decimal, what: str) -> ItemResult:
        """The result when the figure the rule needs is missing, by the declared policy."""
        if self.missing == "excluded":
            return ItemResult(None, max_points, "missing", f"缺少{what}，该项按不适用处理，不参与计分")
        how = "按未达标处理" if self.missing == "failing" else "按规定"
        return ItemResult(ZERO, max_points, "missing", f"缺少{what}，{how}得0分", lost=max_points)

    def _target(self, inputs: Inputs, own: Decimal | None) -> Decimal | None:
        return own if own is not None else inputs.target


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _meets(x: Decimal, t: Decimal, higher: bool, inclusive: bool = True) -> bool:
    if higher:
        return x >= t if inclusive else x > t
    return x <= t if inclusive else x < t


def _aim(target: Decimal, unit: str, higher: bool, inclusive: bool = True) -> str:
    """'达到95%' / '超过95%' / '降至10‰' / '低于10‰': what the unit must do, for gain_potential."""
    t = _v(target, unit)
    if higher:
        return f"达到{t}" if inclusive else f"超过{t}"
    return f"降至{t}" if inclusive else f"低于{t}"


def _reach(target: Decimal | None, unit: str, higher: bool, inclusive: bool = True) -> str:
    """'达到95%及以上' / '高于95%' / '控制在10‰及以下' / '低于10‰' (or 目标值)."""
    t = "目标值" if target is None else _p(target, unit)
    if higher:
        return f"达到{t}及以上" if inclusive else f"高于{t}"
    return f"控制在{t}及以下" if inclusive else f"低于{t}"


# --- rule types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold(Rule):
    """达标得满分，否则0 (or `partial` points)."""

    kind: ClassVar[str] = "threshold"
    target: Decimal | None = None
    unit: str = "%"
    higher_is_better: bool = True
    inclusive: bool = True
    partial: Decimal | None = None

    def check(self) -> None:
        _positive(self.partial, "partial", allow_zero=True)

    def problems(self, max_points: Decimal) -> list[str]:
        if self.partial is not None and self.partial > max_points:
            return [f"未达标得分{format_number(self.partial)}分超过了该项分值{format_number(max_points)}分"]
        return []

    def _unit_shown(self) -> bool:
        return self.target is not None

    def _sentence(self, max_points: Decimal) -> str:
        reach = _reach(self.target, self.unit, self.higher_is_better, self.inclusive)
        if self.partial:
            return f"{reach}得满分，未达到的得{format_number(self.partial)}分"
        return f"{reach}得满分，否则不得分"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        t = self._target(inputs, self.target)
        if inputs.value is None or t is None:
            return self._missing(max_points, "实际值" if t is not None else "目标值")
        x = inputs.value
        head = f"实际{_v(x, self.unit)}{_source(inputs, self.unit)}，目标{_v(t, self.unit)}"
        if _meets(x, t, self.higher_is_better, self.inclusive):
            return _scored(max_points, max_points, f"{head}，已达标，得满分{format_points(max_points)}分")
        got = min(self.partial or ZERO, max_points)
        gain = f"{_aim(t, self.unit, self.higher_is_better, self.inclusive)}可再得{format_points(max_points - got)}分"
        return _scored(got, max_points, f"{head}，未达标，得{format_points(got)}分", gain)


@dataclass(frozen=True)
class Proportional(Rule):
    """M·min(1, x/T); lower is better: M·min(1, T/x); `cap` lets the ratio go above 1 (e.g. 1.2)."""

    kind: ClassVar[str] = "proportional"
    target: Decimal | None = None
    unit: str = "%"
    higher_is_better: bool = True
    cap: Decimal | None = None

    def check(self) -> None:
        if self.cap is not None and self.cap <= ONE:
            raise RuleError(f"超额计分上限应大于1倍，而不是{format_number(self.cap)}倍")
        _positive(self.target, "target", allow_zero=True)

    def _unit_shown(self) -> bool:
        return self.target is not None

    def _sentence(self, max_points: Decimal) -> str:
        t = "目标值" if self.target is None else _p(self.target, self.unit)
        if self.higher_is_better:
            s = f"按完成比例计分，得分=实际值÷{t}×分值"
        else:
            s = f"按控制比例计分，得分={t}÷实际值×分值"
        if self.cap is None:
            return s + "，最高得满分"
        return s + f"，超额完成的按比例计分，最高不超过分值的{format_number(self.cap)}倍"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        t = self._target(inputs, self.target)
        if inputs.value is None or t is None:
            return self._missing(max_points, "实际值" if t is not None else "目标值")
        x = inputs.value
        limit = self.cap or ONE
        if self.higher_is_better:
            ratio = limit if t == 0 else max(ZERO, x / t)
            how = f"{format_points(max_points)}×{format_points(x)}÷{format_points(t)}"
        else:
            ratio = limit if x <= 0 else t / x
            how = f"{format_points(max_points)}×{format_points(t)}÷{format_points(x)}"
        ratio = min(limit, ratio)
        points = max_points * ratio
        head = f"实际{_v(x, self.unit)}{_source(inputs, self.unit)}，目标{_v(t, self.unit)}"
        text = f"{head}，完成比例{format_points(ratio * HUNDRED)}%，得{how}={format_points(points)}分"
        if ratio < limit and self.cap is not None:
            text += f"（最高{format_number(limit)}倍）"
        gain = ""
        if points < max_points:
            gain = f"{_aim(t, self.unit, self.higher_is_better)}可再得{format_points(max_points - points)}分"
        result = _scored(points, max_points, text, gain)
        return dataclasses.replace(result, lost=max(ZERO, max_points - points))


GAP_UNITS = {"百分点": "按百分点计", "%": "按相对差距计", "": "按实际数值计"}
STEPS = {"exact": "按实际差距折算", "ceil": "不足一档按一档计", "floor": "不足一档不扣分"}


@dataclass(frozen=True)
class LinearDeduction(Rule):
    """达到T得满分，每低`per`（gap unit）扣`deduct`分，扣完为止 or at most `cap`; steps exact/ceil/floor."""

    kind: ClassVar[str] = "linear"
    target: Decimal | None = None
    unit: str = "%"
    per: Decimal = ONE
    gap_unit: str = "百分点"
    deduct: Decimal = ONE
    steps: str = "exact"
    higher_is_better: bool = True
    cap: Decimal | None = None

    def check(self) -> None:
        if self.unit == "%" and self.gap_unit == "":
            object.__setattr__(self, "gap_unit", "百分点")  # an absolute gap between two % is in points
        _choice(self.gap_unit, "差距单位", GAP_UNITS)
        _choice(self.steps, "不足一档的处理", STEPS)
        if self.gap_unit == "百分点" and self.unit != "%":
            raise RuleError(f"按百分点计差距时指标单位应为%，而不是“{self.unit}”")
        _positive(self.per, "per")
        _positive(self.deduct, "deduct")
        _positive(self.cap, "cap")
        _positive(self.target, "target", allow_zero=True)

    def _unit_shown(self) -> bool:
        return self.target is not None or self.gap_unit != "%"

    def _gap_text(self, amount: Decimal) -> str:
        if self.gap_unit == "%":
            return f"{format_number(amount)}%"
        return f"{format_number(amount)}{_gap_word(self.unit)}"

    def _step_note(self) -> str:
        per = self._gap_text(self.per)
        return {
            "exact": "（按实际差距折算）",
            "ceil": f"（不足{per}按{per}计）",
            "floor": f"（不足{per}的不扣分）",
        }[self.steps]

    def _sentence(self, max_points: Decimal) -> str:
        reach = _reach(self.target, self.unit, self.higher_is_better)
        way = "低" if self.higher_is_better else "高"
        per = self._gap_text(self.per)
        if self.gap_unit == "%":
            per += "（按与目标值的相对差距计）"
        note = self._step_note()
        end = "扣完为止" if self.cap is None else f"最多扣{format_number(self.cap)}分"
        return f"{reach}得满分，每{way}{per}扣{format_number(self.deduct)}分{note}，{end}"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        t = self._target(inputs, self.target)
        if inputs.value is None or t is None:
            return self._missing(max_points, "实际值" if t is not None else "目标值")
        x = inputs.value
        head = f"实际{_v(x, self.unit)}{_source(inputs, self.unit)}，目标{_v(t, self.unit)}"
        short = (t - x) if self.higher_is_better else (x - t)
        if short <= 0:
            return _scored(max_points, max_points, f"{head}，已达到目标，得满分{format_points(max_points)}分")
        limit = min(self.cap, max_points) if self.cap is not None else max_points
        if self.gap_unit == "%" and t == 0:
            # A relative gap from a zero target is endless: everything the rule can take is lost.
            points = max_points - limit
            text = f"{head}，目标为0，无法按相对差距折算，扣{format_points(limit)}分，得{format_points(points)}分"
            return _scored(
                points,
                max_points,
                text,
                f"{_aim(t, self.unit, self.higher_is_better)}可再得{format_points(limit)}分",
            )
        if self.gap_unit == "%":
            gap = short / t * HUNDRED
            gap_text = f"相对目标差{format_points(gap)}%"
        else:
            gap = short
            gap_text = f"差{format_points(gap)}{_gap_word(self.unit)}"
        n = gap / self.per
        if self.steps == "ceil":
            n = n.to_integral_value(rounding=ROUND_CEILING)
        elif self.steps == "floor":
            n = n.to_integral_value(rounding=ROUND_FLOOR)
        lost = min(limit, n * self.deduct)
        points = max_points - lost
        way = "低" if self.higher_is_better else "高"
        rule = f"每{way}{self._gap_text(self.per)}扣{format_number(self.deduct)}分{self._step_note()}"
        if lost < n * self.deduct:
            rule += (
                "，扣完为止"
                if self.cap is None or lost < self.cap
                else f"，最多扣{format_number(self.cap)}分"
            )
        text = f"{head}，{gap_text}，{rule}，扣{format_points(lost)}分，得{format_points(points)}分"
        gain = f"{_aim(t, self.unit, self.higher_is_better)}可再得{format_points(lost)}分"
        return _scored(points, max_points, text, gain)


@dataclass(frozen=True)
class Band:
    lower: Decimal | None
    upper: Decimal | None
    points: Decimal
    lower_inclusive: bool = True
    upper_inclusive: bool = False

    def __post_init__(self) -> None:
        for name in ("lower", "upper", "points"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _decimal(value, name))
        if self.lower is None and self.upper is None:
            raise RuleError("分段的上下限不能都为空")
        if self.lower is not None and self.upper is not None and self.lower >= self.upper:
            raise RuleError(f"分段下限{format_number(self.lower)}应小于上限{format_number(self.upper)}")
        if self.points < 0:
            raise RuleError(f"分段得分应不小于0，而不是{format_number(self.points)}")

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None and (x < self.lower or (x == self.lower and not self.lower_inclusive)):
            return False
        if self.upper is not None and (x > self.upper or (x == self.upper and not self.upper_inclusive)):
            return False
        return True

    def text(self, unit: str) -> str:
        lo = None if self.lower is None else _p(self.lower, unit)
        hi = None if self.upper is None else _p(self.upper, unit)
        if hi is None:
            return f"{lo}及以上" if self.lower_inclusive else f"高于{lo}"
        if lo is None:
            return f"{hi}及以下" if self.upper_inclusive else f"低于{hi}"
        lo_mark = "（含）" if self.lower_inclusive else "（不含）"
        hi_mark = "（含）" if self.upper_inclusive else "（不含）"
        return f"{lo}{lo_mark}至{hi}{hi_mark}"


def _band_from(d: Any) -> Band:
    if isinstance(d, Band):
        return d
    if isinstance(d, Mapping):
        try:
            return Band(**d)
        except TypeError:
            raise RuleError(f"分段格式无效：{dict(d)}") from None
    if isinstance(d, list | tuple) and len(d) in (3, 5):
        return Band(*d)
    raise RuleError(f"分段格式无效：{d}")


@dataclass(frozen=True)
class Bands(Rule):
    """分段计分: the first band containing the value gives the points; none gives 0."""

    kind: ClassVar[str] = "bands"
    bands: tuple[Band, ...] = ()
    unit: str = "%"

    def check(self) -> None:
        bands = tuple(_band_from(b) for b in self.bands)
        if not bands:
            raise RuleError("分段计分至少需要一个分段")
        object.__setattr__(self, "bands", bands)
        for i, a in enumerate(bands):
            for b in bands[i + 1 :]:
                if _overlap(a, b):
                    raise RuleError(f"分段“{a.text(self.unit)}”与“{b.text(self.unit)}”重叠")

    def problems(self, max_points: Decimal) -> list[str]:
        return [
            f"分段“{b.text(self.unit)}”得{format_number(b.points)}分，超过了该项分值{format_number(max_points)}分"
            for b in self.bands
            if b.points > max_points
        ]

    def _sentence(self, max_points: Decimal) -> str:
        parts = []
        for b in self.bands:
            got = "不得分" if b.points == 0 else f"得{format_number(b.points)}分"
            parts.append(b.text(self.unit) + got)
        return "，".join(parts)

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        if inputs.value is None:
            return self._missing(max_points, "实际值")
        x = inputs.value
        head = f"实际{_v(x, self.unit)}{_source(inputs, self.unit)}"
        hit = next((b for b in self.bands if b.contains(x)), None)
        got = min(hit.points, max_points) if hit else ZERO
        where = f"属“{hit.text(self.unit)}”档" if hit else "不在任何得分档内"
        better = [b for b in self.bands if b.points > got]
        gain = ""
        if better:
            # The nearest better band: the one whose edge is closest to the value.
            def distance(b: Band) -> Decimal:
                edges = [e for e in (b.lower, b.upper) if e is not None]
                return min(abs(e - x) for e in edges)

            b = min(better, key=lambda b: (distance(b), -b.points))
            gain = f"进入“{b.text(self.unit)}”档可再得{format_points(min(b.points, max_points) - got)}分"
        return _scored(got, max_points, f"{head}，{where}，得{format_points(got)}分", gain)


def _overlap(a: Band, b: Band) -> bool:
    """Whether two bands share a value."""

    def below(x: Band, y: Band) -> bool:  # every value of x lies under every value of y
        if x.upper is None or y.lower is None:
            return False
        if x.upper < y.lower:
            return True
        return x.upper == y.lower and not (x.upper_inclusive and y.lower_inclusive)

    return not (below(a, b) or below(b, a))


@dataclass(frozen=True)
class Interpolation(Rule):
    """≤floor → 0, ≥target → M, linear between (mirrored when lower is better)."""

    kind: ClassVar[str] = "interpolation"
    floor: Decimal = ZERO
    target: Decimal | None = None
    unit: str = "%"
    higher_is_better: bool = True

    def check(self) -> None:
        if self.target is not None:
            if self.higher_is_better and self.floor >= self.target:
                raise RuleError(
                    f"起点值{format_number(self.floor)}应低于目标值{format_number(self.target)}（数值越高越好时）"
                )
            if not self.higher_is_better and self.floor <= self.target:
                raise RuleError(
                    f"起点值{format_number(self.floor)}应高于目标值{format_number(self.target)}（数值越低越好时）"
                )

    def _sentence(self, max_points: Decimal) -> str:
        reach = _reach(self.target, self.unit, self.higher_is_better)
        t = "目标值" if self.target is None else _p(self.target, self.unit)
        f = _p(self.floor, self.unit)
        if self.higher_is_better:
            return f"{reach}得满分，{f}及以下不得分，介于{f}和{t}之间的按比例得分"
        return f"{reach}得满分，{f}及以上不得分，介于{t}和{f}之间的按比例得分"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        t = self._target(inputs, self.target)
        if inputs.value is None or t is None:
            return self._missing(max_points, "实际值" if t is not None else "目标值")
        if t == self.floor:
            return self._missing(max_points, "有效目标值（目标值与起点值相同）")
        x = inputs.value
        head = f"实际{_v(x, self.unit)}{_source(inputs, self.unit)}，起点{_v(self.floor, self.unit)}，目标{_v(t, self.unit)}"
        ratio = (x - self.floor) / (t - self.floor)
        if ratio >= 1:
            return _scored(max_points, max_points, f"{head}，已达到目标，得满分{format_points(max_points)}分")
        if ratio <= 0:
            gain = f"{_aim(t, self.unit, self.higher_is_better)}可得满分{format_points(max_points)}分"
            return _scored(ZERO, max_points, f"{head}，未超过起点，得0分", gain)
        points = max_points * ratio
        how = (
            f"{format_points(max_points)}×({format_points(x)}−{format_points(self.floor)})÷"
            f"({format_points(t)}−{format_points(self.floor)})"
        )
        gain = f"{_aim(t, self.unit, self.higher_is_better)}可再得{format_points(max_points - points)}分"
        return _scored(points, max_points, f"{head}，按比例得{how}={format_points(points)}分", gain)


def competition_rank(values: Mapping[str, Decimal], descending: bool = True) -> dict[str, int]:
    """Ranks where ties share a rank and the next rank skips: 1, 2, 2, 4."""
    ordered = sorted(values.values(), reverse=descending)
    first: dict[Decimal, int] = {}
    for i, v in enumerate(ordered, 1):
        first.setdefault(v, i)
    return {k: first[v] for k, v in values.items()}


RANK_MODES = {"step": "第一名满分、依次递减", "proportional": "按名次比例"}


@dataclass(frozen=True)
class Rank(Rule):
    """Rank in the peer group (ties share a rank): step — 第一名满分，每降一个名次扣`step`分;
    proportional — (n−r)/(n−1)·M. Units without a figure are left out of n."""

    kind: ClassVar[str] = "rank"
    mode: str = "step"
    step: Decimal | None = ONE
    scope: str = ""
    higher_is_better: bool = True

    def check(self) -> None:
        _choice(self.mode, "排名计分方式", RANK_MODES)
        if self.mode == "step":
            if self.step is None:
                raise RuleError("按名次递减计分时须给出每名次扣分")
            _positive(self.step, "step")
        elif self.step is not None:
            object.__setattr__(self, "step", None)
        if any(c in self.scope for c in "，,。；;（）()"):
            raise RuleError(f"排名范围“{self.scope}”不应含标点")

    def _sentence(self, max_points: Decimal) -> str:
        where = f"在{self.scope}" if self.scope else ""
        order = "" if self.higher_is_better else "（数值越低名次越前）"
        if self.mode == "step":
            return f"{where}排名第一得满分{order}，每降低一个名次扣{format_number(self.step)}分，扣完为止；并列的名次相同"
        return f"{where}按名次比例计分{order}：得分=（参评单位数−名次）÷（参评单位数−1）×分值；并列的名次相同"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        own = inputs.peers.get(inputs.unit) if inputs.unit in inputs.peers else inputs.value
        if own is None:
            return self._missing(max_points, "实际值")
        values = {k: v for k, v in inputs.peers.items() if v is not None}
        values[inputs.unit] = own
        ranks = competition_rank(values, descending=self.higher_is_better)
        n, r = len(values), ranks[inputs.unit]
        tied = sum(1 for k, v in ranks.items() if v == r and k != inputs.unit)
        scope = self.scope or "参评单位"
        head = f"实际{format_points(own)}，{scope}{n}个单位中排第{r}名"
        if tied:
            head += f"（与{tied}个单位并列）"
        if self.mode == "step":
            points = max(ZERO, max_points - (self.step or ZERO) * (r - 1))
            text = f"{head}，每降低一个名次扣{format_number(self.step)}分，得{format_points(points)}分"
            gain = f"每提高一个名次可多得{format_number(self.step)}分" if points < max_points else ""
        else:
            points = max_points if n == 1 else max_points * Decimal(n - r) / Decimal(n - 1)
            text = f"{head}，得{format_points(max_points)}×({n}−{r})÷({n}−1)={format_points(points)}分"
            each = max_points / Decimal(n - 1) if n > 1 else ZERO
            gain = f"每提高一个名次可多得{format_points(each)}分" if points < max_points else ""
        return _scored(points, max_points, text, gain)


IMPROVEMENT_MODES = {"proportional": "不足的按比例得分", "threshold": "不足的不得分"}


@dataclass(frozen=True)
class Improvement(Rule):
    """比上年提高`by`（百分点 / % / absolute）得满分; short of it: proportional or 0.
    Lower is better: the improvement is a fall."""

    kind: ClassVar[str] = "improvement"
    by: Decimal = ONE
    by_unit: str = "百分点"
    unit: str = "%"
    mode: str = "proportional"
    higher_is_better: bool = True

    def check(self) -> None:
        if self.unit == "%" and self.by_unit == "":
            object.__setattr__(self, "by_unit", "百分点")
        _choice(self.by_unit, "提高幅度单位", GAP_UNITS)
        _choice(self.mode, "未达到提高幅度的处理", IMPROVEMENT_MODES)
        if self.by_unit == "百分点" and self.unit != "%":
            raise RuleError(f"按百分点计提高幅度时指标单位应为%，而不是“{self.unit}”")
        _positive(self.by, "by")

    def _unit_shown(self) -> bool:
        return self.by_unit != "%"

    def _amount(self, d: Decimal) -> str:
        return f"{format_number(d)}%" if self.by_unit == "%" else f"{format_number(d)}{_gap_word(self.unit)}"

    def _sentence(self, max_points: Decimal) -> str:
        verb = "提高" if self.higher_is_better else "下降"
        by = self._amount(self.by)
        s = f"较上年{verb}{by}及以上得满分"
        if self.mode == "proportional":
            return s + f"，{verb}不足{by}的按比例得分，未{verb}的不得分"
        return s + "，否则不得分"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        if inputs.value is None or inputs.last_year is None:
            return self._missing(max_points, "实际值" if inputs.value is None else "上年数值")
        x, last = inputs.value, inputs.last_year
        verb = "提高" if self.higher_is_better else "下降"
        change = (x - last) if self.higher_is_better else (last - x)
        if self.by_unit == "%":
            if last == 0:
                change = self.by if change > 0 else ZERO  # from nothing any rise is enough
            else:
                change = change / abs(last) * HUNDRED
        head = f"本年{_v(x, self.unit)}，上年{_v(last, self.unit)}，{verb}{self._amount_shown(change)}，要求{verb}{self._amount(self.by)}"
        if change >= self.by:
            return _scored(max_points, max_points, f"{head}，得满分{format_points(max_points)}分")
        if change <= 0 or self.mode == "threshold":
            points = ZERO
        else:
            points = max_points * change / self.by
        text = f"{head}，得{format_points(points)}分"
        if points and self.mode == "proportional":
            text = f"{head}，按比例得{format_points(max_points)}×{format_points(change)}÷{format_number(self.by)}={format_points(points)}分"
        gain = f"较上年{verb}{self._amount(self.by)}可再得{format_points(max_points - points)}分"
        return _scored(points, max_points, text, gain)

    def _amount_shown(self, d: Decimal) -> str:
        return f"{format_points(d)}%" if self.by_unit == "%" else f"{format_points(d)}{_gap_word(self.unit)}"


def _count_word(measure: str, noun: str) -> str:
    return f"{measure}{noun}"


@dataclass(frozen=True)
class Checklist(Rule):
    """每发现1处问题扣`per`分, at most `cap` (or the item's points); the item floors at 0."""

    kind: ClassVar[str] = "checklist"
    per: Decimal = ONE
    cap: Decimal | None = None
    measure: str = "处"
    finding: str = "问题"

    def check(self) -> None:
        _positive(self.per, "per")
        _positive(self.cap, "cap")
        if not self.measure or not self.finding or any(c in self.finding for c in "，,。；;（）()"):
            raise RuleError("问题的量词和名称不能为空，且不应含标点")

    def _sentence(self, max_points: Decimal) -> str:
        end = "扣完为止" if self.cap is None else f"最多扣{format_number(self.cap)}分"
        return f"每发现1{self.measure}{self.finding}扣{format_number(self.per)}分，{end}"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        if inputs.count is None:
            return self._missing(max_points, f"{self.finding}数")
        n = inputs.count
        limit = min(self.cap, max_points) if self.cap is not None else max_points
        lost = min(limit, self.per * n)
        points = max_points - lost
        text = f"发现{self.finding}{n}{self.measure}，每{self.measure}扣{format_number(self.per)}分，扣{format_points(lost)}分"
        if lost < self.per * n:
            text += f"（最多扣{format_points(limit)}分）"
        text += f"，得{format_points(points)}分"
        gain = f"每整改销号1{self.measure}{self.finding}可少扣{format_number(self.per)}分" if lost else ""
        return _scored(points, max_points, text, gain)


DEFAULT_LEVELS: tuple[tuple[str, Decimal], ...] = (
    ("好", ONE),
    ("较好", Decimal("0.8")),
    ("一般", Decimal("0.6")),
    ("差", ZERO),
)
COMBINE = {"mean": "取平均", "trimmed": "去掉一个最高分和一个最低分后取平均"}


@dataclass(frozen=True)
class Qualitative(Rule):
    """Reviewers' judgement: a level (mapped to a fraction of the points, or to points when
    `as_points`) or direct points; below full a reason is required. Several reviewers are
    combined by `combine`: mean, or trimmed (drop one max and one min; a plain mean under 3)."""

    kind: ClassVar[str] = "qualitative"
    levels: tuple[tuple[str, Decimal], ...] = DEFAULT_LEVELS
    as_points: bool = False
    combine: str = "mean"

    def check(self) -> None:
        levels = []
        for pair in self.levels:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise RuleError(f"评定等级格式无效：{pair}")
            name, value = pair
            if not isinstance(name, str) or not name.strip() or any(c in name for c in "，,。；;（）()得"):
                raise RuleError(f"评定等级名称“{name}”无效")
            value = _decimal(value, "points")
            if value < 0 or (not self.as_points and value > 1):
                raise RuleError(f"评定等级“{name}”的得分比例应在0到1之间，而不是{format_number(value)}")
            levels.append((name, value))
        if not levels:
            raise RuleError("评审评定至少需要一个等级")
        if len({n for n, _ in levels}) != len(levels):
            raise RuleError("评定等级名称重复")
        object.__setattr__(self, "levels", tuple(levels))
        _choice(self.combine, "多名评审人评分的合成方式", COMBINE)

    def problems(self, max_points: Decimal) -> list[str]:
        if not self.as_points:
            return []
        return [
            f"评定等级“{n}”得{format_number(v)}分，超过了该项分值{format_number(max_points)}分"
            for n, v in self.levels
            if v > max_points
        ]

    def _sentence(self, max_points: Decimal) -> str:
        parts = []
        for name, v in self.levels:
            if self.as_points:
                got = "不得分" if v == 0 else f"得{format_number(v)}分"
            else:
                got = "得满分" if v == 1 else "不得分" if v == 0 else f"得分值的{format_number(v * HUNDRED)}%"
            parts.append(name + got)
        return (
            "由评审人评定，" + "，".join(parts) + "；评定低于满分的须说明理由；"
            f"多名评审人评分的，{COMBINE[self.combine]}"
        )

    def level_points(self, level: str, max_points: Decimal) -> Decimal | None:
        for name, v in self.levels:
            if name == level:
                return min(v, max_points) if self.as_points else v * max_points
        return None

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        used: list[tuple[str, Decimal]] = []
        notes: list[str] = []
        for r in inputs.reviews:
            if r.points is not None:
                p = Decimal(r.points)
                if p < 0 or p > max_points:
                    notes.append(
                        f"{r.reviewer}给分{format_points(p)}不在0至{format_points(max_points)}分之间，不计入"
                    )
                    continue
                shown = f"{format_points(p)}分"
            else:
                p = self.level_points(r.level or "", max_points)
                if p is None:
                    notes.append(f"{r.reviewer}评定的等级“{r.level}”不在评分标准中，不计入")
                    continue
                shown = f"{r.level}（{format_points(p)}分）"
            if p < max_points and not (r.reason or "").strip():
                notes.append(f"{r.reviewer}评定低于满分但未说明理由，不计入")
                continue
            used.append((f"{r.reviewer}{shown}", p))
        if not used:
            result = self._missing(max_points, "有效的评审意见")
            if notes:
                result = dataclasses.replace(result, computation=result.computation + "；" + "；".join(notes))
            return result
        values = sorted(p for _, p in used)
        if self.combine == "trimmed" and len(values) >= 3:
            kept = values[1:-1]
            how = "去掉一个最高分和一个最低分后取平均"
        else:
            kept = values
            how = "取平均" if len(values) > 1 else ""
            if self.combine == "trimmed" and len(values) > 1:
                how = "评审人不足3名，取平均"
        points = sum(kept, ZERO) / len(kept)
        text = "评审：" + "、".join(s for s, _ in used)
        if how:
            text += f"；{how}"
        text += f"，得{format_points(points)}分"
        if notes:
            text += "；" + "；".join(notes)
        return _scored(points, max_points, text)


@dataclass(frozen=True)
class Bonus(Rule):
    """加分项: 每`event`加`per`分, at most `cap` (or the item's points)."""

    kind: ClassVar[str] = "bonus"
    role: ClassVar[str] = "bonus"
    per: Decimal = ONE
    cap: Decimal | None = None
    event: str = "获得省级以上表彰"
    measure: str = "项"

    def check(self) -> None:
        _positive(self.per, "per")
        _positive(self.cap, "cap")
        if not self.event or any(c in self.event for c in "，,。；;（）()") or not self.measure:
            raise RuleError("加分事项的名称不能为空，且不应含标点")

    def _sentence(self, max_points: Decimal) -> str:
        end = f"最多加{format_number(self.cap)}分" if self.cap is not None else "加分不超过该项分值"
        return f"每{self.event}1{self.measure}加{format_number(self.per)}分，{end}"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        if inputs.count is None:
            if self.missing == "excluded":
                return self._missing(max_points, "加分事项数")
            return ItemResult(ZERO, max_points, "missing", "缺少加分事项数，不加分")
        limit = (
            min(self.cap, max_points) if self.cap is not None and max_points > 0 else (self.cap or max_points)
        )
        raw = self.per * inputs.count
        points = min(limit, raw)
        text = f"{self.event}{inputs.count}{self.measure}，每{self.measure}加{format_number(self.per)}分，加{format_points(points)}分"
        if raw > points:
            text += f"（最多加{format_points(limit)}分）"
        gain = f"每再{self.event}1{self.measure}可加{format_number(self.per)}分" if points < limit else ""
        return ItemResult(points, max_points, "scored", text, gain_potential=gain)


DEDUCTION_SOURCES = {"overdue": "逾期未办结的督办事项", "unrectified": "逾期未整改的问题"}


@dataclass(frozen=True)
class Deduction(Rule):
    """扣分项 fed from counts: overdue 督办 items or unrectified 问题清单 items, `per` each, at most
    `cap` (or the item's points). Points are negative: −min(cap, per·count)."""

    kind: ClassVar[str] = "deduction"
    role: ClassVar[str] = "deduction"
    source: str = "overdue"
    per: Decimal = ONE
    cap: Decimal | None = None

    def check(self) -> None:
        _choice(self.source, "扣分来源", DEDUCTION_SOURCES)
        _positive(self.per, "per")
        _positive(self.cap, "cap")

    def _sentence(self, max_points: Decimal) -> str:
        what = "督办事项逾期未办结" if self.source == "overdue" else "问题逾期未整改"
        end = f"最多扣{format_number(self.cap)}分" if self.cap is not None else "扣分不超过该项分值"
        return f"每有1项{what}扣{format_number(self.per)}分，{end}"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        what = DEDUCTION_SOURCES[self.source]
        if inputs.count is None:
            if self.missing == "excluded":
                return self._missing(max_points, f"{what}数")
            limit = self._limit(max_points)
            if self.missing == "failing" and limit is not None:
                return ItemResult(
                    -limit,
                    max_points,
                    "missing",
                    f"缺少{what}数，按未达标处理扣{format_points(limit)}分",
                    lost=limit,
                )
            return ItemResult(ZERO, max_points, "missing", f"缺少{what}数，不扣分")
        limit = self._limit(max_points)
        raw = self.per * inputs.count
        lost = min(limit, raw) if limit is not None else raw
        text = f"{what}{inputs.count}项，每项扣{format_number(self.per)}分，扣{format_points(lost)}分"
        if raw > lost:
            text += f"（最多扣{format_points(limit)}分）"
        gain = f"每办结或整改1项可少扣{format_number(self.per)}分" if lost else ""
        return ItemResult(-lost, max_points, "scored", text, lost=lost, gain_potential=gain)

    def _limit(self, max_points: Decimal) -> Decimal | None:
        if self.cap is not None:
            return min(self.cap, max_points) if max_points > 0 else self.cap
        return max_points if max_points > 0 else None


VETO_EFFECTS = {"fail": "考核等次为不合格", "cap": "考核等次最高为", "bar": "不得评为"}


@dataclass(frozen=True)
class Veto(Rule):
    """一票否决: triggered when `flag` is true or `count` ≥ `min_count`. Effect: "fail" (forces
    不合格), "cap" (the grade is at most `grade`) or "bar" (the grade is below `grade`)."""

    kind: ClassVar[str] = "veto"
    role: ClassVar[str] = "veto"
    condition: str = "发生重大医疗安全事件"
    min_count: int = 1
    effect: str = "fail"
    grade: str = ""

    def check(self) -> None:
        _choice(self.effect, "否决的后果", VETO_EFFECTS)
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, int) or self.min_count < 1:
            raise RuleError(f"触发次数应为不小于1的整数，而不是“{self.min_count}”")
        if self.effect != "fail" and not self.grade.strip():
            raise RuleError("限定等次的否决须给出等次名称")
        if self.effect == "fail" and self.grade:
            object.__setattr__(self, "grade", "")
        if not self.condition.strip() or any(c in self.condition for c in "，,。；;"):
            raise RuleError("否决条件不能为空，且不应含标点")

    def consequence(self) -> str:
        if self.effect == "fail":
            return "实行一票否决，考核等次为不合格"
        if self.effect == "cap":
            return f"实行一票否决，考核等次最高为{self.grade}"
        return f"实行一票否决，不得评为{self.grade}"

    def _sentence(self, max_points: Decimal) -> str:
        when = self.condition if self.min_count == 1 else f"{self.condition}累计{self.min_count}次及以上"
        return f"{when}的，{self.consequence()}"

    def score(self, inputs: Inputs, max_points: Decimal) -> ItemResult:
        if inputs.flag is None and inputs.count is None:
            if self.missing == "failing":
                return ItemResult(
                    ZERO,
                    max_points,
                    "vetoed",
                    f"缺少“{self.condition}”的情况，按未达标处理，{self.consequence()}",
                    veto=True,
                )
            if self.missing == "excluded":
                return self._missing(max_points, f"“{self.condition}”的情况")
            return ItemResult(ZERO, max_points, "missing", f"缺少“{self.condition}”的情况，按未发生处理")
        hit = bool(inputs.flag) or (inputs.count is not None and inputs.count >= self.min_count)
        if not hit:
            seen = f"（{inputs.count}次）" if inputs.count else ""
            return ItemResult(ZERO, max_points, "scored", f"未触发否决条件“{self.condition}”{seen}")
        seen = f"（{inputs.count}次）" if inputs.count else ""
        return ItemResult(
            ZERO, max_points, "vetoed", f"{self.condition}{seen}，{self.consequence()}", veto=True
        )


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (
        Threshold,
        Proportional,
        LinearDeduction,
        Bands,
        Interpolation,
        Rank,
        Improvement,
        Checklist,
        Qualitative,
        Bonus,
        Deduction,
        Veto,
    )
}

LABELS: dict[str, str] = {
    "threshold": "达标计分",
    "proportional": "按完成比例计分",
    "linear": "按差距扣分",
    "bands": "分段计分",
    "interpolation": "区间插值计分",
    "rank": "按排名计分",
    "improvement": "按较上年提高计分",
    "checklist": "按发现问题扣分",
    "qualitative": "评审评定",
    "bonus": "加分项",
    "deduction": "督办/问题清单扣分",
    "veto": "一票否决",
}


# What the editor shows of each parameter: its name in Chinese and, for a choice, the choices.
PARAMETERS: dict[str, str] = {
    "missing": "数据缺失时",
    "applies_to": "适用单位类型（用顿号分隔，空为全部）",
    "target": "目标值",
    "unit": "数值单位",
    "higher_is_better": "数值越高越好",
    "inclusive": "等于目标值即达标",
    "partial": "未达标得分（空为0分）",
    "cap": "上限",
    "per": "每档（项）分值",
    "gap_unit": "差距单位",
    "deduct": "每档扣分",
    "steps": "不足一档时",
    "bands": "分段（JSON：下限、上限、得分）",
    "floor": "起点值（得0分）",
    "mode": "计分方式",
    "step": "每降一个名次扣分",
    "scope": "排名范围（空为全部参评单位）",
    "by": "较上年提高幅度",
    "by_unit": "提高幅度单位",
    "measure": "计量单位",
    "finding": "扣分事项名称",
    "levels": "评定等级与得分比例（JSON）",
    "as_points": "等级对应分数（而非比例）",
    "combine": "多名评审人时",
    "event": "加分事项",
    "source": "扣分来源",
    "condition": "否决条件",
    "min_count": "达到几次否决",
    "effect": "否决后果",
    "grade": "等次（后果为“最高为”或“不得评为”时）",
}


# Parameters whose meaning depends on the rule type.
_PARAMETERS_BY_KIND: dict[tuple[str, str], str] = {
    ("linear", "per"): "每档差距",
    ("linear", "cap"): "最多扣分（空为扣完为止）",
    ("checklist", "per"): "每处（项）扣分",
    ("checklist", "cap"): "最多扣分（空为扣完为止）",
    ("deduction", "per"): "每件扣分",
    ("deduction", "cap"): "最多扣分（空为该项分值）",
    ("bonus", "per"): "每项加分",
    ("bonus", "cap"): "最多加分（空为该项分值）",
    ("proportional", "cap"): "超额完成最高计到分值的几倍（空为不超过分值）",
    ("rank", "mode"): "计分方式",
    ("improvement", "mode"): "未达到提高幅度时",
}


def parameter_label(kind: str, name: str) -> str:
    """The Chinese name of a parameter of a rule type, as the editor shows it."""
    return _PARAMETERS_BY_KIND.get((kind, name)) or PARAMETERS.get(name, name)


def parameter_choices(kind: str, name: str) -> Mapping[str, str] | None:
    """The allowed values of a choice parameter of a rule kind, with their Chinese labels."""
    if name == "missing":
        return MISSING_POLICIES
    if name in ("gap_unit", "by_unit"):
        return GAP_UNITS
    if name == "steps":
        return STEPS
    if name == "mode":
        return {"rank": RANK_MODES, "improvement": IMPROVEMENT_MODES}.get(kind)
    if name == "combine":
        return COMBINE
    if name == "source":
        return DEDUCTION_SOURCES
    if name == "effect":
        return VETO_EFFECTS
    return None


def text_parameters(kind: str) -> set[str]:
    """The parameters of a rule kind that are words (a blank one is "", not "no value")."""
    cls = RULE_KINDS.get(kind)
    return {f.name for f in dataclasses.fields(cls) if str(f.type) == "str"} if cls else set()


def defaults(kind: str) -> dict:
    """A rule of `kind` with its default parameters, as `to_dict()` gives it (the editor's
    starting point when an item changes kind)."""
    cls = RULE_KINDS.get(kind)
    if cls is None:
        raise RuleError(f"未知的评分规则类型“{kind}”")
    out: dict = {"kind": kind}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:  # pragma: no cover - every parameter has a default
            value = None
        out[f.name] = _plain(value)
    return out


def rule_from_dict(d: dict) -> Rule:
    """The rule a `to_dict()` gave; RuleError (Chinese) for an unknown kind or bad parameters."""
    if not isinstance(d, Mapping):
        raise RuleError("评分规则应为键值对象")
    kind = d.get("kind")
    cls = RULE_KINDS.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise RuleError(f"未知的评分规则类型“{kind}”")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names - {"kind"})
    if unknown:
        raise RuleError(f"评分规则“{LABELS[kind]}”没有参数：{'、'.join(unknown)}")
    kwargs = {k: v for k, v in d.items() if k != "kind"}
    if "applies_to" in kwargs:
        kwargs["applies_to"] = tuple(kwargs["applies_to"] or ())
    if "bands" in kwargs:
        kwargs["bands"] = tuple(_band_from(b) for b in kwargs["bands"] or ())
    if "levels" in kwargs:
        kwargs["levels"] = tuple(tuple(p) if isinstance(p, list) else p for p in kwargs["levels"] or ())
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise RuleError(f"评分规则“{LABELS[kind]}”的参数无效：{e}") from None
