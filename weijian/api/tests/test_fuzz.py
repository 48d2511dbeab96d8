"""Every endpoint of the OpenAPI schema, fed hostile parameters and bodies, answers with a
Chinese message and a 4xx, never a 500: huge integers in the path and the query (`?offset=10**50`,
`?org=99999999999999999999`), far-away periods (`period=1900`), deeply nested JSON, integers of
5 000 digits."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

HUGE = "1" + "0" * 50
HOSTILE_PARAMS = [
    HUGE,
    "9" * 5000,
    "99999999999999999999",
    "-99999999999999999999",
    "1900",
    "0",
    "abc",
    "２０２５",
    "1e309",
]
DEEP = "[" * 100_000 + "]" * 100_000
DIGITS = "{" + '"value": ' + "9" * 5000 + "}"
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
HOSTILE_BODIES = [
    DEEP,
    DEEP_OBJECT,
    DIGITS,
    "[" + DIGITS + "]",
    '[{"element": "HTN_MGD", "org_unit": "C01A01", "period": "1900", "value": "1"}]',
    '[{"element": "HTN_MGD", "org_unit": "C01A01", "period": 1' + "0" * 5000 + ', "value": 1}]',
    '{"plan": ' + HUGE + ', "org_unit": ' + HUGE + ', "year": ' + HUGE + "}",
]

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, op in item.items():
            params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
            yield path, method.upper(), [p["name"] for p in params]


def _assert_answered(response, what: str) -> None:
    what = what if len(what) < 200 else what[:200] + "…"
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert _CHINESE.search(response.json().get("detail", "")), f"{what}: {response.json()}"


@pytest.fixture
def admin_api(users, reporting):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(users["admin"])
    return api


def test_the_schema_lists_the_endpoints(db):
    paths = {path for path, _m, _p in _operations()}
    assert {"/api/datavalues/", "/api/analytics/", "/api/orgunits/{code}/"} <= paths
    assert any(p.startswith("/api/plans/") for p in paths)


# Sensible values for every parameter, so that each hostile value reaches the code behind the
# checks of the others (a bad target would otherwise answer before a bad period is read).
BASELINE = {
    "target": "HTN_RATE",
    "org_unit": "C01",
    "period": "2024",
    "element": "HTN_MGD",
    "subtree": "1",
    "level": "3",
    "parent": "C01",
    "q": "甲",
    "plan": "1",
    "mine": "1",
}


@pytest.mark.parametrize("value", HOSTILE_PARAMS)
def test_hostile_query_and_path_parameters_get_a_4xx_in_chinese(admin_api, value):
    for path, method, query in _operations():
        if method != "GET":
            continue
        url = re.sub(r"\{[^}]+\}", value, path)
        params = {
            name: value for name in [*query, "limit", "offset", "page", "org", "plan", "period", "year"]
        }
        _assert_answered(admin_api.get(url, params), f"GET {url} {value}")
        if "{" in path:
            continue
        base = {name: BASELINE.get(name, "1") for name in query}
        for name in [*query, "limit", "offset"]:
            params = {**base, name: value}
            _assert_answered(admin_api.get(path, params), f"GET {path} {params}")


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=lambda b: b[:24])
def test_hostile_bodies_get_a_4xx_in_chinese(admin_api, body):
    for path, method, _query in _operations():
        if method not in {"POST", "PUT", "PATCH"}:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = admin_api.generic(method, url, body, content_type="application/json")
        _assert_answered(response, f"{method} {url} {body[:30]}")


def test_token_endpoint_takes_hostile_bodies_too(db):
    api = APIClient(raise_request_exception=False)
    for body in HOSTILE_BODIES[:4]:
        _assert_answered(api.post("/api/token/", body, content_type="application/json"), body[:20])
