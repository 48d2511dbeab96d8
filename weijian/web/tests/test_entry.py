"""Data entry: the data set's form for a unit the user reports for, saved through save_values,
each field's problem shown in Chinese; the Excel template."""

import io

from openpyxl import load_workbook

from weijian.data.models import DataValue, DataValueAudit, ValidationRule


def _field(reporting, key):
    return f"v_{reporting[key].pk}"


def test_form_shows_current_values(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/data/entry/?dataset=HTN_M&org_unit=C01A01&period=202401").content.decode()
    assert "高血压患者规范管理人数" in page
    assert 'value="120"' in page and 'value="200"' in page


def test_only_writable_units_are_offered(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/data/entry/").content.decode()
    assert "甲县人民医院" in page and "甲镇卫生院" in page and "乙区人民医院" not in page


def test_saving_stores_values_with_audit(client, users, reporting):
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {
            "dataset": "HTN_M",
            "org_unit": "C01A01",
            "period": "202403",
            _field(reporting, "managed"): "1,250",
            _field(reporting, "total"): "2000",
        },
    )
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    stored = DataValue.objects.get(
        element=reporting["managed"], org_unit__code="C01A01", period__code="202403"
    )
    assert stored.value == 1250 and stored.stored_by == users["county"]
    assert DataValueAudit.objects.filter(source="form").count() == 2


def test_not_a_number_is_named_on_its_field_and_nothing_saved(client, users, reporting):
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {
            "dataset": "HTN_M",
            "org_unit": "C01A01",
            "period": "202403",
            _field(reporting, "managed"): "十二",
            _field(reporting, "total"): "20",
        },
    )
    page = response.content.decode()
    assert "“十二”不是数字" in page and "未保存" in page
    assert not DataValue.objects.filter(period__code="202403").exists()


def test_rule_breach_from_save_values_is_shown_and_nothing_saved(client, users, reporting):
    ValidationRule.objects.create(
        code="R1",
        name="规范管理不超过管理",
        left="HTN_MGD",
        operator="<=",
        right="HTN_ALL",
        message="规范管理人数不能超过管理人数",
    )
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {
            "dataset": "HTN_M",
            "org_unit": "C01A01",
            "period": "202403",
            _field(reporting, "managed"): "50",
            _field(reporting, "total"): "20",
        },
    )
    page = response.content.decode()
    assert "规范管理人数不能超过管理人数" in page
    assert not DataValue.objects.filter(period__code="202403").exists()


def test_htmx_post_answers_with_the_form_partial(client, users, reporting):
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {"dataset": "HTN_M", "org_unit": "C01A01", "period": "202403", _field(reporting, "managed"): "5"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="entry",
    )
    page = response.content.decode()
    assert "<html" not in page and "已保存" in page and 'value="5"' in page


def test_period_of_another_type_gives_way_to_the_usual_one(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/data/entry/?dataset=HTN_M&org_unit=C01A01&period=2024").content.decode()
    assert "按月填报，期间已改为" in page and 'name="v_' in page


def test_posting_for_a_period_of_another_type_saves_nothing(client, users, reporting):
    client.force_login(users["county"])
    response = client.post(
        "/data/entry/",
        {"dataset": "HTN_M", "org_unit": "C01A01", "period": "2024Q2", _field(reporting, "managed"): "5"},
    )
    assert "按月填报" in response.content.decode()
    assert not DataValue.objects.filter(period__code="2024Q2").exists()


def test_changing_the_data_set_swaps_units_and_form(client, users, reporting):
    from weijian import testing

    county_form = testing.dataset("POP_Y", "人口年报", [reporting["total"]], "Y", org_levels=[3])
    client.force_login(users["county"])
    response = client.get(
        f"/data/entry/?dataset={county_form.code}&org_unit=C01A01&period=202401",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="entry-area",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "甲县人民医院不填报“人口年报”" in page
    assert '<option value="C01A" selected>' in page and "C01A01" not in page
    assert "期间已改为" in page


def test_excel_template_lists_the_units_and_elements(client, users, reporting):
    client.force_login(users["county"])
    response = client.get("/data/entry/template/?dataset=HTN_M&org_unit=C01A&period=202401")
    assert response.status_code == 200
    cells = {
        str(c)
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    assert {"C01A01", "C01A02"} <= cells and "C01B01" not in cells


def test_a_data_set_for_some_institution_types_is_offered_to_those_only(client, users, reporting):
    from weijian import testing

    primary_care = testing.dataset(
        "BPHS_Q",
        "基本公共卫生服务季报",
        [reporting["total"]],
        "Q",
        org_levels=[5],
        inst_types=["township_hc"],
    )
    client.force_login(users["county"])
    page = client.get(f"/data/entry/?dataset={primary_care.code}").content.decode()
    assert '<option value="C01A02"' in page  # 甲镇卫生院
    assert '<option value="C01A01"' not in page  # 甲县人民医院 does not report it
