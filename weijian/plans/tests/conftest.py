import pytest

from weijian.plans.tests import helpers


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cat(db):
    return helpers.catalogue()


@pytest.fixture
def plan(city, users, cat):
    return helpers.make_plan(users["admin"], city)
