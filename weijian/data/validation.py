"""Validation of data values: min/max per element and the rules a unit's values for one period
must keep, each "left op right" with sides that are expressions over element codes.

Rules come from two places:
- the catalogue itself: an indicator whose definition makes its numerator a part of its
  denominator (`Indicator.bounded`: 完成率, 覆盖率, 占比) gives "numerator <= denominator",
  and an element that is a part of another (`DataElement.part_of`: 儿科床位 of 实有床位)
  gives "part <= whole";
- the commission's own `ValidationRule` rows.

Rules are checked per org unit and period on the values stored for exactly that unit and
period (what one reporter sent), on entry, on import, through the API, and on demand by
`violations()`. A rule applies only when every element it names has a value: a form filled
half way, or a unit that reports only some of the elements, is not blocked by a sum it has not
finished. Messages name elements by their Chinese names.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from weijian.indicators.expressions import Expression, ExpressionError, parse
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import OrgUnit

from . import periods
from .models import DataValue, ValidationRule

_COMPARE = {"<=": operator.le, "<": operator.lt, "==": operator.eq, ">=": operator.ge, ">": operator.gt}
_SYMBOL = dict(ValidationRule.OPERATORS)
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def evaluate(expr: Expression, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The expression's value over summed figures; None when none of its elements has a value,
    and the missing ones count as 0 otherwise (an aggregate over units that report only some of
    the elements). Rules do not use this: they need every operand (`CompiledRule.check`)."""
    if expr.codes and all(values.get(code) is None for code in expr.codes):
        return None
    filled = {code: (values.get(code) if values.get(code) is not None else Decimal(0)) for code in expr.codes}
    return expr.evaluate(filled)


@dataclass(frozen=True)
class CompiledRule:
    rule: ValidationRule
    left: Expression
    right: Expression
    names: Mapping[str, str]  # element code → name, for the messages

    @property
    def codes(self) -> frozenset[str]:
        return self.left.codes | self.right.codes

    def check(self, values: Mapping[str, Decimal | None]) -> tuple[bool, Decimal | None, Decimal | None]:
        """(holds, left, right). A rule holds while any element it names has no value."""
        if any(values.get(code) is None for code in self.codes):
            return True, None, None
        left, right = self.left.evaluate(dict(values)), self.right.evaluate(dict(values))
        if left is None or right is None:  # a division by zero: nothing to compare
            return True, left, right
        return _COMPARE[self.rule.operator](left, right), left, right

    def message(self, left: Decimal | None, right: Decimal | None) -> str:
        rule = self.rule
        base = rule.message or f"校验规则“{rule.name}”不满足"
        return (
            f"{base}（{self.describe(rule.left)} = {_plain(left)}，应 "
            f"{_SYMBOL.get(rule.operator, rule.operator)} {self.describe(rule.right)} = {_plain(right)}）"
        )

    def describe(self, text: str) -> str:
        """An expression as the user reads it: element names instead of codes."""
        return _CODE.sub(lambda m: f"“{self.names.get(m.group(0), m.group(0))}”", text).replace("*", "×")


def catalogue_rules() -> list[ValidationRule]:
    """The rules the catalogue implies (unsaved ValidationRule objects, code prefixed "目录:"):
    numerator <= denominator for each bounded indicator, part <= whole for each element that is
    part of another (unless a bounded indicator already says the same)."""
    names = dict(DataElement.objects.values_list("code", "name"))
    out: list[ValidationRule] = []
    seen: set[tuple[str, str]] = set()
    for ind in Indicator.objects.filter(bounded=True).exclude(denominator="").order_by("code"):
        pair = (_squash(ind.numerator), _squash(ind.denominator))
        if pair in seen:
            continue
        seen.add(pair)
        limit = "，不能超过100%" if ind.factor == 100 and ind.unit == "%" else ""
        out.append(
            ValidationRule(
                code=f"目录:{ind.code}",
                name=f"{ind.name}：分子不大于分母",
                left=ind.numerator,
                operator="<=",
                right=ind.denominator,
                message=f"{ind.name}的分子不能大于分母{limit}",
            )
        )
    for code, name, wholes in (
        DataElement.objects.exclude(part_of=[]).order_by("code").values_list("code", "name", "part_of")
    ):
        for whole in wholes or []:
            if whole not in names or (code, whole) in seen:
                continue
            seen.add((code, whole))
            out.append(
                ValidationRule(
                    code=f"目录:{code}<={whole}",
                    name=f"{name}不大于{names[whole]}",
                    left=code,
                    operator="<=",
                    right=whole,
                    message=f"“{name}”是“{names[whole]}”的一部分，不能大于它",
                )
            )
    return out


