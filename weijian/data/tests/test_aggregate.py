from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weijian import testing
from weijian.data import aggregate, periods
from weijian.data.tests.helpers import put
from weijian.indicators.models import Aggregation, Indicator
from weijian.orgs.models import Level


@pytest.fixture
def htn(db):
    managed = testing.element("HTN_MGD", "高血压患者规范管理人数", "人")
    controlled = testing.element("HTN_CTRL", "管理人群血压控制人数", "人")
    rate = testing.indicator("HTN_CTRL_RATE", "管理人群血压控制率", "HTN_CTRL", "HTN_MGD", 100, "%")
    return managed, controlled, rate


def test_city_rate_is_recomputed_from_summed_counts_not_averaged(city, htn):
    managed, controlled, rate = htn
    put(controlled, city.hospital_a, "2024", 90)
    put(managed, city.hospital_a, "2024", 100)
    put(controlled, city.clinic_a, "2024", 10)
    put(managed, city.clinic_a, "2024", 100)
    put(controlled, city.hospital_b, "2024", 720)
    put(managed, city.hospital_b, "2024", 800)

    rows = aggregate.breakdown(rate, city.city, "2024")
    county_rates = [r.figure.value for r in rows]
    city_figure = aggregate.value(rate, city.city, "2024")

    summed_num = sum(r.figure.numerator for r in rows)
    summed_den = sum(r.figure.denominator for r in rows)
    assert city_figure.numerator == summed_num == 820
    assert city_figure.denominator == summed_den == 1000
    assert city_figure.value == summed_num / summed_den * 100 == Decimal("82")
    assert city_figure.value != sum(county_rates) / len(county_rates)  # the mean of 50% and 90% is 70%
    assert str(city_figure) == "82.00%"


def test_quarter_and_year_values_are_the_sums_of_their_months(city):
    visits = testing.element("OPD", "门诊诊疗人次", "人次")
    for month in range(1, 13):
        put(visits, city.hospital_a, f"2024{month:02d}", 1000 + month)
        put(visits, city.clinic_b, f"2024{month:02d}", 10 * month)

    def months_sum(code):
        return sum(aggregate.value(visits, city.city, m).value for m in periods.children_codes(code, "M"))

    q2 = aggregate.value(visits, city.city, "2024Q2")
    year = aggregate.value(visits, city.city, "2024")
    assert q2.value == months_sum("2024Q2") == 1004 + 1005 + 1006 + 40 + 50 + 60
    assert year.value == months_sum("2024")
    assert aggregate.value(visits, city.county_a, "2024S1").value == sum(1000 + m for m in range(1, 7))


def test_a_coarser_stored_period_is_not_counted_twice(city):
    visits = testing.element("OPD", "门诊诊疗人次", "人次")
    put(visits, city.clinic_a, "2024Q1", 500)  # the quarter was reported ...
    put(visits, city.clinic_a, "202401", 100)  # ... and January too: the quarter already holds it
    for month, v in (("202401", 10), ("202402", 20), ("202403", 30)):
        put(visits, city.hospital_a, month, v)  # the hospital reports months only

    assert aggregate.value(visits, city.county_a, "2024Q1").value == 500 + 60
    assert aggregate.value(visits, city.county_a, "2024").value == 500 + 60
    assert aggregate.value(visits, city.clinic_a, "202401").value == 100  # the month itself is still there


def test_last_elements_take_each_units_latest_period(city):
    beds = testing.element("BEDS", "实有床位数", "张", aggregation=Aggregation.LAST)
    put(beds, city.hospital_a, "2024Q1", 300)
    put(beds, city.hospital_a, "2024Q2", 310)
    put(beds, city.hospital_a, "2024Q4", 320)
    put(beds, city.clinic_a, "2024Q1", 40)
    put(beds, city.clinic_a, "2024Q2", 45)

    assert aggregate.value(beds, city.county_a, "2024").value == 320 + 45
    assert aggregate.value(beds, city.county_a, "2024S1").value == 310 + 45
    assert aggregate.value(beds, city.hospital_a, "2024S2").value == 320


def test_a_yearly_stock_figure_stands_for_its_quarters_and_months(city):
    population = testing.element("POP", "常住人口数", "人", aggregation=Aggregation.LAST)
    records = testing.element("EHR", "建档人数", "人")
    rate = testing.indicator("EHR_RATE", "建档率", "EHR", "POP", 100, "%")
    put(population, city.county_a, "2024", 1000)
    put(records, city.clinic_a, "2024Q2", 900)

    assert aggregate.value(population, city.county_a, "2024Q2").value == 1000
    assert aggregate.value(population, city.county_a, "202405").value == 1000
    assert aggregate.value(rate, city.county_a, "2024Q2").value == 90
    # flows never borrow from a longer period: no records stored inside Q1 means no Q1 value
    assert aggregate.value(records, city.county_a, "2024Q1").value is None
    assert aggregate.value(population, city.county_a, "2023").value is None


def test_average_elements_average_over_periods_and_sum_over_units(city):
    inpatients = testing.element("INP_DAILY", "日均住院人数", "人", aggregation=Aggregation.AVERAGE)
    put(inpatients, city.hospital_a, "202401", 100)
    put(inpatients, city.hospital_a, "202402", 200)
    put(inpatients, city.hospital_a, "202403", 300)
    put(inpatients, city.hospital_b, "2024Q1", 500)

    assert aggregate.value(inpatients, city.county_a, "2024Q1").value == 200
    assert aggregate.value(inpatients, city.city, "2024Q1").value == 700


