"""The assessment API: the same scope as the pages, refusals in Chinese JSON."""

import pytest
from rest_framework.test import APIClient

from weijian.assessment import workflow
from weijian.assessment.models import Appeal, ItemScore, Result, Stage
from weijian.assessment.tests import helpers


@pytest.fixture
def scheme(city, users, reviewer, year):
    s = helpers.scheme(city, users["admin"], year, reviewers=[reviewer])
    helpers.to_stage(s, users["admin"], Stage.REVIEW)
    return s


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _result(scheme, unit):
    return Result.objects.get(scheme=scheme, org_unit=unit)


def test_results_list_is_scoped(scheme, city, users):
    rows = _api(users["county"]).get("/api/assessment/results/").json()
    units = [r["unit"] for r in (rows["results"] if isinstance(rows, dict) else rows)]
    assert units == ["甲县"]
    assert all(r["rank"] is None for r in (rows["results"] if isinstance(rows, dict) else rows))
    admin_rows = _api(users["admin"]).get("/api/assessment/results/").json()
    assert len(admin_rows["results"] if isinstance(admin_rows, dict) else admin_rows) == 2


def test_county_cannot_read_another_countys_result(scheme, city, users):
    other = _result(scheme, city.county_b)
    r = _api(users["county"]).get(f"/api/assessment/results/{other.pk}/")
    assert r.status_code == 404 and "未找到" in r.json()["detail"]
    own = _api(users["county"]).get(f"/api/assessment/results/{_result(scheme, city.county_a).pk}/").json()
    assert own["unit"] == "甲县" and "rank" not in own
    assert {"points", "computation", "value", "target", "numerator", "denominator", "rule"} <= set(
        own["items"][0]
    )


def test_report_needs_the_ranking_right(scheme, users, reviewer):
    assert _api(users["county"]).get(f"/api/assessment/schemes/{scheme.pk}/report/").status_code == 403
    data = _api(reviewer).get(f"/api/assessment/schemes/{scheme.pk}/report/").json()
    assert [u["unit"] for u in data["units"]] and all("rank" in u for u in data["units"])


def test_scheme_detail_lists_items_with_rules(scheme, users):
    data = _api(users["admin"]).get(f"/api/assessment/schemes/{scheme.pk}/").json()
    assert [i["num"] for i in data["items"]] == ["1", "2", "3", "4", "5"]
    assert data["items"][0]["rule"]["kind"] == "threshold" and "95%" in data["items"][0]["criterion"]


def test_review_through_the_api(scheme, city, users, reviewer):
    r = _result(scheme, city.county_a)
    item = scheme.items.get(num="3")
    refused = _api(users["county"]).post(
        f"/api/assessment/results/{r.pk}/review/",
        {"item": item.pk, "level": "好", "reason": "自评"},
        format="json",
    )
    assert refused.status_code == 403 and "不是本方案的审核人员" in refused.json()["detail"]
    bad = _api(reviewer).post(
        f"/api/assessment/results/{r.pk}/review/",
        {"item": item.pk, "points": "abc", "reason": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "应为数字" in bad.json()["detail"]
    ok = _api(reviewer).post(
        f"/api/assessment/results/{r.pk}/review/",
        {"item": item.pk, "level": "较好", "reason": "制度健全"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["points"] == "8"
    missing = _api(reviewer).post(
        f"/api/assessment/results/{r.pk}/review/",
        {"item": 99999, "level": "好", "reason": "x"},
        format="json",
    )
    assert missing.status_code == 400 and "不在该单位的得分中" in missing.json()["detail"]


def test_appeal_through_the_api(scheme, city, users, reviewer):
    for unit in (city.county_a, city.county_b):
        s = ItemScore.objects.get(result__scheme=scheme, result__org_unit=unit, item__num="3")
        workflow.review(reviewer, s, level="一般", reason="一般")
    helpers.to_stage(scheme, users["admin"], Stage.PREVIEW)
    own, other = _result(scheme, city.county_a), _result(scheme, city.county_b)
    item = scheme.items.get(num="3")
    assert (
        _api(users["county"])
        .post(f"/api/assessment/results/{other.pk}/appeal/", {"item": item.pk, "text": "x"}, format="json")
        .status_code
        == 404
    )
    empty = _api(users["county"]).post(
        f"/api/assessment/results/{own.pk}/appeal/", {"item": item.pk, "text": ""}, format="json"
    )
    assert empty.status_code == 400 and "申诉理由" in empty.json()["detail"]
    not_unit = _api(reviewer).post(
        f"/api/assessment/results/{own.pk}/appeal/", {"item": item.pk, "text": "代申诉"}, format="json"
    )
    assert not_unit.status_code == 403
    ok = _api(users["county"]).post(
        f"/api/assessment/results/{own.pk}/appeal/", {"item": item.pk, "text": "台账已补齐"}, format="json"
    )
    assert ok.status_code == 201 and Appeal.objects.get().text == "台账已补齐"


def test_anonymous_gets_401(scheme):
    r = APIClient().get("/api/assessment/results/")
    assert r.status_code in (401, 403) and "detail" in r.json()
