import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reviewer(db):
    from weijian import testing
    from weijian.accounts.models import Role
    from weijian.orgs.models import Department

    dept, _ = Department.objects.get_or_create(name="规划发展与信息化科")
    return testing.make_user("t_reviewer", Role.DEPARTMENT, department=dept)


@pytest.fixture
def year():
    from django.utils import timezone

    return timezone.localdate().year - 1
