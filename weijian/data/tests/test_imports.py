import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from weijian import testing
from weijian.data.exports import excel_template
from weijian.data.imports import import_file
from weijian.data.models import DataSet, DataValue, DataValueAudit, ImportJob, ValidationRule
from weijian.data.tests.helpers import put
from weijian.orgs.models import Level


@pytest.fixture
def catalogue(db):
    managed = testing.element("HTN_MGD", "高血压患者规范管理人数", "人", min_value=Decimal(0))
    controlled = testing.element("HTN_CTRL", "管理人群血压控制人数", "人", min_value=Decimal(0))
    visits = testing.element("OPD", "门诊诊疗人次", "人次", min_value=Decimal(0))
    ValidationRule.objects.create(
        code="R1", name="控制人数不超过管理人数", left="HTN_CTRL", operator="<=", right="HTN_MGD"
    )
    return managed, controlled, visits


def csv_bytes(lines, encoding="utf-8"):
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def stored(element_code, org_code, period):
    return (
        DataValue.objects.filter(element__code=element_code, org_unit__code=org_code, period__code=period)
        .values_list("value", flat=True)
        .first()
    )


def test_our_csv_imports_with_audit_and_job(city, users, catalogue):
    data = csv_bytes(
        [
            "数据元编码,机构编码,期间,数值",
            "HTN_MGD,C01A01,202401,120",
            "HTN_CTRL,C01A01,202401,100",
            'OPD,C01A02,202401,"3,456"',
        ]
    )
    result = import_file(data, "一月.csv", users["county"])
    assert result.status == "applied" and result.rows_total == 3 and result.rows_applied == 3
    assert stored("OPD", "C01A02", "202401") == 3456
    job = ImportJob.objects.get()
    assert (job.status, job.file_format, job.user, job.rows_applied) == ("applied", "csv", users["county"], 3)
    assert DataValueAudit.objects.filter(import_job=job, source="import", old_value=None).count() == 3
    assert "一月.csv" in result.message


def test_english_headers_are_accepted(city, users, catalogue):
    data = csv_bytes(["dataElement,orgUnit,period,value", "OPD,C01B01,2024Q2,77"])
    assert import_file(data, "q2.csv", users["admin"]).status == "applied"
    assert stored("OPD", "C01B01", "2024Q2") == 77


def test_gbk_and_gb18030_and_bom_files_import(city, users, catalogue):
    lines = ["数据元编码,机构编码,期间,数值,备注", "OPD,C01A01,202402,10,门诊楼启用𠀀"]
    gb18030 = import_file(csv_bytes(lines, "gb18030"), "二月.csv", users["admin"])
    assert gb18030.status == "applied", gb18030.errors
    assert DataValue.objects.get().comment == "门诊楼启用𠀀"
    gbk = csv_bytes(["数据元编码,机构编码,期间,数值,备注", "OPD,C01A01,202403,11,春节后门诊量回升"], "gbk")
    assert import_file(gbk, "三月.csv", users["admin"]).status == "applied"
    bom = "\ufeff数据元编码,机构编码,期间,数值\r\nOPD,C01A01,202404,12\r\n".encode()
    assert import_file(bom, "四月.csv", users["admin"]).status == "applied"
    assert [stored("OPD", "C01A01", p) for p in ("202402", "202403", "202404")] == [10, 11, 12]


def test_any_bad_row_rejects_the_whole_file_and_names_every_problem(city, users, catalogue):
    data = csv_bytes(
        [
            "数据元编码,机构编码,期间,数值",
            "OPD,C01A01,202401,5",
            "NOPE,C01A01,202401,5",
            "OPD,C01A01,2024-13,5",
            "OPD,C01A02,202401,五十",
            "OPD,C01B01,202401,5",
            "OPD,C01A01,202401,6",
        ]
    )
    result = import_file(data, "错误.csv", users["county"])
    assert result.status == "rejected"
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists()
    found = [(p.row, p.column) for p in result.errors]
    assert found == [
        (2, "数据元编码"),
        (3, "数据元编码"),
        (4, "期间"),
        (5, "数值"),
        (6, "机构编码"),
        (7, "数据元编码"),
    ]
    assert (
        "NOPE" in str(result.errors[1])
        and "错误.csv" in str(result.errors[1])
        and "第3行" in str(result.errors[1])
    )
    assert (
        "C01B01" in result.errors[4].reason and "乙区人民医院" not in result.errors[4].reason
    )  # outside 甲县
    assert "第2、7行重复" in result.errors[0].reason
    assert ImportJob.objects.get().status == "rejected"


