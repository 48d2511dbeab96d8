"""Numerator ≤ denominator and part ≤ whole come from the catalogue: refused on the form, the API
and imports, named in Chinese, and only when every operand of the rule has a value."""

from decimal import Decimal

import pytest

from weijian import testing
from weijian.data import validation
from weijian.data.entry import DataError, save_values
from weijian.data.imports import import_file
from weijian.data.models import DataValue, ValidationRule
from weijian.data.tests.helpers import put
from weijian.indicators.catalogue import load_catalogue
from weijian.indicators.models import DataElement, Indicator


@pytest.fixture
def pathway(db):
    entered = testing.element("PW_IN", "进入临床路径的出院患者数", "人")
    completed = testing.element("PW_DONE", "完成临床路径的出院患者数", "人")
    testing.indicator("PW_RATE", "临床路径完成率", "PW_DONE", "PW_IN", 100, "%", bounded=True)
    return entered, completed


def test_a_rate_over_100_percent_is_refused_naming_the_elements_in_chinese(city, users, pathway):
    entered, completed = pathway
    rows = [
        (entered, city.hospital_a, "202403", Decimal(100)),
        (completed, city.hospital_a, "202403", Decimal(150)),
    ]
    with pytest.raises(DataError) as caught:
        save_values(users["inst"], rows, source="form")
    reasons = [p.reason for p in caught.value.problems]
    assert len(reasons) == 2  # both fields are shown: either may be the wrong one
    assert "临床路径完成率的分子不能大于分母，不能超过100%" in reasons[0]
    assert "“完成临床路径的出院患者数” = 150" in reasons[0]
    assert "“进入临床路径的出院患者数” = 100" in reasons[0]
    assert "PW_DONE" not in reasons[0] and "PW_IN" not in reasons[0]
    assert not DataValue.objects.exists()


def test_the_rate_check_reads_the_value_already_stored(city, users, pathway):
    entered, completed = pathway
    put(entered, city.hospital_a, "202403", 80)
    with pytest.raises(DataError, match="临床路径完成率"):
        save_values(users["inst"], [(completed, city.hospital_a, "202403", Decimal(81))], source="api")
    assert save_values(users["inst"], [(completed, city.hospital_a, "202403", Decimal(80))], source="api")


def test_ratios_and_per_population_figures_may_exceed_their_denominator(city, users):
    doctors = testing.element("DOC", "执业(助理)医师数", "人")
    nurses = testing.element("NUR", "注册护士数", "人")
    beds = testing.element("BED", "实有床位数", "张")
    pop = testing.element("POP", "常住人口", "人")
    testing.indicator("DN", "医护比", "NUR", "DOC", 1, "", bounded=False)
    testing.indicator("BP", "每千人口床位数", "BED * 1000", "POP", 1, "张", bounded=False)
    rows = [
        (doctors, city.hospital_a, "2024", Decimal(100)),
        (nurses, city.hospital_a, "2024", Decimal(300)),
        (beds, city.hospital_a, "2024", Decimal(500)),
        (pop, city.hospital_a, "2024", Decimal(100)),
    ]
    assert save_values(users["inst"], rows, source="form").created == 4


def test_a_part_may_not_exceed_its_whole(city, users):
    testing.element("BEDS_ALL", "实有床位数", "张")
    paed = testing.element("BEDS_KIDS", "儿科实有床位数", "张", part_of=["BEDS_ALL"])
    put(DataElement.objects.get(code="BEDS_ALL"), city.hospital_a, "2024", 40)
    with pytest.raises(DataError) as caught:
        save_values(users["inst"], [(paed, city.hospital_a, "2024", Decimal(41))], source="form")
    reason = caught.value.problems[0].reason
    assert "“儿科实有床位数”是“实有床位数”的一部分，不能大于它" in reason
    assert "BEDS_" not in reason


def test_a_rule_over_a_sum_waits_until_every_operand_is_filled(city, users):
    a = testing.element("OPD_R", "门急诊收入", "万元", value_type="number")
    b = testing.element("INP_R", "住院收入", "万元", value_type="number")
    total = testing.element("MED_R", "医疗收入", "万元", value_type="number")
    ValidationRule.objects.create(
        code="SUM", name="收入构成", left="OPD_R + INP_R", operator="<=", right="MED_R"
    )
    # Half-filled: 住院收入 is not in yet, so the sum cannot be judged and nothing blocks the save.
    half = [(a, city.hospital_a, "202403", Decimal(120)), (total, city.hospital_a, "202403", Decimal(100))]
    assert save_values(users["inst"], half, source="form").created == 2
    with pytest.raises(DataError) as caught:
        save_values(users["inst"], [(b, city.hospital_a, "202403", Decimal(1))], source="form")
    assert "“门急诊收入” + “住院收入” = 121" in caught.value.problems[0].reason


def test_the_national_catalogue_bounds_shares_but_not_ratios(db):
    load_catalogue()
    bounded = set(Indicator.objects.filter(bounded=True).values_list("code", flat=True))
    assert {"PATHWAY_COMPLETION_RATE", "FD_COVERAGE", "SURG_L3L4_SHARE", "IMM_RATE"} <= bounded
    # Ratios, per-population figures and a rate that passes 100% with extra beds are not.
    assert not bounded & {
        "DOCTOR_NURSE_RATIO",
        "BEDS_PER_1000",
        "SEX_RATIO_AT_BIRTH",
        "BED_OCCUPANCY",
        "ALOS",
    }
    assert DataElement.objects.get(code="BEDS_PAEDIATRIC").part_of == ["BEDS_ACTUAL"]
    rules = {(r.left, r.right) for r in validation.catalogue_rules()}
    assert ("PATHWAY_COMPLETED", "PATHWAY_ENTERED") in rules and ("BEDS_PAEDIATRIC", "BEDS_ACTUAL") in rules
    assert ("NURSES", "DOCTORS") not in rules


def test_an_import_and_the_api_apply_the_catalogue_rules_too(city, users, client):
    load_catalogue()
    data = (
        "数据元编码,机构编码,期间,数值\n"
        f"PATHWAY_ENTERED,{city.hospital_a.code},202403,100\n"
        f"PATHWAY_COMPLETED,{city.hospital_a.code},202403,150\n"
    ).encode()
    result = import_file(data, "路径.csv", users["inst"])
    assert result.rows_applied == 0
    assert any("临床路径完成率的分子不能大于分母" in p.reason for p in result.errors)
    client.force_login(users["inst"])
    body = [
        {"element": "PATHWAY_ENTERED", "org_unit": city.hospital_a.code, "period": "202403", "value": "100"},
        {
            "element": "PATHWAY_COMPLETED",
            "org_unit": city.hospital_a.code,
            "period": "202403",
            "value": "150",
        },
    ]
    response = client.post("/api/datavalues/", body, content_type="application/json")
    assert response.status_code == 400
    assert "临床路径完成率的分子不能大于分母" in response.json()["detail"]
    assert not DataValue.objects.exists()
