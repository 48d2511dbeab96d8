"""Shared fixtures: a small city and one user per role (see weijian.testing)."""

import pytest

from weijian import testing


@pytest.fixture
def city(db):
    return testing.make_city()


@pytest.fixture
def users(city):
    return testing.make_users(city)