def test_yoy_of_a_percent_rate_is_in_points(city, htn):
    managed, controlled, rate = htn
    put(controlled, city.hospital_a, "2023", 80)
    put(managed, city.hospital_a, "2023", 200)
    put(controlled, city.hospital_a, "2024", 115)
    put(managed, city.hospital_a, "2024", 250)

    change = aggregate.yoy(rate, city.county_a, "2024")
    assert change.kind == "points"
    assert change.delta == Decimal("6.00")  # 46.00% against 40.00%
    assert change.text == "提高6.00个百分点"
    assert change.direction == "up"


def test_yoy_of_a_count_is_in_percent(city, htn):
    managed, _controlled, _rate = htn
    put(managed, city.hospital_a, "2023Q1", 1000)
    put(managed, city.hospital_a, "2024Q1", 949)

    change = aggregate.yoy(managed, city.city, "2024Q1")
    assert change.kind == "percent"
    assert change.text == "下降5.1%"
    assert change.direction == "down"


def test_yoy_of_a_permille_rate_is_in_its_own_unit(city):
    deaths = testing.element("INF_DEATH", "婴儿死亡数", "人")
    births = testing.element("LIVE_BIRTH", "活产数", "人")
    imr = testing.indicator(
        "IMR",
        "婴儿死亡率",
        "INF_DEATH",
        "LIVE_BIRTH",
        1000,
        "‰",
        decimals=1,
        direction=Indicator.Direction.LOWER,
    )
    put(deaths, city.hospital_b, "2023", 6)
    put(births, city.hospital_b, "2023", 2000)
    put(deaths, city.hospital_b, "2024", 4)
    put(births, city.hospital_b, "2024", 1800)

    change = aggregate.yoy(imr, city.city, "2024")
    assert (str(change.current), str(change.base)) == ("2.2‰", "3.0‰")
    assert change.text == "下降0.8‰"


def test_yoy_without_a_base_says_so(city, htn):
    managed, _c, _r = htn
    put(managed, city.hospital_a, "2024", 10)
    change = aggregate.yoy(managed, city.city, "2024")
    assert change.delta is None and change.direction is None
    assert change.text == "无可比数据"


def test_breakdown_ranks_children_by_the_indicators_direction(city):
    deaths = testing.element("INF_DEATH", "婴儿死亡数", "人")
    births = testing.element("LIVE_BIRTH", "活产数", "人")
    imr = testing.indicator(
        "IMR",
        "婴儿死亡率",
        "INF_DEATH",
        "LIVE_BIRTH",
        1000,
        "‰",
        decimals=1,
        direction=Indicator.Direction.LOWER,
    )
    county_c = testing.org(city.city, "C01C", "丙县", Level.COUNTY)
    put(deaths, city.hospital_a, "2024", 2)
    put(births, city.hospital_a, "2024", 500)  # 4.0‰
    put(deaths, city.clinic_b, "2024", 3)
    put(births, city.clinic_b, "2024", 1500)  # 2.0‰

    rows = aggregate.breakdown(imr, city.city, "2024")
    assert [(r.org_unit.name, r.rank, str(r.figure)) for r in rows] == [
        ("乙区", 1, "2.0‰"),
        ("甲县", 2, "4.0‰"),
        (county_c.name, None, "—"),
    ]
    counts = aggregate.breakdown(births, city.city, "2024")
    assert [(r.org_unit.name, r.rank) for r in counts] == [("乙区", 1), ("甲县", 2), ("丙县", None)]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_breakdown_and_values_take_the_same_queries_for_two_or_twelve_children(city, htn):
    managed, controlled, rate = htn
    put(controlled, city.hospital_a, "202401", 5)
    put(managed, city.hospital_a, "202401", 10)
    few = _queries(lambda: aggregate.breakdown(rate, city.city, "2024"))
    for i in range(10):
        county = testing.org(city.city, f"C01X{i}", f"新县{i}", Level.COUNTY)
        put(controlled, county, "202402", i)
        put(managed, county, "2024Q1", 10 + i)
    city.city.refresh_from_db()
    many = _queries(lambda: aggregate.breakdown(rate, city.city, "2024"))
    assert many == few
    units = [city.county_a, city.county_b, city.hospital_a, city.clinic_b]
    figures = aggregate.values(rate, units, "2024")
    assert figures[city.county_a.pk].value == 50
    assert figures[city.county_b.pk].value is None
    assert _queries(lambda: aggregate.values(rate, units, "2024")) <= 6


def test_series_follows_the_periods_given(city, htn):
    managed, _c, _r = htn
    put(managed, city.hospital_a, "202401", 3)
    put(managed, city.hospital_a, "202403", 7)
    figures = aggregate.series(managed, city.city, ["202401", "202402", "202403", "2024Q1"])
    assert [f.value for f in figures] == [3, None, 7, 10]


def test_an_indicator_side_with_no_data_has_no_value(city, htn):
    managed, controlled, rate = htn
    put(controlled, city.hospital_a, "2024", 5)
    assert aggregate.value(rate, city.city, "2024").value is None
    put(managed, city.hospital_a, "2024", 0)
    assert aggregate.value(rate, city.city, "2024").value is None  # no division by zero
    assert str(aggregate.value(rate, city.city, "2024")) == "—"
