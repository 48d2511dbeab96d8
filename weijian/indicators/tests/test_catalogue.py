"""The national catalogue: complete, consistent, loadable again and again, and linkable by name."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from weijian.indicators.catalogue import (
    CatalogueError,
    check_catalogue,
    export_catalogue,
    lexicon_entries,
    load_catalogue,
    national_catalogue,
)
from weijian.indicators.expressions import parse
from weijian.indicators.models import DataElement, Indicator
from weijian.testing import element, indicator

# The names the brief lists: each must be an indicator's name or alias.
MUST_HAVE = [
    "居民电子健康档案建档率",
    "建档率",
    "高血压患者规范管理率",
    "高血压规范管理率",
    "2型糖尿病患者规范管理率",
    "糖尿病规范管理率",
    "65岁及以上老年人健康管理率",
    "适龄儿童免疫规划疫苗接种率",
    "免疫规划疫苗接种率",
    "接种率",
    "严重精神障碍患者规范管理率",
    "严重精神障碍患者检出率",
    "肺结核患者规范管理率",
    "孕产妇系统管理率",
    "0-6岁儿童健康管理率",
    "新生儿访视率",
    "签约服务覆盖率",
    "重点人群签约服务覆盖率",
    "签约率",
    "实有床位数",
    "床位数",
    "每千常住人口医疗卫生机构床位数",
    "每千常住人口执业(助理)医师数",
    "每千常住人口注册护士数",
    "门急诊人次",
    "出院人次",
    "平均住院日",
    "三四级手术占比",
    "药占比",
    "医疗服务收入占医疗收入比例",
    "次均门诊费用",
    "人均住院费用",
    "双向转诊人次",
    "儿科床位数",
    "产科床位数",
    "精神科床位数",
    "临床路径管理病种数",
    "甲乙类传染病报告发病率",
    "孕产妇死亡率",
    "婴儿死亡率",
    "5岁以下儿童死亡率",
    "出生率",
    "出生人口性别比",
    "居民健康素养水平",
    "无偿献血人次",
    "常住人口",
    "户籍人口",
]


@pytest.fixture
def catalogue():
    return national_catalogue()


def test_national_catalogue_has_at_least_60_indicators_each_defined(catalogue):
    indicators = catalogue["indicators"]
    assert len(indicators) >= 60
    for i in indicators:
        assert len(i["definition"].strip()) >= 10, i["code"]
        assert i["category"], i["code"]


def test_every_expression_parses_and_names_catalogue_elements(catalogue):
    element_codes = {e["code"] for e in catalogue["elements"]}
    for i in catalogue["indicators"]:
        codes = set(parse(i["numerator"]).codes)
        if i["denominator"]:
            codes |= parse(i["denominator"]).codes
        assert codes, i["code"]
        assert codes <= element_codes, (i["code"], codes - element_codes)
    assert check_catalogue(catalogue) == []


def test_no_name_or_alias_belongs_to_two_indicators(catalogue):
    owner = {}
    for i in catalogue["indicators"]:
        for term in {i["name"], *i["aliases"]}:
            assert owner.setdefault(term, i["code"]) == i["code"], f"“{term}”: {owner[term]} and {i['code']}"


def test_names_a_commission_writes_are_all_present(catalogue):
    terms = {t for i in catalogue["indicators"] for t in (i["name"], *i["aliases"])}
    missing = [name for name in MUST_HAVE if name not in terms]
    assert missing == []


@pytest.mark.parametrize("unit, factor", [("%", 100), ("‰", 1000), ("1/10万", 100000)])
def test_factor_matches_the_unit(catalogue, unit, factor):
    with_unit = [i for i in catalogue["indicators"] if i["unit"] == unit]
    assert with_unit
    assert all(i["factor"] == factor and i["denominator"] for i in with_unit), [i["code"] for i in with_unit]


def test_counts_have_no_denominator_and_factor_one(catalogue):
    counts = [
        i
        for i in catalogue["indicators"]
        if i["unit"] in ("人", "人次", "张", "个") and not i["code"].endswith(("PER_1000", "PER_10000"))
    ]
    assert counts
    for i in counts:
        assert i["denominator"] == "" and i["factor"] == 1, i["code"]


def test_key_definitions_follow_the_national_formula(catalogue):
    by_name = {i["name"]: i for i in catalogue["indicators"]}
    ehr = by_name["居民电子健康档案建档率"]
    assert (ehr["numerator"], ehr["denominator"], ehr["factor"]) == ("EHR_FILED", "POP_RESIDENT", 100)
    imr = by_name["婴儿死亡率"]
    assert (imr["denominator"], imr["factor"], imr["unit"], imr["direction"]) == (
        "LIVE_BIRTHS",
        1000,
        "‰",
        "down",
    )
    assert by_name["孕产妇死亡率"]["factor"] == 100000
    assert by_name["严重精神障碍患者检出率"]["unit"] == "‰"
    assert sum(1 for i in catalogue["indicators"] if i["is_key"]) >= 5


def test_load_creates_everything_once_and_a_second_load_changes_nothing(db, catalogue):
    first = load_catalogue()
    assert first.indicators_created == len(catalogue["indicators"])
    assert first.elements_created == len(catalogue["elements"])
    second = load_catalogue()
    assert (second.indicators_created, second.indicators_updated) == (0, 0)
    assert (second.elements_created, second.elements_updated) == (0, 0)
    assert second.indicators_unchanged == len(catalogue["indicators"])
    assert Indicator.objects.count() == len(catalogue["indicators"])
    assert DataElement.objects.count() == len(catalogue["elements"])


def test_load_updates_by_code_and_leaves_local_indicators_alone(db):
    load_catalogue()
    Indicator.objects.filter(code="EHR_RATE").update(name="改过的名称", factor=Decimal(1))
    local = indicator("LOCAL_BEDS", "本地床位指标", "BEDS_ACTUAL")
    result = load_catalogue()
    assert result.indicators_updated == 1
    ehr = Indicator.objects.get(code="EHR_RATE")
    assert (ehr.name, ehr.factor) == ("居民电子健康档案建档率", Decimal(100))
    assert Indicator.objects.filter(pk=local.pk).exists()


def test_a_catalogue_with_a_bad_expression_is_refused_whole(db, catalogue):
    catalogue["indicators"][0]["numerator"] = "NO_SUCH_ELEMENT / 2"
    catalogue["indicators"][1]["denominator"] = "POP_RESIDENT **"
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(catalogue)
    text = "；".join(exc.value.problems)
    assert "NO_SUCH_ELEMENT" in text and "分母" in text
    assert Indicator.objects.count() == 0 and DataElement.objects.count() == 0


def test_an_alias_given_to_two_indicators_is_refused(catalogue):
    catalogue["indicators"][0]["aliases"].append(catalogue["indicators"][1]["name"])
    problems = check_catalogue(catalogue)
    assert any(catalogue["indicators"][1]["name"] in p and "同时属于" in p for p in problems)


def test_command_load_reports_counts_in_chinese(db):
    out = StringIO()
    call_command("catalogue", "load", stdout=out)
    assert "指标：新增" in out.getvalue()
    out = StringIO()
    call_command("catalogue", "load", stdout=out)
    assert "新增 0 个" in out.getvalue() and "未变" in out.getvalue()


def test_exported_json_loads_back_unchanged(db, tmp_path):
    load_catalogue()
    out = StringIO()
    call_command("catalogue", "export", stdout=out)
    data = json.loads(out.getvalue())
    assert {i["code"] for i in data["indicators"]} == set(Indicator.objects.values_list("code", flat=True))
    path = tmp_path / "catalogue.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = StringIO()
    call_command("catalogue", "load", "--file", str(path), stdout=result)
    assert "更新 0 个" in result.getvalue()
    assert export_catalogue() == data


def test_command_load_from_broken_file_says_where(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"elements": [', encoding="utf-8")
    with pytest.raises(CommandError, match="第1行"):
        call_command("catalogue", "load", "--file", str(path))


def test_indicator_clean_reports_expression_errors_on_the_field(db):
    element("BEDS_ACTUAL", "实有床位数")
    bad_syntax = Indicator(code="X1", name="坏公式", numerator="BEDS_ACTUAL +", factor=1)
    with pytest.raises(ValidationError) as exc:
        bad_syntax.full_clean()
    assert "numerator" in exc.value.message_dict
    unknown = Indicator(
        code="X2", name="未知数据元", numerator="BEDS_ACTUAL", denominator="NOBODY", factor=1000
    )
    with pytest.raises(ValidationError) as exc:
        unknown.full_clean()
    assert "NOBODY" in exc.value.message_dict["denominator"][0]
    Indicator(code="X3", name="好公式", numerator="BEDS_ACTUAL * 2", factor=1).full_clean()


def test_lexicon_links_every_name_and_alias_to_its_indicator(db):
    load_catalogue()
    entries = dict(lexicon_entries())
    assert entries["建档率"] == "EHR_RATE"
    assert entries["高血压规范管理率"] == "HTN_STD_RATE"
    assert entries["接种率"] == "IMM_RATE"
    assert entries["床位数"] == "BEDS"
    for code, name in Indicator.objects.values_list("code", "name"):
        assert entries[name] == code


def test_lexicon_leaves_out_an_alias_two_indicators_share(db):
    element("A", "甲")
    indicator("I1", "指标一", "A", aliases=["共同别名", "一号"])
    indicator("I2", "指标二", "A", aliases=["共同别名", "指标一"])
    entries = lexicon_entries()
    assert ("共同别名", "I1") not in entries and ("共同别名", "I2") not in entries
    assert ("指标一", "I1") in entries and ("指标一", "I2") not in entries
    assert ("一号", "I1") in entries


def test_catalogue_admin_is_for_staff_only(client, users):
    load_catalogue()
    client.force_login(users["county"])
    assert client.get("/admin/indicators/indicator/").status_code == 302
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    response = client.get("/admin/indicators/indicator/")
    assert response.status_code == 200
    assert "居民电子健康档案建档率" in response.content.decode()
