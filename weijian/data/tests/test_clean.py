"""One normalisation for every door: codes in NFKC, one decimal reader that refuses what the
value column cannot hold exactly, one decoder for uploaded text."""

import io
from decimal import Decimal

import pytest

from weijian.data import periods
from weijian.data.clean import NumberError, code, decode_bytes, open_text, parse_decimal, period_code


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1,234", "1234"),
        ("１２３４．５", "1234.5"),
        ("１，２３４", "1234"),
        (" 12 345 ", "12345"),
        ("-3.25", "-3.25"),
        ("1e5", "100000"),
        ("0.0001", "0.0001"),
        (3, "3"),
        (0.1 + 0.2, "0.3"),  # a spreadsheet double read as Excel shows it
        ("999999999999999", "999999999999999"),
    ],
)
def test_numbers_as_people_type_them_are_read(typed, stored):
    assert parse_decimal(typed) == Decimal(stored)


@pytest.mark.parametrize(
    "typed, words",
    [
        ("9999999999999999", "16位有效数字"),
        ("123456789012345.6789", "19位有效数字"),
        ("1e-30", "会变成 0"),
        ("0.33333", "小数超过4位"),
        ("1e16", "超出可保存的范围"),
        (1e16, "超出可保存的范围"),
        ("NaN", "不是有限的数字"),
        ("Infinity", "不是有限的数字"),
        (float("inf"), "不是有限的数字"),
        ("1,23", "千分位"),
        ("12人", "不是数字"),
        ("95%", "不是百分比"),
        ("", "数值为空"),
    ],
)
def test_numbers_the_column_cannot_hold_exactly_are_refused_with_a_reason(typed, words):
    with pytest.raises(NumberError) as caught:
        parse_decimal(typed)
    assert words in str(caught.value)


def test_percent_sign_is_read_only_for_a_percentage_element():
    assert parse_decimal("95.5%", percent=True) == Decimal("95.5")
    assert parse_decimal("９５％", percent=True) == Decimal("95")


def test_blank_clears_only_when_asked():
    assert parse_decimal("  ", blank=True) is None
    assert parse_decimal(None, blank=True) is None


def test_codes_are_compared_in_one_canonical_form():
    assert period_code("２０２５Ｑ１") == "2025Q1"
    assert period_code(" 2025 q1 ") == "2025Q1"
    assert period_code(2024.0) == "2024"
    assert code("Ｃ０１Ａ\u3000") == "C01A"
    assert code("\ufeffHTN") == "HTN"


def test_full_width_period_is_the_same_period():
    assert periods.parse("２０２５").code == "2025"
    assert periods.parse("２０２５Q1").code == "2025Q1"
    with pytest.raises(periods.PeriodError):
        periods.parse("٢٠٢٥")  # Arabic-Indic digits are not a period code


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"])
def test_uploaded_text_is_decoded_in_every_chinese_encoding(encoding):
    text = (
        "數據元編碼,機構編碼,期間,數值\r\nHTN,C01,2024,12\r\n"
        if encoding == "big5"
        else ("数据元编码,机构编码,期间,数值\r\nHTN,C01,2024,12\r\n")
    )
    data = text.encode(encoding)
    assert decode_bytes(data, "a.csv") == text
    assert open_text(io.BytesIO(data), "a.csv").read().lstrip("\ufeff") == text


def test_a_problem_log_keeps_the_first_problems_and_counts_every_reason():
    from weijian.data.entry import Problem
    from weijian.data.problems import ProblemLog

    log = ProblemLog(limit=3)
    for row in range(2, 1002):
        log.add(Problem(row, "数据元编码", f"数据元编码“X{row}”不存在"))
        log.add(
            Problem(row, "数值", f"甲县医院 2024年{row % 12 + 1}月：床位之和不能大于实有床位数（= {row}）")
        )
    assert [p.row for p in log.shown] == [2, 2, 3]
    assert log.rows == 1000 and log.total == 2000 and log.hidden == 1997
    assert log.summary() == {"数据元编码“…”不存在": 1000, "床位之和不能大于实有床位数（= N）": 1000}
