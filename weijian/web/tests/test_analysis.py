"""Analysis: figure with numerator, denominator and 同比; children ranked; Excel export."""

import io

from openpyxl import load_workbook

from weijian.orgs.models import OrgUnit


def test_city_rate_table_shows_summed_parts_and_change(client, users, reporting):
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=HTN_RATE&org_unit=C01&period=2024").content.decode()
    assert "400" in page and "1000" in page and "40.00%" in page
    assert "提高20.40个百分点" in page
    # Children ranked best first: 甲县 60% before 乙区 10%.
    assert page.index("60.00%") < page.index("10.00%")


def test_element_analysis_for_a_quarter(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/analysis/?target=HTN_MGD&org_unit=C01A&period=2024Q1").content.decode()
    assert "2024年第1季度" in page
    assert "360人" in page  # (120 + 60) × 2 months
    assert "增长300.0%" in page  # 2023Q1: (30 + 15) × 2 = 90


def test_bad_period_and_unknown_target_are_named(client, users, reporting):
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=NOPE&org_unit=C01&period=2024X").content.decode()
    assert "没有编码为“NOPE”的指标或数据元" in page
    assert "“2024X”不是有效的期间编码" in page


def test_violations_of_the_unit_are_listed(client, users, reporting):
    from weijian import testing
    from weijian.data.models import ValidationRule

    ValidationRule.objects.create(
        code="R1",
        name="规范管理人数不超过管理人数",
        left="HTN_MGD",
        operator="<=",
        right="HTN_ALL",
        message="规范管理人数不能超过管理人数",
    )
    testing.value(
        reporting["managed"], OrgUnit.objects.get_first_child(users["county"].org_unit), "202405", 9
    )
    testing.value(reporting["total"], OrgUnit.objects.get_first_child(users["county"].org_unit), "202405", 3)
    client.force_login(users["county"])
    page = client.get("/analysis/?target=HTN_MGD&org_unit=C01A&period=202405").content.decode()
    assert "规范管理人数不超过管理人数" in page


def test_excel_export_holds_the_figure_and_the_ranking(client, users, reporting):
    client.force_login(users["leader"])
    response = client.get("/analysis/export/?target=HTN_RATE&org_unit=C01&period=2024")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c for c in r) for r in ws.iter_rows(values_only=True)]
    city_row = next(r for r in rows if r[0] == "示例市")
    assert city_row[1:5] == (400, 1000, "40.00%", 40)
    ranked = [(r[0], r[6]) for r in rows if r[0] in ("甲县", "乙区")]
    assert ranked == [("甲县", 1), ("乙区", 2)]