def compiled_rules() -> list[CompiledRule]:
    """Every rule whose expressions can be read: the catalogue's, then the commission's own (a
    commission rule that states a catalogue rule again is not checked twice). A rule an
    administrator wrote badly cannot block data entry; it is left out (the admin shows why)."""
    names = dict(DataElement.objects.values_list("code", "name"))
    out = []
    seen: set[tuple[str, str, str]] = set()
    for rule in [*catalogue_rules(), *ValidationRule.objects.all()]:
        key = (_squash(rule.left), rule.operator, _squash(rule.right))
        if key in seen:
            continue
        seen.add(key)
        try:
            out.append(CompiledRule(rule, parse(rule.left), parse(rule.right), names))
        except ExpressionError:
            continue
    return out


def _squash(text: str) -> str:
    return "".join((text or "").split())


def range_problem(element, value: Decimal) -> str | None:
    """The reason a value is outside the element's type or min/max, or None when it fits."""
    if element.value_type == "int" and value != value.to_integral_value():
        return f"“{element.name}”应为整数，收到 {_plain(value)}"
    if element.min_value is not None and value < element.min_value:
        return f"“{element.name}”不能小于 {_plain(element.min_value)}，收到 {_plain(value)}"
    if element.max_value is not None and value > element.max_value:
        return f"“{element.name}”不能大于 {_plain(element.max_value)}，收到 {_plain(value)}"
    return None


@dataclass(frozen=True)
class Violation:
    rule: ValidationRule | None  # None for a min/max breach of one element
    org_unit: OrgUnit
    period: str
    left: Decimal | None
    right: Decimal | None
    message: str


def violations(org_unit: OrgUnit, period_code: str, about: Iterable[str] | None = None) -> list[Violation]:
    """Every rule and min/max breach among the values stored for `period_code` (exactly that
    period) by `org_unit` and every unit below it, in hierarchy order. With `about` (element
    codes), only the rules that name one of them and the breaches of those elements, reading
    only the values those rules need."""
    code = periods.parse(period_code).code
    rules = compiled_rules()
    values = DataValue.objects.filter(org_unit__path__startswith=org_unit.path, period__code=code)
    if about is not None:
        about = set(about)
        rules = [r for r in rules if r.codes & about]
        values = values.filter(element__code__in=about.union(*(r.codes for r in rules)))
    rows = values.values_list(
        "org_unit_id",
        "element__code",
        "element__name",
        "element__value_type",
        "element__min_value",
        "element__max_value",
        "value",
    )
    by_unit: dict[int, dict[str, Decimal]] = defaultdict(dict)
    breaches: list[tuple[int, Decimal, Decimal, str]] = []
    for unit_id, el_code, name, vtype, lo, hi, value in rows:
        by_unit[unit_id][el_code] = value
        if about is not None and el_code not in about:
            continue
        reason = range_problem(_ElementLimits(name, vtype, lo, hi), value)
        if reason:
            breaches.append((unit_id, value, lo if lo is not None and value < lo else hi, reason))
    if not by_unit:
        return []
    units = OrgUnit.objects.in_bulk(list(by_unit))
    found: list[Violation] = [
        Violation(None, units[uid], code, value, limit, reason) for uid, value, limit, reason in breaches
    ]
    for uid, held in by_unit.items():
        for rule in rules:
            holds, left, right = rule.check(held)
            if not holds:
                found.append(Violation(rule.rule, units[uid], code, left, right, rule.message(left, right)))
    found.sort(key=lambda v: (v.org_unit.path, v.rule.code if v.rule else ""))
    return found


@dataclass(frozen=True)
class _ElementLimits:
    name: str
    value_type: str
    min_value: Decimal | None
    max_value: Decimal | None


def _plain(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros: 12, 0.5, 1200."""
    if value is None:
        return "空"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
