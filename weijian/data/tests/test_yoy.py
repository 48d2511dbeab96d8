"""同比 as a commission reads it: the same months when a period is still running, 上升/下降 for
a rate where lower is better, points (not %) for a plain ratio. Expected figures by hand."""

from weijian import testing
from weijian.data import aggregate
from weijian.data.tests.helpers import put
from weijian.indicators.models import Aggregation


def test_a_year_in_progress_is_compared_with_the_same_months_of_last_year(city):
    visits = testing.element("OPD", "门诊诊疗人次", "人次")
    for month in range(1, 13):
        put(visits, city.hospital_a, f"2025{month:02d}", 100)
    for month in range(1, 11):  # 2026 reported through October
        put(visits, city.hospital_a, f"2026{month:02d}", 110)

    change = aggregate.yoy(visits, city.city, "2026")
    # Jan–Oct: 1 100 against 1 000, not against the whole of 2025 (1 200, which would read 下降8.3%)
    assert change.current.value == 1100 and change.base.value == 1000
    assert change.text == "增长10.0%" and change.through == 10
    assert str(change) == "增长10.0%（截至10月）"


def test_a_yearly_stock_does_not_make_a_running_year_complete(city):
    births = testing.element("BIRTHS", "活产数", "人")
    people = testing.element("POP", "常住人口数", "人", aggregation=Aggregation.LAST)
    rate = testing.indicator("BIRTH_RATE", "出生率", "BIRTHS", "POP", factor=1000, unit="‰")
    for year, per_month in (("2025", 10), ("2026", 12)):
        put(people, city.county_a, year, 100_000)
        for month in range(1, 13 if year == "2025" else 11):
            put(births, city.hospital_a, f"{year}{month:02d}", per_month)
    change = aggregate.yoy(rate, city.county_a, "2026")
    # Jan–Oct: 120 / 100 000 = 1.20‰ against 100 / 100 000 = 1.00‰
    assert (str(change.current), str(change.base)) == ("1.20‰", "1.00‰")
    assert change.text == "提高0.20‰" and change.basis == "截至10月"


def test_a_quarter_in_progress_compares_its_reported_months(city):
    visits = testing.element("OPD", "门诊诊疗人次", "人次")
    for month, v in (("202510", 50), ("202511", 60), ("202512", 70), ("202610", 80)):
        put(visits, city.hospital_a, month, v)
    change = aggregate.yoy(visits, city.city, "2026Q4")
    assert (change.current.value, change.base.value, change.through) == (80, 50, 10)
    assert change.text == "增长60.0%"


def test_a_rate_where_lower_is_better_rises_or_falls(city):
    deaths = testing.element("INF_DEATHS", "婴儿死亡数", "人")
    births = testing.element("LIVE_BIRTHS", "活产数", "人")
    rate = testing.indicator(
        "IMR", "婴儿死亡率", "INF_DEATHS", "LIVE_BIRTHS", factor=1000, unit="‰", direction="down"
    )
    put(deaths, city.hospital_a, "2024", 4)
    put(births, city.hospital_a, "2024", 1000)
    put(deaths, city.hospital_a, "2025", 5)
    put(births, city.hospital_a, "2025", 1000)
    change = aggregate.yoy(rate, city.city, "2025")
    assert change.text == "上升1.00‰"  # 5.00‰ against 4.00‰: a rise, not an improvement
    put(deaths, city.hospital_a, "2026", 3)
    put(births, city.hospital_a, "2026", 1000)
    assert aggregate.yoy(rate, city.city, "2026").text == "下降2.00‰"


def test_a_plain_ratio_changes_in_points_not_percent(city):
    boys = testing.element("BOYS", "活产男婴数", "人")
    girls = testing.element("GIRLS", "活产女婴数", "人")
    ratio = testing.indicator(
        "SEX_RATIO", "出生人口性别比", "BOYS", "GIRLS", factor=100, unit="", direction="none"
    )
    put(boys, city.hospital_a, "2024", 1050)
    put(girls, city.hospital_a, "2024", 1000)
    put(boys, city.hospital_a, "2025", 1075)
    put(girls, city.hospital_a, "2025", 1000)
    change = aggregate.yoy(ratio, city.city, "2025")
    # 107.50 against 105.00: 2.50 points (as a percentage it would read 增长2.4%)
    assert change.kind == "points" and change.text == "上升2.50"
