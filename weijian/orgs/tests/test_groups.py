"""The standard org groups are rebuilt from the registry, and the org admin is for staff only."""

from weijian.orgs.groups import rebuild_standard_groups
from weijian.orgs.models import Level, OrgGroup, OrgUnit


def add(parent_code: str, code: str, name: str, **attrs) -> OrgUnit:
    parent = OrgUnit.objects.get(code=parent_code)
    return OrgUnit.objects.add_child(
        parent, {"code": code, "name": name, "level": Level.INSTITUTION, **attrs}
    )


def members(code: str) -> set[str]:
    return set(OrgGroup.objects.get(code=code).members.values_list("code", flat=True))


def test_secondary_public_hospitals_and_medical_community(city):
    add("C01A", "C01A03", "甲县民营医院", inst_type="private", grade="2", ownership="private", beds=100)
    add("C01", "C0101", "示例市第一人民医院", inst_type="general", grade="3", ownership="public", beds=1500)
    add("C01A02", "C01A0201", "甲镇一村卫生室", inst_type="village", grade="0", ownership="public")
    counts = rebuild_standard_groups()
    assert members("SECONDARY_PUBLIC_HOSPITALS") == {"C01A01", "C01B01", "C0101"}
    # County hospitals and primary care belong to the county medical community; city hospitals and
    # private hospitals do not.
    assert members("MEDICAL_COMMUNITY") == {"C01A01", "C01A02", "C01A0201", "C01B01", "C01B02"}
    assert counts == {"二级以上公立医院": 3, "医共体成员": 5}


def test_rebuilding_follows_changes_and_never_duplicates(city):
    rebuild_standard_groups()
    OrgUnit.objects.filter(code="C01A01").update(grade="1")
    rebuild_standard_groups()
    assert OrgGroup.objects.filter(code="SECONDARY_PUBLIC_HOSPITALS").count() == 1
    assert members("SECONDARY_PUBLIC_HOSPITALS") == {"C01B01"}


def test_org_admin_is_for_staff_only(client, users):
    client.force_login(users["county"])
    assert client.get("/admin/orgs/orgunit/").status_code == 302
    admin = users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get("/admin/orgs/orgunit/")
    assert response.status_code == 200 and "示例省" in response.content.decode()
    assert "甲县人民医院" in client.get("/admin/orgs/orgunit/", {"q": "甲县人民医院"}).content.decode()
    assert client.get("/admin/orgs/department/").status_code == 200
