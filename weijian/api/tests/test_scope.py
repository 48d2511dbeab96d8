"""Every API endpoint: anonymous callers get 401/403 JSON (never a login redirect); a user
outside the scope gets 404 or an empty list, never the data."""

import pytest
from rest_framework.test import APIClient

ENDPOINTS = [
    ("get", "/api/orgunits/"),
    ("get", "/api/orgunits/C01A/"),
    ("get", "/api/dataelements/"),
    ("get", "/api/indicators/"),
    ("get", "/api/datavalues/"),
    ("post", "/api/datavalues/"),
    ("get", "/api/analytics/?target=HTN_RATE&org_unit=C01&period=2024"),
    ("get", "/api/imports/"),
    ("post", "/api/imports/"),
]


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_anonymous_caller_gets_json_401(api, reporting, method, url):
    response = getattr(api, method)(url)
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert "未登录" in response.json()["detail"]


def test_county_user_lists_only_its_subtree(api, users, reporting):
    api.force_authenticate(users["county"])
    codes = {u["code"] for u in api.get("/api/orgunits/").json()["results"]}
    assert codes == {"C01A", "C01A01", "C01A02"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/orgunits/C01B/",
        "/api/orgunits/C01/",
        "/api/orgunits/C01B01/",
        "/api/analytics/?target=HTN_RATE&org_unit=C01B&period=2024",
    ],
)
def test_county_user_gets_404_outside_its_county(api, users, reporting, url):
    api.force_authenticate(users["county"])
    response = api.get(url)
    assert response.status_code == 404
    assert "乙区" not in response.content.decode()


def test_data_values_of_another_county_are_not_listed(api, users, reporting):
    api.force_authenticate(users["county"])
    body = api.get("/api/datavalues/?org_unit=C01B01").json()
    assert body["count"] == 0
    everything = api.get("/api/datavalues/?limit=1000").json()["results"]
    assert everything and {v["org_unit"] for v in everything} == {"C01A01", "C01A02"}


def test_county_user_cannot_write_another_countys_values(api, users, reporting):
    api.force_authenticate(users["county"])
    response = api.post(
        "/api/datavalues/",
        [{"element": "HTN_MGD", "org_unit": "C01B01", "period": "202405", "value": 3}],
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "row": 1,
        "field": "org_unit",
        "reason": "第1行机构：机构编码“C01B01”不存在或您无权为它填报",
    }


@pytest.mark.parametrize(
    "method,url,body",
    [
        ("post", "/api/orgunits/", {"code": "X1", "name": "新机构", "level": 5, "parent": "C01A"}),
        ("patch", "/api/orgunits/C01A01/", {"beds": 1}),
        ("post", "/api/dataelements/", {"code": "NEW", "name": "新数据元"}),
        ("patch", "/api/indicators/HTN_RATE/", {"name": "改名"}),
        ("delete", "/api/indicators/HTN_RATE/", None),
    ],
)
def test_only_admin_changes_orgs_and_catalogue(api, users, reporting, method, url, body):
    api.force_authenticate(users["county"])
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "没有权限执行此操作"


def test_import_jobs_of_others_are_not_listed(api, users, reporting):
    from weijian.data.imports import import_file

    import_file(
        "数据元编码,机构编码,期间,数值\nHTN_MGD,C01B01,202405,7\n".encode(), "乙区.csv", users["other_county"]
    )
    api.force_authenticate(users["county"])
    assert api.get("/api/imports/").json() == []
