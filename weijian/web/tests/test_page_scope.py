"""Every page: an anonymous visitor is sent to the login page; a user asking for a unit, an
import or an admin page outside its scope gets 404/403 and none of the data."""

import pytest
from django.urls import reverse

from weijian.data.imports import import_file


def _pages():
    return [
        "home",
        "org_tree",
        "org_io",
        "catalogue",
        "data_entry",
        "data_template",
        "data_import",
        "analysis",
        "analysis_export",
    ]


@pytest.mark.parametrize("name", _pages())
def test_anonymous_visitor_is_sent_to_login(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["/orgs/C01A/", "/data/import/1/"])
def test_anonymous_visitor_is_sent_to_login_for_detail_pages(client, city, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# A county user (甲县) asking for 乙区 or one of its institutions.
OUT_OF_SCOPE = [
    ("/orgs/C01B/", 404),
    ("/orgs/C01B01/", 404),
    ("/orgs/C01/", 404),
    ("/analysis/?target=HTN_RATE&org_unit=C01B&period=2024", 404),
    ("/analysis/?target=HTN_RATE&org_unit=C01&period=2024", 404),
    ("/analysis/export/?target=HTN_RATE&org_unit=C01B&period=2024", 404),
    ("/data/entry/?dataset=HTN_M&org_unit=C01B01&period=202403", 404),
    ("/data/entry/template/?dataset=HTN_M&org_unit=C01B01&period=202403", 404),
    ("/orgs/io/", 403),
    ("/orgs/io/?export=csv", 403),
]


@pytest.mark.parametrize("url,status", OUT_OF_SCOPE)
def test_county_user_cannot_open_another_county(client, users, reporting, url, status):
    client.force_login(users["county"])
    response = client.get(url)
    assert response.status_code == status
    assert "乙区人民医院" not in response.content.decode()


def test_county_user_cannot_post_entry_for_another_county(client, users, reporting):
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {"dataset": "HTN_M", "org_unit": "C01B01", "period": "202403", f"v_{reporting['managed'].pk}": "5"},
    )
    assert response.status_code == 404
    assert not reporting["managed"].datavalue_set.filter(period__code="202403").exists()


def test_institution_user_cannot_open_its_sibling(client, users, reporting):
    client.force_login(users["inst"])
    assert client.get("/orgs/C01A02/").status_code == 404
    assert client.get("/analysis/?target=HTN_MGD&org_unit=C01A&period=2024").status_code == 404
    assert client.get("/orgs/C01A01/").status_code == 200


def test_leader_reads_but_cannot_enter_data(client, users, reporting):
    client.force_login(users["leader"])
    assert client.get("/orgs/C01B/").status_code == 200
    response = client.get("/data/entry/?dataset=HTN_M&org_unit=C01A01&period=202403")
    assert response.status_code == 404
    page = client.get("/data/entry/").content.decode()
    assert "没有需要填报这个数据集的机构" in page


def test_import_result_of_another_user_is_not_shown(client, users, reporting):
    csv = "数据元编码,机构编码,期间,数值\nHTN_MGD,C01B01,202405,7\n".encode()
    job = import_file(csv, "乙区.csv", users["other_county"]).job
    client.force_login(users["county"])
    response = client.get(reverse("import_result", args=[job.pk]))
    assert response.status_code == 404
    client.force_login(users["other_county"])
    assert client.get(reverse("import_result", args=[job.pk])).status_code == 200
