"""Shared fixtures: a small city and one user per role (see weijian.testing)."""

import pytest

from weijian import testing


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is slow on purpose; fixtures create several users per test. The project's own
    # setting is checked in accounts/tests/test_passwords.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    # Tests talk plain HTTP to the test client and the live server; the production defaults
    # (HTTPS redirect, secure cookies, HSTS) are checked in web/tests/test_production.py.
    # Session-wide and before any server starts: SecurityMiddleware reads them once.
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached page figures are keyed by ids, which a rolled-back test may hand out again.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    return testing.make_city()


@pytest.fixture
def users(city):
    return testing.make_users(city)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Uploads made by tests (evidence, attachments, the demo's sample files) never land in var/.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
