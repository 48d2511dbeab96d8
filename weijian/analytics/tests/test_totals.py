"""The pre-aggregated totals give the same figures as the stored values, and follow every
committed write: an entry-form save, an import, a value changed through the ORM."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from weijian import testing
from weijian.analytics import services
from weijian.analytics.models import State, Total
from weijian.data import aggregate, periods
from weijian.data.imports import import_file
from weijian.data.tests.helpers import put
from weijian.indicators.models import Aggregation
from weijian.orgs.models import Level


@pytest.fixture
def mixed(city):
    """Flows by month (one clinic also reported a quarter that holds its January), a stock
    figure by quarter, a yearly population that stands for its quarters, an average."""
    visits = testing.element("OPD", "门诊诊疗人次", "人次")
    beds = testing.element("BEDS", "实有床位数", "张", aggregation=Aggregation.LAST)
    people = testing.element("POP", "常住人口数", "人", aggregation=Aggregation.LAST)
    daily = testing.element(
        "INPT", "日均住院人数", "人", aggregation=Aggregation.AVERAGE, value_type="number"
    )
    for month in range(1, 13):
        put(visits, city.hospital_a, f"2024{month:02d}", 1000 + month)
        put(visits, city.hospital_b, f"2024{month:02d}", 500 + 2 * month)
        put(daily, city.hospital_a, f"2024{month:02d}", 30 + month)
    put(visits, city.clinic_a, "2024Q1", 300)
    put(visits, city.clinic_a, "202401", 90)
    put(visits, city.county_b, "2024", 77)  # a county's own figure counts in its subtree
    for q, v in ((1, 300), (2, 310), (4, 320)):
        put(beds, city.hospital_a, f"2024Q{q}", v)
    put(beds, city.clinic_b, "2024Q1", 40)
    put(people, city.county_a, "2024", 500_000)
    put(people, city.county_b, "2024", 300_000)
    put(people, city.county_a, "2023", 490_000)
    rate = testing.indicator("OPD_PER", "人均诊疗人次", "OPD", "POP", factor=1, unit="次")
    return {"visits": visits, "beds": beds, "people": people, "daily": daily, "rate": rate}


def _units(city):
    return [city.province, city.city, city.county_a, city.county_b]


def _hand_sum(element, unit, code) -> Decimal | None:
    """The subtree sum of a flow in a period, by hand in SQL (months and quarters inside it)."""
    p = periods.parse(code)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(dv.value) FROM data_datavalue dv JOIN orgs_orgunit ou ON ou.id = dv.org_unit_id "
            "JOIN data_period pe ON pe.id = dv.period_id WHERE dv.element_id = %s AND ou.path LIKE %s "
            "AND pe.start >= %s AND pe.\"end\" <= %s AND pe.type = 'M'",
            [element.pk, unit.path + "%", p.start, p.end],
        )
        months = cursor.fetchone()[0]
    return months


def test_totals_equal_the_figures_computed_from_the_stored_values(city, mixed):
    units = _units(city)
    codes = services.standard_codes(2024) + ["2023"]
    elements = [mixed["visits"], mixed["beds"], mixed["people"], mixed["daily"]]
    raw = aggregate.element_grid(elements, units, codes, raw=True)
    services.rebuild()
    assert Total.objects.exists() and services.ready()
    built = aggregate.element_grid(elements, units, codes)
    assert built == raw
    # and by hand: 甲县's visits in Q1 are the hospital's months and the clinic's quarter
    # (its January is inside the quarter it reported, so it is not added again).
    assert built[(city.county_a.pk, "2024Q1")]["OPD"] == 1001 + 1002 + 1003 + 300
    assert (
        built[(city.county_b.pk, "202405")]["OPD"]
        == _hand_sum(mixed["visits"], city.county_b, "202405")
        == 510
    )
    assert built[(city.city.pk, "2024")]["BEDS"] == 320 + 40  # each unit's latest quarter
    assert built[(city.city.pk, "2024Q3")]["POP"] == 800_000  # the year's population holds
    assert built[(city.city.pk, "2024")]["INPT"] == Decimal("36.5")  # the hospital's mean of 31…42


def test_the_page_figures_are_read_from_the_totals_once_built(city, mixed):
    services.rebuild()
    with CaptureQueriesContext(connection) as queries:
        figure = aggregate.value(mixed["rate"], city.city, "2024")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "analytics_total" in sql and "data_datavalue" not in sql
    visits = sum(1000 + m + 500 + 2 * m for m in range(1, 13)) + 300 + 77
    assert figure.numerator == visits and figure.denominator == 800_000


def test_an_entry_form_save_changes_the_total(client, users, city, django_capture_on_commit_callbacks):
    managed = testing.element("HTN_MGD", "高血压患者规范管理人数", "人")
    everyone = testing.element("HTN_ALL", "高血压患者管理人数", "人")
    rate = testing.indicator("HTN_RATE", "高血压患者规范管理率", "HTN_MGD", "HTN_ALL", factor=100, unit="%")
    testing.dataset("HTN_M", "高血压管理月报", [managed, everyone], "M", org_levels=[5])
    put(managed, city.hospital_b, "202403", 50)
    put(everyone, city.hospital_b, "202403", 100)
    services.rebuild()
    assert str(aggregate.value(rate, city.city, "2024")) == "50.00%"

    client.force_login(users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/data/entry/",
            {
                "dataset": "HTN_M",
                "org_unit": city.hospital_a.code,
                "period": "202403",
                f"v_{managed.pk}": "90",
                f"v_{everyone.pk}": "100",
            },
        )
    assert response.status_code == 200 and "已保存" in response.content.decode()
    total = Total.objects.get(org_unit=city.city, element=managed, period__code="2024")
    assert total.value == 140
    with CaptureQueriesContext(connection) as queries:
        figure = aggregate.value(rate, city.city, "2024")
    assert "data_datavalue" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert str(figure) == "70.00%"  # (50 + 90) / (100 + 100)
    assert str(aggregate.value(rate, city.county_a, "2024Q1")) == "90.00%"


def test_an_import_changes_the_total(city, users, mixed, django_capture_on_commit_callbacks):
    services.rebuild()
    before = aggregate.value(mixed["visits"], city.city, "2024Q2").value
    csv = f"数据元编码,机构编码,期间,数值\nOPD,{city.hospital_b.code},202404,1508\nOPD,{city.clinic_b.code},202405,12\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file(csv.encode(), "more.csv", users["admin"])
    assert result.status == "applied", result.errors
    after = aggregate.value(mixed["visits"], city.city, "2024Q2").value
    assert after == before - (500 + 8) + 1508 + 12
    assert (
        after
        == aggregate.element_grid([mixed["visits"]], [city.city], ["2024Q2"], raw=True)[
            (city.city.pk, "2024Q2")
        ]["OPD"]
    )


def test_a_new_unit_sends_pages_back_to_the_stored_values_until_a_rebuild(city, mixed):
    services.rebuild()
    township = testing.org(city.county_a, "C01AT", "甲镇", Level.TOWNSHIP)
    assert not services.ready()
    put(mixed["visits"], township, "202406", 5)
    assert aggregate.value(mixed["visits"], city.county_a, "202406").value == 1006 + 5
    services.rebuild()
    assert State.objects.get().ready
    assert aggregate.value(mixed["visits"], city.county_a, "202406").value == 1006 + 5


@pytest.mark.django_db(transaction=True)
def test_a_value_saved_through_the_orm_outside_a_transaction_moves_the_total(city, mixed):
    # Autocommit, as a script or the admin writes: the refresh runs at once, with the change.
    services.rebuild()
    before = aggregate.value(mixed["visits"], city.city, "2024").value
    dv = mixed["visits"].datavalue_set.get(org_unit=city.hospital_a, period__code="202403")
    dv.value += 1000
    dv.save()
    assert aggregate.value(mixed["visits"], city.city, "2024").value == before + 1000


def test_a_hospital_moved_to_another_county_moves_its_figures(
    city, mixed, settings, django_capture_on_commit_callbacks
):
    # 甲县人民医院 is put under 乙区 (an org import re-parenting it, as treebeard moves a
    # branch: one bulk update of paths, no save of the unit). The counties' figures follow at
    # once, and the totals are rebuilt in the background so later pages read them again.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.rebuild()
    a_before = aggregate.value(mixed["visits"], city.county_a, "2024").value
    b_before = aggregate.value(mixed["visits"], city.county_b, "2024").value
    moved = sum(1000 + m for m in range(1, 13))
    from weijian.orgs.models import OrgUnit

    with django_capture_on_commit_callbacks(execute=True):
        OrgUnit.objects.move(OrgUnit.objects.get(pk=city.hospital_a.pk), city.county_b, "sorted-child")
        county_a, county_b = (OrgUnit.objects.get(pk=u.pk) for u in (city.county_a, city.county_b))
        assert aggregate.value(mixed["visits"], county_a, "2024").value == a_before - moved
        assert aggregate.value(mixed["visits"], county_b, "2024").value == b_before + moved
    assert services.ready()
    assert aggregate.element_grid(
        [mixed["visits"]], [county_a, county_b], ["2024"]
    ) == aggregate.element_grid([mixed["visits"]], [county_a, county_b], ["2024"], raw=True)
    assert aggregate.value(mixed["visits"], county_b, "2024").value == b_before + moved


def test_a_new_unit_has_the_totals_rebuilt_in_the_background(
    city, mixed, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        township = testing.org(city.county_a, "C01AT", "甲镇", Level.TOWNSHIP)
        assert not services.ready()
    assert services.ready()
    with django_capture_on_commit_callbacks(execute=True):
        put(mixed["visits"], township, "202406", 5)
    assert aggregate.value(mixed["visits"], city.county_a, "202406").value == 1006 + 5
    assert (
        Total.objects.get(org_unit=city.county_a, period__code="202406", element=mixed["visits"]).value
        == 1011
    )


def test_totals_refreshed_from_the_bottom_up_equal_the_stored_values_on_an_uneven_tree(
    city, mixed, django_capture_on_commit_callbacks
):
    # A township with its own clinic under 甲县 (one level deeper than the rest) and a hospital
    # directly under the city; values changed at every depth, for a flow, a stock figure and an
    # average: each save refreshes the units above it from their children, and every total
    # then equals the figure computed from the stored values.
    township = testing.org(city.county_a, "C01AT", "甲镇", Level.TOWNSHIP)
    clinic = testing.org(township, "C01AT1", "甲镇村卫生室", Level.INSTITUTION)
    city_hospital = testing.org(city.city, "C0109", "市直医院", Level.INSTITUTION)
    put(mixed["visits"], clinic, "202402", 40)
    put(mixed["beds"], city_hospital, "2024Q3", 600)
    services.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        dv = mixed["visits"].datavalue_set.get(org_unit=clinic, period__code="202402")
        dv.value = 41
        dv.save()
    with django_capture_on_commit_callbacks(execute=True):
        put(mixed["visits"], city_hospital, "202407", 900)
        put(mixed["beds"], clinic, "2024Q4", 8)
    with django_capture_on_commit_callbacks(execute=True):
        put(mixed["daily"], township, "202403", 12)
        own = mixed["visits"].datavalue_set.get(org_unit=city.county_b, period__code="2024")
        own.value = 80
        own.save()
    from weijian.orgs.models import OrgUnit

    units = list(OrgUnit.objects.filter(numchild__gt=0))
    elements = [mixed["visits"], mixed["beds"], mixed["people"], mixed["daily"]]
    codes = services.standard_codes(2024)
    assert aggregate.element_grid(elements, units, codes) == aggregate.element_grid(
        elements, units, codes, raw=True
    )
    assert (
        aggregate.value(mixed["visits"], city.city, "2024Q1").value
        == (
            aggregate.element_grid([mixed["visits"]], [city.city], ["2024Q1"], raw=True)[
                (city.city.pk, "2024Q1")
            ]["OPD"]
        )
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer: two refreshes cannot overlap there"
)
def test_two_saves_in_different_counties_at_once_both_reach_the_city_total(city, mixed, monkeypatch):
    # Each save's refresh reads the other county's total to sum the city's. Two refreshes
    # running at once must not each sum the other's old total (the last to write would drop
    # the other's change): they queue on the totals' lock. The pause widens the window.
    import threading
    import time

    from django.db import connections

    services.rebuild()
    before = aggregate.value(mixed["visits"], city.city, "202403").value
    real = aggregate.element_grid

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services.aggregate, "element_grid", slow)
    from weijian.data.models import DataValue

    DataValue.objects.filter(element=mixed["visits"], org_unit=city.hospital_a, period__code="202403").update(
        value=F("value") + 100
    )
    DataValue.objects.filter(element=mixed["visits"], org_unit=city.hospital_b, period__code="202403").update(
        value=F("value") + 7
    )
    period = mixed["visits"].datavalue_set.filter(period__code="202403").first().period_id
    errors = []

    def save(unit):
        try:
            services.refresh([mixed["visits"].pk], [period], [unit.pk])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(u,)) for u in (city.hospital_a, city.hospital_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.setattr(services.aggregate, "element_grid", real)
    assert not errors
    assert aggregate.value(mixed["visits"], city.city, "202403").value == before + 107
