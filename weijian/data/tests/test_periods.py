from datetime import date

import pytest

from weijian.data import periods


def test_codes_read_to_their_dates():
    assert periods.parse("2024").start == date(2024, 1, 1)
    assert periods.parse("2024").end == date(2024, 12, 31)
    assert periods.parse("2024S2").start == date(2024, 7, 1)
    assert periods.parse("2024Q1").end == date(2024, 3, 31)
    assert periods.parse("202402").end == date(2024, 2, 29)


@pytest.mark.parametrize("bad", ["", "24", "2024Q5", "202413", "2024-01", "abc"])
def test_bad_code_gets_a_chinese_message(bad):
    with pytest.raises(periods.PeriodError, match="不是有效的期间编码"):
        periods.parse(bad)


def test_roll_up_relations():
    assert periods.children_codes("2024Q2", "M") == ["202404", "202405", "202406"]
    assert periods.children_codes("2024", "Q") == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert periods.same_period_last_year("2024Q1") == "2023Q1"
    assert periods.previous("2024Q1") == "2023Q4"
    assert periods.previous("202403") == "202402"
    assert periods.label("2024S1") == "2024年上半年"
