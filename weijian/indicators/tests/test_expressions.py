from decimal import Decimal

import pytest

from weijian.indicators.expressions import ExpressionError, parse


def test_expression_names_its_elements_and_computes():
    e = parse("(OPD + ER) * 2")
    assert e.codes == {"OPD", "ER"}
    assert e.evaluate({"OPD": Decimal(3), "ER": Decimal("1.5")}) == Decimal("9.0")


def test_missing_value_or_zero_division_gives_no_value():
    assert parse("A / B").evaluate({"A": Decimal(1), "B": Decimal(0)}) is None
    assert parse("A + B").evaluate({"A": Decimal(1)}) is None


@pytest.mark.parametrize(
    "bad", ["__import__('os')", "A.b", "A ** 2", "A if B else C", "'x'", "A[0]", "", "A +"]
)
def test_anything_but_arithmetic_is_refused(bad):
    with pytest.raises(ExpressionError):
        parse(bad)
