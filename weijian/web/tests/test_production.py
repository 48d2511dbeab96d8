"""Production settings and error pages: `check --deploy` is clean with the defaults of DEBUG off,
pages carry a Content-Security-Policy without inline script, error pages are styled Chinese
pages (the 500 page without a database), and hostile parameters get a 400, not a 500."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from weijian import testing

ROOT = Path(__file__).resolve().parents[3]


def _deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    clean.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        WEIJIAN_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="wjw.example.gov.cn",
        **env,
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "weijian",
            "check",
            "--deploy",
            "--tag",
            "security",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_debug_off(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_turning_the_production_defaults_off_is_reported(tmp_path):
    result = _deploy_check(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stdout + result.stderr


def test_pages_send_a_csp_and_hold_no_inline_script(client, users, reporting):
    client.force_login(users["county"])
    for url in ["/", "/data/entry/", "/analysis/?target=HTN_RATE&org_unit=C01A&period=2024", "/orgs/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
        html = response.content.decode()
        inline = [
            s
            for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
            if 'type="application/json"' not in s
        ]
        assert not inline, f"{url}: inline <script{inline[0]}>"
        assert not re.search(r"\son[a-z]+=\"", html), f"{url}: inline event handler"


def test_unknown_page_is_a_styled_chinese_404(client, users):
    client.force_login(users["county"])
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in html and "weijian.css" in html and "Resolver404" not in html


def test_a_views_own_refusal_reads_on_the_404_page(client, users):
    client.force_login(users["county"])
    response = client.get("/orgs/C01B/")  # another county: refused as if it did not exist
    assert response.status_code == 404
    assert "没有这个机构，或不在您的权限范围内" in response.content.decode()
    assert "乙区" not in response.content.decode()


def test_the_500_page_needs_no_database_and_no_user():
    # No `db` fixture: any query made while rendering would fail the test.
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器处理请求时出错" in html and "weijian.css" in html


def test_a_failed_csrf_check_is_explained_in_chinese(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "t_county", "password": testing.PASSWORD})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "CSRF" in html and "weijian.css" in html


@pytest.mark.parametrize("param", ["org_unit", "page", "org", "period"])
def test_a_huge_integer_in_a_page_parameter_is_a_400(client, users, param):
    client.force_login(users["admin"])
    response = client.get("/analysis/", {param: "9" * 30})
    assert response.status_code == 400
    assert "超出范围" in response.content.decode()


def test_the_target_split_fragment_escapes_the_key(client, users, city):
    from weijian.plans.tests import helpers

    helpers.catalogue()
    draft = helpers.draft_for(users["admin"], 2025)
    client.force_login(users["admin"])
    key = '"><img src=x onerror=alert(1)>'
    response = client.post(reverse("plans:draft_split", args=[draft.pk, key]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
