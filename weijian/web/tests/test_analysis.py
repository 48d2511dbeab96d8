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


def test_excel_export_holds_numbers_with_number_formats_not_text(client, users, reporting):
    client.force_login(users["leader"])
    response = client.get("/analysis/export/?target=HTN_RATE&org_unit=C01&period=2024")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    city = next(r for r in ws.iter_rows() if r[0].value == "示例市")
    # 400 / 1000 = 40.00%, 同比 from 19.60%: +20.40 points; all number cells
    assert [c.value for c in city[1:5]] == [400, 1000, 40, 20.4]
    assert all(c.data_type == "n" for c in city[1:5])
    assert city[3].number_format == '0.00"%"'
    assert city[4].number_format.startswith('+0.00"个百分点"')
    ranked = [(r[0].value, r[5].value, r[4].value) for r in ws.iter_rows() if r[0].value in ("甲县", "乙区")]
    # each county with its own 同比: 甲县 60% against 30%, 乙区 10% against 4%
    assert ranked == [("甲县", 1, 30), ("乙区", 2, 6)]


def test_period_picker_chooses_year_and_part(client, users, reporting):
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=HTN_RATE&org_unit=C01&year=2024&part=Q1").content.decode()
    assert 'name="year"' in page and 'name="part"' in page and 'name="period"' not in page
    assert "2024年第1季度" in page and '<option value="Q1" selected>' in page
    assert "40.00%" in page  # Q1 holds January and February: the whole of the year's data


def test_each_child_has_its_own_change_and_silent_units_stand_apart(client, users, city, reporting):
    from weijian import testing
    from weijian.orgs.models import Level

    testing.org(city.city, "C01C", "丙县", Level.COUNTY)
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=HTN_RATE&org_unit=C01&period=2024").content.decode()
    ranking = page[page.index("下级单位排名") :]
    # 甲县 60% against 30%, 乙区 10% against 4%
    assert "提高30.00个百分点" in ranking and "提高6.00个百分点" in ranking
    table, after = ranking.split("</table>", 1)
    assert "丙县" not in table  # not ranked as "—"
    assert "未报送：丙县" in after


def test_a_plan_target_is_shown_with_its_mark(client, users, city, reporting):
    from datetime import date

    from weijian.plans.models import Plan, Scope, Target

    plan = Plan.objects.create(title="2024年工作要点", year=2024, org_unit=city.city)
    Target.objects.create(
        plan=plan,
        indicator=reporting["rate"],
        phrase="高血压患者规范管理率",
        cmp=">=",
        value=50,
        unit="%",
        scope=Scope.COUNTY,
        deadline=date(2024, 12, 31),
    )
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=HTN_RATE&org_unit=C01&period=2024").content.decode()
    ranking = page[page.index("下级单位排名") :]
    jia, yi = ranking.index("甲县"), ranking.index("乙区")
    assert "不低于50%" in ranking
    assert "达标" in ranking[jia:yi] and "未达标" not in ranking[jia:yi]  # 60% ≥ 50%
    assert "未达标" in ranking[yi:]  # 10%
    charts = page[page.index('id="chart-data"') :]
    assert '"goal": 50.0' in charts  # the bar chart draws the target line


def test_the_checks_shown_are_those_of_the_figure_and_name_the_unit(client, users, reporting, city):
    # The analysis of 高血压规范管理人数 lists the breaches of rules about that figure, each with
    # the unit that reported it; a breach among other figures belongs to their own pages.
    from weijian import testing
    from weijian.data.models import ValidationRule

    ValidationRule.objects.create(
        code="R1", name="规范管理人数不超过管理人数", left="HTN_MGD", operator="<=", right="HTN_ALL"
    )
    ValidationRule.objects.create(
        code="R2", name="出院人数不超过入院人数", left="DIS", operator="<=", right="ADM"
    )
    discharged, admitted = testing.element("DIS", "出院人数", "人"), testing.element("ADM", "入院人数", "人")
    testing.value(reporting["managed"], city.hospital_b, "202405", 9)
    testing.value(reporting["total"], city.hospital_b, "202405", 3)
    testing.value(discharged, city.hospital_a, "202405", 50)
    testing.value(admitted, city.hospital_a, "202405", 40)
    client.force_login(users["leader"])
    page = client.get("/analysis/?target=HTN_MGD&org_unit=C01&period=202405").content.decode()
    checks = page[page.index('id="violations"') :]
    assert "规范管理人数不超过管理人数" in checks and "乙区人民医院" in checks
    assert "出院人数不超过入院人数" not in checks
