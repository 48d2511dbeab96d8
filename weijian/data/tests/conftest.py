import pytest


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    # The users fixture hashes six passwords; Argon2 makes that the slowest part of these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
