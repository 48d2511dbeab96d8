"""Lost updates: two users open the same form; the one who saves second neither undoes the
first one's change silently nor loses their own work. An old Excel template re-uploaded does
not revert values changed after it was generated."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from weijian.data.entry import DataError, save_values
from weijian.data.imports import import_file
from weijian.data.models import DataValue, DataValueAudit


def _opened_form(client, period: str = "202401") -> dict:
    """The form as the browser holds it: every input with the value it was rendered with."""
    page = client.get(f"/data/entry/?dataset=HTN_M&org_unit=C01A01&period={period}").content.decode()
    form = page[page.index('class="entry-form"') :]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _name(reporting, key: str) -> str:
    return f"v_{reporting[key].pk}"


def _stored(reporting, key: str, period: str = "202401") -> Decimal:
    return DataValue.objects.get(element=reporting[key], org_unit__code="C01A01", period__code=period).value


@pytest.fixture
def two_clients(client, django_user_model, users, reporting):
    from django.test import Client

    from weijian import testing
    from weijian.accounts.models import Role

    colleague = testing.make_user("t_inst_b", Role.INSTITUTION, org_unit=users["inst"].org_unit)
    colleague.first_name = "李四"
    colleague.save()
    a, b = client, Client()
    a.force_login(users["inst"])
    b.force_login(colleague)
    return a, b


def test_a_stale_form_does_not_undo_a_field_it_did_not_touch(two_clients, reporting):
    a, b = two_clients
    form_a = _opened_form(a)  # A opens the form: 管理人数 120, 规范管理人数 200
    form_b = _opened_form(b)
    form_b[_name(reporting, "managed")] = "130"
    assert "已保存" in b.post("/data/entry/", form_b).content.decode()

    form_a[_name(reporting, "total")] = "210"  # A changes only the other field
    assert "已保存" in a.post("/data/entry/", form_a).content.decode()
    assert _stored(reporting, "managed") == 130  # B's change stands
    assert _stored(reporting, "total") == 210
    reverts = DataValueAudit.objects.filter(element=reporting["managed"], old_value=130, new_value=120)
    assert not reverts.exists()


def test_both_changing_one_field_is_a_conflict_the_user_resolves(two_clients, reporting):
    a, b = two_clients
    form_a = _opened_form(a)
    form_b = _opened_form(b)
    form_b[_name(reporting, "managed")] = "130"
    b.post("/data/entry/", form_b)

    form_a[_name(reporting, "managed")] = "125"
    page = a.post("/data/entry/", form_a).content.decode()
    assert "已被他人修改，本次未保存" in page
    # Who, when, the new value and what A saw are named; both values are offered.
    assert "李四" in page and "（网页填报）于" in page
    assert "已把此项改为 130（您打开时为 120）" in page
    assert "保留我填写的 125" in page and "采用李四修改后的 130" in page
    assert _stored(reporting, "managed") == 130

    # A keeps their own value on purpose: the re-rendered form now carries B's value as seen.
    again = _opened_from(page)
    assert again[_name(reporting, "managed")] == "125"
    assert (
        "已保存" in a.post("/data/entry/", {**again, f"c_{reporting['managed'].pk}": "mine"}).content.decode()
    )
    assert _stored(reporting, "managed") == 125


def test_choosing_the_other_users_value_keeps_it(two_clients, reporting):
    a, b = two_clients
    form_a = _opened_form(a)
    form_b = _opened_form(b)
    form_b[_name(reporting, "managed")] = "130"
    b.post("/data/entry/", form_b)
    form_a[_name(reporting, "managed")] = "125"
    again = _opened_from(a.post("/data/entry/", form_a).content.decode())
    a.post("/data/entry/", {**again, f"c_{reporting['managed'].pk}": "theirs"})
    assert _stored(reporting, "managed") == 130


def _opened_from(page: str) -> dict:
    form = page[page.index('class="entry-form"') :]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_save_values_refuses_a_value_changed_since_it_was_shown(users, reporting, city):
    managed = reporting["managed"]
    save_values(users["admin"], [(managed, city.hospital_a, "202401", Decimal(130))], source="api")
    with pytest.raises(DataError) as caught:
        save_values(
            users["inst"],
            [(managed, city.hospital_a, "202401", Decimal(125))],
            source="form",
            shown={1: Decimal(120)},
        )
    assert "已把此项改为 130（您打开时为 120）" in caught.value.problems[0].reason
    assert _stored(reporting, "managed") == 130


def test_an_old_template_does_not_revert_newer_values(client, users, reporting, city):
    client.force_login(users["county"])
    template = client.get("/data/entry/template/?dataset=HTN_M&org_unit=C01A&period=202401").content
    # After the template was downloaded, someone corrects 甲县人民医院's figure on the web.
    save_values(
        users["inst"], [(reporting["managed"], city.hospital_a, "202401", Decimal(130))], source="form"
    )

    wb = load_workbook(io.BytesIO(template))
    ws = wb["填报"]
    codes = [c.value for c in ws[4]]
    total_col = codes.index(reporting["total"].code) + 1
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "C01A02":
            row[total_col - 1].value = 111  # a genuine new figure for 甲镇卫生院
    out = io.BytesIO()
    wb.save(out)

    result = import_file(out.getvalue(), "旧模板.xlsx", users["county"])
    assert result.rows_applied == 0
    [reason] = {p.reason for p in result.errors}
    assert "甲县人民医院" in reason and "在模板生成" in reason and "之后已由" in reason
    assert "改为 130，文件中为 120" in reason
    assert _stored(reporting, "managed") == 130  # not reverted

    # With partial import the other rows go in; the conflicting one stays refused.
    result = import_file(out.getvalue(), "旧模板.xlsx", users["county"], partial=True)
    assert _stored(reporting, "managed") == 130
    assert (
        DataValue.objects.get(
            element=reporting["total"], org_unit__code="C01A02", period__code="202401"
        ).value
        == 111
    )


def test_a_fresh_template_imports_its_changes(client, users, reporting):
    client.force_login(users["county"])
    template = client.get("/data/entry/template/?dataset=HTN_M&org_unit=C01A&period=202401").content
    wb = load_workbook(io.BytesIO(template))
    assert wb["模板信息"].sheet_state == "hidden"
    ws = wb["填报"]
    ws["C5"].value = 121
    out = io.BytesIO()
    wb.save(out)
    result = import_file(out.getvalue(), "新模板.xlsx", users["county"])
    assert result.errors == [] and result.rows_applied >= 1