def test_partial_import_applies_valid_rows_and_returns_every_rejected_row(city, users, catalogue):
    data = csv_bytes(
        [
            "数据元编码,机构编码,期间,数值",
            "OPD,C01A01,202401,5",
            "OPD,C01B01,202401,5",
            "HTN_MGD,C01A02,202401,10",
            "HTN_CTRL,C01A02,202401,11",
            "OPD,C01A02,202401,-1",
            "HTN_MGD,C01A01,202401,8",
        ]
    )
    result = import_file(data, "部分.csv", users["county"], partial=True)
    assert result.status == "partial"
    assert result.rows_applied == 2
    assert [(p.row, p.column) for p in result.errors] == [
        (3, "机构编码"),
        (4, "数值"),
        (5, "数值"),
        (6, "数值"),
    ]
    assert "“管理人群血压控制人数” = 11" in result.errors[2].reason  # the rule names both sides
    assert stored("OPD", "C01A01", "202401") == 5 and stored("HTN_MGD", "C01A01", "202401") == 8
    assert DataValue.objects.count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.rows_applied, job.rows_rejected, len(job.errors)) == ("partial", 2, 4, 4)


def test_dhis2_json_imports(city, users, catalogue):
    doc = {
        "dataSet": "x",
        "period": "202405",
        "dataValues": [
            {"dataElement": "OPD", "orgUnit": "C01A01", "value": "31"},
            {"dataElement": "OPD", "orgUnit": "C01A02", "period": "202406", "value": 32, "comment": "补报"},
        ],
    }
    result = import_file(json.dumps(doc).encode(), "dvs.json", users["admin"])
    assert result.status == "applied"
    assert stored("OPD", "C01A01", "202405") == 31 and stored("OPD", "C01A02", "202406") == 32


def test_dhis2_json_problems_name_the_entry(city, users, catalogue):
    doc = {"dataValues": [{"dataElement": "OPD", "orgUnit": "C01A01", "period": "202405", "value": "abc"}]}
    result = import_file(json.dumps(doc).encode(), "dvs.json", users["admin"])
    assert result.status == "rejected"
    assert str(result.errors[0]) == "文件“dvs.json”第1条“value”：“abc”不是数字"


def test_dhis2_csv_with_and_without_header_imports(city, users, catalogue):
    with_header = csv_bytes(
        [
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup",
            "OPD,202407,C01A01,HllvX50cXC0,HllvX50cXC0,41,admin,2024-08-01,,false",
        ]
    )
    assert import_file(with_header, "dhis2.csv", users["admin"]).status == "applied"
    no_header = csv_bytes(["OPD,202408,C01A01,,,42,admin,2024-09-01,,false"])
    result = import_file(no_header, "dhis2_noheader.csv", users["admin"])
    assert result.status == "applied" and result.file_format == "dhis2-csv"
    assert stored("OPD", "C01A01", "202407") == 41 and stored("OPD", "C01A01", "202408") == 42


def test_dhis2_disaggregated_values_are_refused(city, users, catalogue):
    data = csv_bytes(
        [
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value",
            "OPD,202407,C01A01,MALE_UID,,41",
        ]
    )
    result = import_file(data, "dhis2.csv", users["admin"])
    assert result.status == "rejected" and "只接收合计值" in result.errors[0].reason


def _dataset(*elements):
    ds = DataSet.objects.create(code="HTN", name="高血压管理月报")
    ds.elements.set(elements)
    return ds


def test_excel_template_round_trip(city, users, catalogue):
    managed, controlled, _ = catalogue
    put(managed, city.hospital_a, "202403", 90)
    template = excel_template(_dataset(managed, controlled), [city.hospital_a, city.clinic_a], "202403")
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    assert ws["B2"].value == "202403"
    assert [c.value for c in ws[4]][2:] == ["HTN_CTRL", "HTN_MGD"]
    assert [c.value for c in ws[5]] == ["C01A01", "甲县人民医院", None, 90]  # what is stored is pre-filled
    ws["C5"] = 80
    ws["C6"], ws["D6"] = 20, 25
    out = io.BytesIO()
    wb.save(out)

    result = import_file(out.getvalue(), "模板.xlsx", users["county"])
    assert result.status == "applied", result.errors
    assert result.rows_total == 4 and result.changes["unchanged"] == 1
    assert stored("HTN_CTRL", "C01A01", "202403") == 80 and stored("HTN_MGD", "C01A02", "202403") == 25


