"""Token issue, the OpenAPI schema and its local Swagger UI, unknown paths."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from weijian import testing


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_token_is_issued_and_authenticates(users, reporting):
    api = APIClient()
    response = api.post("/api/token/", {"username": "t_county", "password": testing.PASSWORD}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    codes = {u["code"] for u in api.get("/api/orgunits/").json()["results"]}
    assert "C01A" in codes and "C01B" not in codes


def test_wrong_password_is_a_json_400_in_chinese(users):
    response = APIClient().post("/api/token/", {"username": "t_county", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "用户名或密码不正确"


def test_token_requests_are_throttled(users):
    api = APIClient()
    # Different names each time, so that it is the throttle, not the lockout, that answers.
    codes = [
        api.post("/api/token/", {"username": f"guess{i}", "password": "x"}, format="json").status_code
        for i in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429


def test_repeated_failures_lock_the_username(users):
    api = APIClient()
    for _ in range(5):
        api.post("/api/token/", {"username": "t_county", "password": "wrong"}, format="json")
    response = api.post("/api/token/", {"username": "t_county", "password": testing.PASSWORD}, format="json")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]


def test_bad_token_is_refused_with_a_chinese_detail(users):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    response = api.get("/api/orgunits/")
    # 403 rather than 401: session authentication comes first and sends no WWW-Authenticate.
    assert response.status_code in (401, 403) and "身份验证失败" in response.json()["detail"]


def test_schema_and_swagger_ui_are_served_locally(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/analytics/" in schema.content
    docs = client.get("/api/docs/")
    page = docs.content.decode()
    assert docs.status_code == 200 and "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"].startswith("没有这个接口地址")
