from weijian import settings as project_settings
from weijian.testing import make_user


def test_passwords_are_stored_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user("hashed", "admin")
    assert user.password.startswith("argon2$")
    assert user.check_password("test-pass-123")
    assert "test-pass-123" not in user.password