def test_excel_template_cell_errors_name_the_cell(city, users, catalogue):
    managed, controlled, _ = catalogue
    wb = load_workbook(io.BytesIO(excel_template(_dataset(managed, controlled), [city.hospital_a], "202403")))
    wb.active["C5"] = "八十"
    out = io.BytesIO()
    wb.save(out)
    result = import_file(out.getvalue(), "模板.xlsx", users["county"])
    assert result.status == "rejected"
    assert str(result.errors[0]) == "文件“模板.xlsx”第5行“C列（管理人群血压控制人数（人））”：“八十”不是数字"


def test_an_excel_sheet_with_the_csv_columns_imports(city, users, catalogue):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["数据元编码", "机构编码", "期间", "数值"])
    wb.active.append(["OPD", "C01A01", 202409, 15])
    out = io.BytesIO()
    wb.save(out)
    assert import_file(out.getvalue(), "表.xlsx", users["admin"]).status == "applied"
    assert stored("OPD", "C01A01", "202409") == 15


def test_a_truncated_excel_file_gets_one_clear_message(city, users, catalogue):
    managed, controlled, _ = catalogue
    template = excel_template(_dataset(managed, controlled), [city.hospital_a], "202403")
    result = import_file(template[: len(template) // 2], "截断.xlsx", users["admin"])
    assert result.status == "rejected"
    [problem] = result.errors
    assert "截断.xlsx" in problem.reason and "无法作为 Excel" in problem.reason
    assert ImportJob.objects.get().status == "rejected"


@pytest.mark.parametrize(
    "data,name,expected",
    [
        (b"", "empty.csv", "是空的"),
        (b"   \r\n", "blank.csv", "是空的"),
        (b"%PDF-1.7\n...", "report.pdf", "不是数据文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "另存为 .xlsx"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "photo.csv", "不是文本数据文件"),
        ("姓名,年龄\n张三,30\n".encode(), "people.csv", "不是可识别的表头"),
        (b'{"rows": []}', "x.json", '缺少 "dataValues"'),
        (b'{"dataValues": [', "broken.json", "不是有效的 JSON"),
        (b"dataElement,orgUnit,value\nOPD,C01A01,5\n", "nocol.csv", "缺少列：期间"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message_and_change_nothing(
    city, users, catalogue, data, name, expected
):
    result = import_file(data, name, users["admin"])
    assert result.status == "rejected"
    assert expected in result.errors[0].reason and name in result.errors[0].reason
    assert not DataValue.objects.exists()


def test_a_100000_row_csv_imports_and_one_bad_row_stops_it(city, users, catalogue):
    elements = [testing.element(f"E{i:02d}", f"指标{i}", "人") for i in range(20)]
    units = [
        testing.org(city.county_a, f"C01A9{i:02d}", f"测试机构{i}", Level.INSTITUTION) for i in range(42)
    ]
    months = [f"{y}{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
    lines = ["数据元编码,机构编码,期间,数值"]
    for e in elements:
        for u in units:
            lines.extend(f"{e.code},{u.code},{p},{(i * 7) % 1000}" for i, p in enumerate(months))
    assert len(lines) - 1 == 100_800
    bad = list(lines)
    bad[50_001] = bad[50_001].rsplit(",", 1)[0] + ",12x"

    rejected = import_file(csv_bytes(bad), "大文件.csv", users["admin"])
    assert rejected.status == "rejected"
    assert [(p.row, p.column) for p in rejected.errors] == [(50_002, "数值")]  # the header is line 1
    assert "“12x”不是数字" in str(rejected.errors[0])
    assert not DataValue.objects.exists()

    result = import_file(csv_bytes(lines), "大文件.csv", users["admin"])
    assert result.status == "applied" and result.rows_applied == 100_800
    assert DataValue.objects.count() == 100_800
    assert DataValueAudit.objects.filter(import_job=result.job).count() == 100_800
    assert stored("E07", "C01A941", "202012") == Decimal((71 * 7) % 1000)


def test_an_excel_file_cut_or_damaged_anywhere_is_refused_cleanly(city, users, catalogue):
    managed, controlled, _ = catalogue
    template = excel_template(_dataset(managed, controlled), [city.hospital_a, city.clinic_a], "202403")
    damaged = [template[:n] for n in range(100, len(template), max(1, len(template) // 12))]
    middle = len(template) // 2
    damaged.append(template[:middle] + bytes(200) + template[middle + 200 :])  # zeroed in the middle
    for data in damaged:
        result = import_file(data, "坏.xlsx", users["admin"])
        assert result.status == "rejected"
        assert "坏.xlsx" in str(result.errors[0])
    assert not DataValue.objects.exists()
