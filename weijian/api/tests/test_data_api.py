"""Data values, aggregation, imports and the catalogue through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from weijian.data.models import DataValue, DataValueAudit, ValidationRule
from weijian.indicators.models import Indicator
from weijian.orgs.models import OrgUnit


@pytest.fixture
def api():
    return APIClient()


def test_data_values_filter_by_element_unit_and_period(api, users, reporting):
    api.force_authenticate(users["leader"])
    body = api.get("/api/datavalues/?element=HTN_MGD&org_unit=C01A01&period=202401").json()
    assert body["count"] == 1
    assert body["results"][0]["value"] == "120.0000" and body["results"][0]["period"] == "202401"
    subtree = api.get("/api/datavalues/?element=HTN_MGD&org_unit=C01A&period=202401&subtree=1").json()
    assert subtree["count"] == 2


def test_bad_period_filter_is_a_json_400(api, users, reporting):
    api.force_authenticate(users["leader"])
    response = api.get("/api/datavalues/?period=24Q9")
    assert response.status_code == 400 and "“24Q9”不是有效的期间编码" in response.json()["detail"]


def test_bulk_post_saves_all_rows_with_audit(api, users, reporting):
    api.force_authenticate(users["county"])
    rows = [
        {"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": "12"},
        {"element": "HTN_ALL", "org_unit": "C01A02", "period": "202405", "value": 30},
    ]
    response = api.post("/api/datavalues/", rows, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["saved"] == 2
    assert DataValue.objects.filter(period__code="202405").count() == 2
    assert DataValueAudit.objects.filter(source="api").count() == 2


def test_bulk_post_with_one_bad_row_saves_nothing_and_names_rows(api, users, reporting):
    api.force_authenticate(users["county"])
    rows = [
        {"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": "12"},
        {"element": "NOPE", "org_unit": "C01A01", "period": "2024-05", "value": "x"},
    ]
    response = api.post("/api/datavalues/", rows, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(2, "element"), (2, "period"), (2, "value")}
    assert not DataValue.objects.filter(period__code="202405").exists()


def test_rule_breach_from_save_values_is_reported_by_row(api, users, reporting):
    ValidationRule.objects.create(
        code="R1",
        name="规范管理不超过管理",
        left="HTN_MGD",
        operator="<=",
        right="HTN_ALL",
        message="规范管理人数不能超过管理人数",
    )
    api.force_authenticate(users["county"])
    rows = [
        {"element": "HTN_MGD", "org_unit": "C01A01", "period": "202405", "value": 50},
        {"element": "HTN_ALL", "org_unit": "C01A01", "period": "202405", "value": 20},
    ]
    response = api.post("/api/datavalues/", rows, format="json")
    assert response.status_code == 400
    assert "规范管理人数不能超过管理人数" in response.json()["detail"]
    assert not DataValue.objects.filter(period__code="202405").exists()


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("a,b", "text/csv"),
        ("[]", "application/json"),
        ('{"values": "x"}', "application/json"),
        ("[1, 2]", "application/json"),
    ],
)
def test_malformed_posts_answer_json_400_in_chinese(api, users, reporting, body, content_type):
    api.force_authenticate(users["county"])
    response = api.generic("POST", "/api/datavalues/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail)


def test_analytics_gives_value_parts_change_and_breakdown(api, users, reporting):
    api.force_authenticate(users["leader"])
    body = api.get("/api/analytics/?target=HTN_RATE&org_unit=C01&period=2024").json()
    assert body["figure"]["numerator"] == "400" and body["figure"]["denominator"] == "1000"
    assert body["figure"]["value"] == "40"
    assert body["figure"]["text"] == "40.00%"
    assert body["yoy"]["kind"] == "points" and body["yoy"]["text"] == "提高20.40个百分点"
    assert [(r["org_unit"], r["rank"], r["text"]) for r in body["breakdown"]] == [
        ("C01A", 1, "60.00%"),
        ("C01B", 2, "10.00%"),
    ]


@pytest.mark.parametrize(
    "query,field",
    [
        ("org_unit=C01&period=2024", "target"),
        ("target=NOPE&org_unit=C01&period=2024", "target"),
        ("target=HTN_RATE&org_unit=C01&period=20244", "period"),
    ],
)
def test_analytics_bad_parameters_are_named(api, users, reporting, query, field):
    api.force_authenticate(users["leader"])
    response = api.get(f"/api/analytics/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_import_upload_returns_every_rejected_row(api, users, reporting):
    api.force_authenticate(users["county"])
    text = "数据元编码,机构编码,期间,数值\nHTN_MGD,C01A01,202405,10\nHTN_MGD,C01A01,202406,abc\nXX,C01A01,202406,1\n"
    response = api.post(
        "/api/imports/",
        {"file": SimpleUploadedFile("五月.csv", text.encode()), "partial": "true"},
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "partial" and body["rows_applied"] == 1
    assert [e["row"] for e in body["errors"]] == [3, 4]


def test_import_without_file_is_a_json_400(api, users, reporting):
    api.force_authenticate(users["county"])
    response = api.post("/api/imports/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["detail"]


def test_admin_creates_an_institution_under_a_county(api, users, reporting):
    api.force_authenticate(users["admin"])
    response = api.post(
        "/api/orgunits/",
        {"code": "C01A03", "name": "甲县中医院", "level": 5, "parent": "C01A", "inst_type": "tcm"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == "C01A"
    assert OrgUnit.objects.get(code="C01A03").path.startswith(OrgUnit.objects.get(code="C01A").path)


def test_org_list_carries_parent_codes(api, users, reporting):
    api.force_authenticate(users["county"])
    parents = {u["code"]: u["parent"] for u in api.get("/api/orgunits/").json()["results"]}
    assert parents == {"C01A": "C01", "C01A01": "C01A", "C01A02": "C01A"}


def test_indicator_formula_must_name_known_elements(api, users, reporting):
    api.force_authenticate(users["admin"])
    response = api.post(
        "/api/indicators/",
        {"code": "X", "name": "坏指标", "numerator": "HTN_MGD +", "unit": "%"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "numerator"
    response = api.patch("/api/indicators/HTN_RATE/", {"denominator": "NOPE"}, format="json")
    assert "NOPE" in response.json()["errors"][0]["reason"]
    assert Indicator.objects.get(code="HTN_RATE").denominator == "HTN_ALL"


def test_deleting_an_element_in_use_is_a_409(api, users, reporting):
    api.force_authenticate(users["admin"])
    response = api.delete("/api/dataelements/HTN_MGD/")
    assert response.status_code == 409 and "不能删除" in response.json()["detail"]


def test_import_as_json_is_an_unsupported_media_type(api, users, reporting):
    api.force_authenticate(users["county"])
    response = api.post("/api/imports/", {"file": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["detail"].startswith("不支持的请求内容类型")
