"""Org pages: the subtree as a tree, institution details, groups, admin import/export."""

from django.core.files.uploadedfile import SimpleUploadedFile

from weijian.orgs.models import OrgGroup, OrgUnit


def test_county_tree_holds_its_institutions_with_details(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/orgs/").content.decode()
    assert "甲县人民医院" in page and "甲镇卫生院" in page
    assert "综合医院" in page and "二级" in page and "300张床位" in page
    assert "乙区" not in page and "示例市" not in page


def test_groups_count_only_members_in_scope(client, users, city):
    group = OrgGroup.objects.create(code="G1", name="二级以上公立医院")
    group.members.set([city.hospital_a, city.hospital_b])
    other = OrgGroup.objects.create(code="G2", name="乙区医共体")
    other.members.set([city.hospital_b])
    client.force_login(users["county"])
    page = client.get("/orgs/").content.decode()
    assert "二级以上公立医院" in page and "乙区医共体" not in page


def test_org_detail_shows_institution_attributes(client, users, city):
    client.force_login(users["county"])
    page = client.get("/orgs/C01A01/").content.decode()
    assert "甲县人民医院" in page and "公立" in page and "300" in page


def test_admin_imports_orgs_and_sees_row_errors(client, users, city):
    client.force_login(users["admin"])
    bad = "编码,名称,上级编码,层级\nC01A03,甲县中医院,C01A,机构\nC01A04,,NOPE,机构\n".encode()
    response = client.post("/orgs/io/", {"file": SimpleUploadedFile("机构.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "行号" in page and "原因" in page
    assert not OrgUnit.objects.filter(code="C01A03").exists()


def test_admin_exports_orgs(client, users, city):
    client.force_login(users["admin"])
    response = client.get("/orgs/io/?export=csv")
    assert response.status_code == 200
    assert "甲县人民医院" in response.content.decode("utf-8-sig")
