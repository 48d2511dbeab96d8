from weijian.accounts import scope
from weijian.orgs.models import OrgUnit


def test_county_user_reads_only_its_own_subtree(city, users):
    names = set(OrgUnit.objects.for_user(users["county"]).values_list("name", flat=True))
    assert names == {"甲县", "甲县人民医院", "甲镇卫生院"}


def test_institution_user_reads_only_its_institution(city, users):
    assert list(OrgUnit.objects.for_user(users["inst"])) == [city.hospital_a]


def test_leader_and_department_read_everything_but_enter_nothing(city, users):
    for role in ("leader", "dept"):
        assert OrgUnit.objects.for_user(users[role]).count() == OrgUnit.objects.count()
        assert not scope.can_write_org(users[role], city.hospital_a)


def test_county_user_cannot_write_another_county(city, users):
    assert scope.can_write_org(users["county"], city.clinic_a)
    assert not scope.can_write_org(users["county"], city.hospital_b)
    assert not scope.can_read_org(users["county"], city.city)


def test_user_without_org_sees_nothing(city, db):
    from weijian.testing import make_user

    lost = make_user("nobody", "county")
    assert OrgUnit.objects.for_user(lost).count() == 0
