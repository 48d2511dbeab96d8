"""Indicator expressions: arithmetic over data element codes, read safely.

    parse("HTN_MGD_STD")                → one element
    parse("BEDS_ACTUAL * 1000")          → constants allowed
    parse("(OPD_VISITS + ER_VISITS)")    → sums of elements

Only numbers, element codes, + - * / and brackets are accepted; the text is parsed into a
syntax tree whose nodes are checked against that whitelist, never evaluated by Python."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class ExpressionError(ValueError):
    """An expression that is not valid; the message is for the user."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    codes: frozenset[str]

    def evaluate(self, values: dict[str, Decimal | None]) -> Decimal | None:
        """The value with `values` for the element codes; None when a value is missing or a
        division by zero occurs (a rate with no denominator has no value, not zero)."""
        try:
            return _eval(self.tree, values)
        except (DivisionByZero, InvalidOperation, ZeroDivisionError):
            return None


def parse(text: str) -> Expression:
    source = (text or "").strip()
    if not source:
        raise ExpressionError("表达式为空")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"表达式“{text}”无法识别：第{exc.offset or 1}个字符附近有误") from None
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            codes.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(f"表达式“{text}”中只能使用数字和数据元编码")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _OPS:
                raise ExpressionError(f"表达式“{text}”中只能使用 + - * / 和括号")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise ExpressionError(f"表达式“{text}”中只能使用 + - * / 和括号")
        elif not isinstance(node, ast.operator | ast.unaryop | ast.Load):
            raise ExpressionError(f"表达式“{text}”中只能使用数字、数据元编码、+ - * / 和括号")
    return Expression(source, tree, frozenset(codes))


def _eval(node: ast.expr, values: dict[str, Decimal | None]) -> Decimal | None:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        return None if value is None else Decimal(value)
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, values)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None:
            return None
        return _OPS[type(node.op)](left, right)
    raise ExpressionError("表达式无法计算")
