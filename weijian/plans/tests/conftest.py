import pytest

from weijian.plans.tests import helpers


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is right for people and slow for fixtures that create six users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cat(db):
    return helpers.catalogue()


@pytest.fixture
def plan(city, users, cat):
    return helpers.make_plan(users["admin"], city)
