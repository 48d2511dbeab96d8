"""Validation of data values: min/max per element and the commission's validation rules
(`ValidationRule`: left op right, each side an expression over element codes).

Rules are checked per org unit and period on the values stored for exactly that unit and
period (what one reporter sent), on entry, on import, and on demand by `violations()`.

Missing values: a side of a rule (or of an indicator) has no value when none of its elements
has one; when some have values, the missing ones count as 0 — so "A + B <= C" still checks a
unit that reported A and C but left B empty, while a unit that reported nothing is not flagged.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from weijian.indicators.expressions import Expression, ExpressionError, parse
from weijian.orgs.models import OrgUnit

from . import periods
from .models import DataValue, ValidationRule

_COMPARE = {"<=": operator.le, "<": operator.lt, "==": operator.eq, ">=": operator.ge, ">": operator.gt}
_SYMBOL = dict(ValidationRule.OPERATORS)


def evaluate(expr: Expression, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The expression's value; None when none of its elements has a value (see module doc)."""
    if expr.codes and all(values.get(code) is None for code in expr.codes):
        return None
    filled = {code: (values.get(code) if values.get(code) is not None else Decimal(0)) for code in expr.codes}
    return expr.evaluate(filled)


@dataclass(frozen=True)
class CompiledRule:
    rule: ValidationRule
    left: Expression
    right: Expression

    @property
    def codes(self) -> frozenset[str]:
        return self.left.codes | self.right.codes

    def check(self, values: Mapping[str, Decimal | None]) -> tuple[bool, Decimal | None, Decimal | None]:
        """(holds, left, right); a rule with a side that has no value holds (nothing to compare)."""
        left, right = evaluate(self.left, values), evaluate(self.right, values)
        if left is None or right is None:
            return True, left, right
        return _COMPARE[self.rule.operator](left, right), left, right

    def message(self, left: Decimal | None, right: Decimal | None) -> str:
        rule = self.rule
        base = rule.message or f"校验规则“{rule.name}”不满足"
        return (
            f"{base}（{rule.left} = {_plain(left)}，应 {_SYMBOL.get(rule.operator, rule.operator)} "
            f"{rule.right} = {_plain(right)}）"
        )


def compiled_rules() -> list[CompiledRule]:
    """Every rule whose expressions can be read. A rule an administrator wrote badly cannot
    block data entry; it is left out (the catalogue admin shows the parse error)."""
    out = []
    for rule in ValidationRule.objects.all():
        try:
            out.append(CompiledRule(rule, parse(rule.left), parse(rule.right)))
        except ExpressionError:
            continue
    return out


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


def violations(org_unit: OrgUnit, period_code: str) -> list[Violation]:
    """Every rule and min/max breach among the values stored for `period_code` (exactly that
    period) by `org_unit` and every unit below it, in hierarchy order."""
    code = periods.parse(period_code).code
    rows = DataValue.objects.filter(org_unit__path__startswith=org_unit.path, period__code=code).values_list(
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
        reason = range_problem(_ElementLimits(name, vtype, lo, hi), value)
        if reason:
            breaches.append((unit_id, value, lo if lo is not None and value < lo else hi, reason))
    if not by_unit:
        return []
    units = OrgUnit.objects.in_bulk(list(by_unit))
    found: list[Violation] = [
        Violation(None, units[uid], code, value, limit, reason) for uid, value, limit, reason in breaches
    ]
    rules = compiled_rules()
    for uid, values in by_unit.items():
        for rule in rules:
            holds, left, right = rule.check(values)
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
