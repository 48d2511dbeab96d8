"""The actuals service: each unit's figure on an indicator, the growth of a stock, whether it
meets a target, all in Decimal and in a number of queries that does not grow with the units
or the indicators asked for."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weijian.data import actuals
from weijian.indicators.models import Aggregation
from weijian.testing import element, indicator, value


@pytest.fixture
def cat(db):
    done = element("VAC_DONE", "接种人数", "人")
    due = element("VAC_DUE", "应种人数", "人")
    beds = element("BEDS", "实有床位数", "张", aggregation=Aggregation.LAST)
    visits = element("VISITS", "诊疗人次", "人次")
    return {
        "rate": indicator("VAC_RATE", "接种率", "VAC_DONE", "VAC_DUE", 100, "%"),
        "beds": indicator("BED_COUNT", "实有床位数", "BEDS", unit="张"),
        "visits": indicator("VISIT_COUNT", "诊疗人次", "VISITS", unit="人次"),
        "elements": (done, due, beds, visits),
    }


def test_rate_is_recomputed_from_summed_sides_per_unit(city, cat):
    done, due, *_ = cat["elements"]
    value(done, city.clinic_a, "2025Q1", 97)
    value(due, city.clinic_a, "2025Q1", 100)
    value(done, city.clinic_b, "2025Q2", 70)
    value(due, city.clinic_b, "2025Q2", 100)
    found = actuals.actuals(cat["rate"], [city.city, city.county_a, city.county_b, city.hospital_a], "2025")
    assert found[city.county_a.pk] == actuals.Actual(
        city.county_a.pk, Decimal("97"), Decimal(97), Decimal(100)
    )
    city_figure = found[city.city.pk]
    assert city_figure.value == Decimal("83.5")  # 167 / 200, not the mean of 97 and 70
    assert (city_figure.numerator, city_figure.denominator) == (167, 200)
    assert isinstance(city_figure.value, Decimal)
    assert found[city.hospital_a.pk].value is None  # asked for, no data: present, without a value


def test_increase_of_a_stock_is_growth_over_the_previous_year_end(city, cat):
    beds = cat["elements"][2]
    value(beds, city.hospital_a, "2024", 300)
    value(beds, city.hospital_a, "2025", 312)
    value(beds, city.hospital_b, "2025", 800)  # no figure a year before: no growth to state
    found = actuals.actuals(cat["beds"], [city.county_a, city.county_b], "2025", increase=True)
    assert found[city.county_a.pk].value == 12 and found[city.county_a.pk].base == 300
    assert found[city.county_b.pk].value is None and found[city.county_b.pk].base is None
    plain = actuals.actuals(cat["beds"], [city.county_a], "2025")
    assert plain[city.county_a.pk].value == 312 and plain[city.county_a.pk].base is None


def test_stock_is_a_count_taken_at_period_end(cat):
    assert actuals.is_stock(cat["beds"])
    assert not actuals.is_stock(cat["visits"])
    assert not actuals.is_stock(cat["rate"])
    assert actuals.stock_indicators([cat["beds"], cat["visits"], cat["rate"]]) == {cat["beds"].pk}


@pytest.mark.parametrize(
    "v,cmp,target,lower,expected",
    [
        ("95", ">=", "95", False, True),
        ("94.99", ">=", "95", False, False),
        ("95", ">", "95", False, False),
        ("0.5", "<=", "0.5", False, True),
        ("0.6", "<", "0.6", False, False),
        ("100", "=", "100", False, True),  # 达到100张: a floor
        ("120", "=", "100", False, True),
        ("12", "~", "10", True, False),  # 约10‰ where lower is better: a ceiling
        ("9", "~", "10", True, True),
    ],
)
def test_meets(v, cmp, target, lower, expected):
    assert actuals.meets(Decimal(v), cmp, Decimal(target), lower_is_better=lower) is expected


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_units_or_indicators(city, cat, django_assert_max_num_queries):
    done, due, beds, visits = cat["elements"]
    for unit in (city.hospital_a, city.clinic_a, city.hospital_b, city.clinic_b):
        value(done, unit, "2025Q1", 90)
        value(due, unit, "2025Q1", 100)
        value(beds, unit, "2024", 50)
        value(beds, unit, "2025", 55)
        value(visits, unit, "202503", 1000)
    # One unit of each depth, then every unit: the same queries (they group by depth, never per unit).
    few_units = [city.city, city.county_a, city.hospital_a]
    all_units = [city.city, city.county_a, city.county_b, city.hospital_a, city.clinic_a, city.hospital_b]
    one = [(cat["rate"], False)]
    three = [(cat["rate"], False), (cat["beds"], True), (cat["visits"], False)]

    base = _queries(lambda: actuals.actuals_many(one, few_units, "2025"))
    with django_assert_max_num_queries(base):
        wide = actuals.actuals_many(one, all_units, "2025")
    many = _queries(lambda: actuals.actuals_many(three, all_units, "2025"))
    assert many <= base + 3  # one more aggregation kind (stock) and the year before, never per indicator
    with django_assert_max_num_queries(many):
        found = actuals.actuals_many(three * 2, all_units, "2025")
    assert wide[(cat["rate"].pk, False)][city.city.pk].value == 90
    assert found[(cat["beds"].pk, True)][city.city.pk].value == 20  # 4 × 55 − 4 × 50
    assert found[(cat["visits"].pk, False)][city.county_b.pk].value == 2000
