"""Shared fixtures: a small city and one user per role (see weijian.testing)."""

import pytest

from weijian import testing


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is slow on purpose; fixtures create several users per test. The project's own
    # setting is checked in accounts/tests/test_passwords.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
