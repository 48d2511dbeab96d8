"""Throttles and lockouts count the client's real address: a new X-Forwarded-For per request
does not buy new tries. The number of trusted proxies comes from the configuration."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from weijian import testing
from weijian.web.client_ip import client_ip


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _token(api, i: int, forwarded: str):
    return api.post(
        "/api/token/",
        {"username": f"guess{i}", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_rotating_x_forwarded_for_is_still_throttled(db):
    api = APIClient()
    codes = [_token(api, i, f"198.51.100.{i}") for i in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_behind_one_proxy_the_address_it_adds_counts_not_what_the_client_wrote(db, settings):
    settings.NUM_PROXIES = 1
    api = APIClient()
    # The client writes anything it likes in front; our proxy appends the address it saw.
    codes = [_token(api, i, f"10.0.0.{i}, 203.0.113.7") for i in range(11)]
    assert codes[10] == 429
    # Another client behind the same proxy has its own count.
    assert _token(api, 99, "203.0.113.8") == 400


def test_the_default_trusts_no_header():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="192.0.2.1")
    assert client_ip(request) == "192.0.2.1"


def test_lockout_is_not_escaped_by_rotating_the_header(users):
    api = APIClient()
    for i in range(5):
        api.post(
            "/api/token/",
            {"username": "t_county", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    response = api.post(
        "/api/token/",
        {"username": "t_county", "password": testing.PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
