import csv
import io
import json

import pytest

from weijian import testing
from weijian.data.exports import export_csv, export_dhis2_csv, export_dhis2_json
from weijian.data.imports import import_file
from weijian.data.models import DataValue
from weijian.data.tests.helpers import put


@pytest.fixture
def values(city):
    visits = testing.element("OPD", "门诊诊疗人次", "人次", value_type="number")
    put(visits, city.hospital_a, "202401", 1200)
    put(visits, city.hospital_a, "202402", "12.5")
    put(visits, city.clinic_b, "202401", 30)
    return visits


def test_csv_export_has_chinese_headers_and_plain_numbers(values):
    text = export_csv(DataValue.objects.all()).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:6] == ["数据元编码", "数据元名称", "机构编码", "机构名称", "期间", "数值"]
    assert rows[1][:6] == ["OPD", "门诊诊疗人次", "C01A01", "甲县人民医院", "202401", "1200"]
    assert rows[2][5] == "12.5"


@pytest.mark.parametrize("exporter", [export_csv, export_dhis2_json, export_dhis2_csv])
def test_every_export_imports_back_unchanged(values, users, exporter):
    data = exporter(DataValue.objects.all())
    name = "导出.json" if exporter is export_dhis2_json else "导出.csv"
    result = import_file(data, name, users["admin"])
    assert result.status == "applied", result.errors
    assert result.changes == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 3}


def test_dhis2_json_export_is_a_data_value_set(values, city):
    doc = json.loads(export_dhis2_json(DataValue.objects.filter(org_unit=city.clinic_b)))
    assert doc["dataValues"] == [
        {
            "dataElement": "OPD",
            "period": "202401",
            "orgUnit": "C01B02",
            "value": "30",
            "lastUpdated": doc["dataValues"][0]["lastUpdated"],
        },
    ]


def test_dhis2_csv_export_has_the_dhis2_columns(values):
    rows = list(csv.reader(io.StringIO(export_dhis2_csv(DataValue.objects.all()).decode())))
    assert rows[0][:6] == [
        "dataelement",
        "period",
        "orgunit",
        "categoryoptioncombo",
        "attributeoptioncombo",
        "value",
    ]
    assert rows[1][:3] + [rows[1][5]] == ["OPD", "202401", "C01A01", "1200"]
