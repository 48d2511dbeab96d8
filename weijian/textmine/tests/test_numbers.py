"""Numeral reading: every written form a commission document (or a citizen) uses gives its value."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weijian.textmine.numbers import parse_fraction, parse_number, to_halfwidth


@pytest.mark.parametrize(
    "written, value",
    [
        # Arabic, with separators, decimals, signs and exponents
        ("2550", 2550),
        ("12.39", 12.39),
        ("3,456,789", 3456789),
        ("10,000.5", 10000.5),
        ("-42", -42),
        ("负7.5", -7.5),
        (".25", 0.25),
        ("3e4", 30000),
        ("1.5E-2", 0.015),
        # full-width digits
        ("３６８", 368),
        ("７．２５", 7.25),
        ("８，８８８", 8888),
        # Chinese place-value numerals
        ("七", 7),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("一百零八", 108),
        ("一千二百三十四", 1234),
        ("两万五千", 25000),
        ("三千零六", 3006),
        ("六万零三十", 60030),
        ("一百一十", 110),
        ("八亿零五", 800000005),
        ("九千万零七", 90000007),
        ("两亿三千万", 230000000),
        ("七十万亿", 70 * 10**12),
        ("四万万", 400000000),
        ("一万零百零二", 10102),
        ("廿八", 28),
        # spoken abbreviations: the digit after the last place value is one place lower
        ("三万五", 35000),
        ("两千四百五", 2450),
        ("六百八", 680),
        ("一万二", 12000),
        ("百六", 160),
        ("五十三万七", 537000),
        # mixed script and magnitudes folded in
        ("1.2万", 12000),
        ("5万4千6百", 54600),
        ("8万3000", 83000),
        ("2千零8", 2008),
        ("3.05亿", 305000000),
        ("12万亿", 12 * 10**12),
        ("7 万 2 千", 72000),
        ("三千 二百 一十", 3210),
        ("两个亿", 200000000),
        # financial numerals
        ("陆佰柒拾捌", 678),
        ("贰万零叁拾", 20030),
        ("壹仟零伍", 1005),
        ("拾陆", 16),
        # digit by digit
        ("一七二零", 1720),
        ("二〇二四", 2024),
        ("三零五", 305),
        # 点 decimals
        ("三点五", 3.5),
        ("十二点零五", 12.05),
        ("一百点二五", 100.25),
        ("零点零三", 0.03),
        ("负二点五", -2.5),
        ("六千万点五", 60000000.5),
        ("一七点五", 17.5),
        ("二点五万", 25000),
    ],
)
def test_numeral_forms_give_their_value(written, value):
    got = parse_number(written)
    assert got is not None, written
    assert math.isclose(got, value, rel_tol=1e-12, abs_tol=1e-12), (written, got)


@pytest.mark.parametrize(
    "written", ["", "万", "万万", "亿", "十三五", "三四五十", "五十千", "点五", "一二点", "abc", "负", "十百"]
)
def test_non_numerals_have_no_value(written):
    assert parse_number(written) is None


@pytest.mark.parametrize(
    "written, value, unit",
    [
        ("三分之二", 0.6666666667, ""),
        ("四分之一", 0.25, ""),
        ("百分之五十", 50, "%"),
        ("百分之三点五", 3.5, "%"),
        ("百分之百", 100, "%"),
        ("百分之负二", -2, "%"),
        ("千分之七", 7, "‰"),
        ("千分之1.8", 1.8, "‰"),
        ("万分之1.5", 1.5, "1/万"),
        ("万分之三", 3, "1/万"),
        ("二十分之三", 0.15, ""),
        ("两又三分之一", 2.3333333333, ""),
    ],
)
def test_fractions_with_fen_zhi(written, value, unit):
    got = parse_fraction(written)
    assert got is not None
    assert math.isclose(got[0], value, rel_tol=1e-9)
    assert got[1] == unit


@pytest.mark.parametrize("written", ["分之三", "三分之", "零分之一", "三分之万"])
def test_broken_fractions_have_no_value(written):
    assert parse_fraction(written) is None


def test_halfwidth_keeps_length_and_leaves_the_chinese_comma_alone():
    s = "共１２，３４５人，增长５％，其中２０，３０人"
    h = to_halfwidth(s)
    assert len(h) == len(s)
    assert "12,345人" in h  # a thousands separator between full-width digits
    assert "人，增长" in h  # the Chinese comma stays


@given(
    st.text(
        alphabet="零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点负个0123456789.,eE- ",
        max_size=25,
    )
)
def test_parse_number_never_raises_and_is_finite(s):
    v = parse_number(s)
    assert v is None or math.isfinite(v)
    f = parse_fraction(s + "分之" + s)
    assert f is None or math.isfinite(f[0])


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_integers_read_back(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n
