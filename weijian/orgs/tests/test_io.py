"""Org hierarchy import and export: all or nothing, every problem named by file, row and column."""

import io
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from weijian.orgs.io import COLUMNS, export_orgs, import_orgs
from weijian.orgs.models import InstitutionType, Level, OrgUnit

HEADER = ",".join(COLUMNS)

# Rows deliberately children-first: the import must create parents first.
CITY_ROWS = [
    ["990121001", "云川县人民医院", "990121", "机构", "综合医院", "二级", "公立", "680"],
    ["99012100501", "青石李家村卫生室", "990121005", "机构", "村卫生室", "未定级", "公立", ""],
    ["990121005", "云川县青石镇卫生院", "990121", "机构", "乡镇卫生院", "一级", "公立", "60"],
    ["990121", "云川县", "990100", "县(市、区)", "", "", "", ""],
    ["990100", "示例市", "990000", "市", "", "", "", ""],
    ["990000", "示例省", "", "省", "", "", "", ""],
    ["990121090", "云川县仁爱医院", "990121", "机构", "民营医院", "二级", "民营", "150"],
]


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    lines = [header, *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        # Excel users type numbers: codes and beds arrive as numbers, not text.
        ws.append([int(c) if c.isdigit() else c for c in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parent_of(code: str) -> OrgUnit:
    return OrgUnit.objects.get_parent(OrgUnit.objects.get(code=code))


def children_of(code: str) -> int:
    return OrgUnit.objects.get_children_count(OrgUnit.objects.get(code=code))


def snapshot():
    return list(
        OrgUnit.objects.order_by("path").values_list("code", "path", "name", "level", "inst_type", "beds")
    )


def assert_tree_as_in_city_rows():
    hospital = OrgUnit.objects.get(code="990121001")
    assert parent_of("990121001").code == "990121"
    assert (hospital.level, hospital.inst_type, hospital.grade, hospital.ownership, hospital.beds) == (
        Level.INSTITUTION,
        InstitutionType.GENERAL_HOSPITAL,
        "2",
        "public",
        680,
    )
    village = OrgUnit.objects.get(code="99012100501")
    assert [a.code for a in OrgUnit.objects.get_ancestors(village)] == [
        "990000",
        "990100",
        "990121",
        "990121005",
    ]
    assert village.beds is None
    assert OrgUnit.objects.get(code="990121").level == Level.COUNTY
    assert OrgUnit.objects.get(code="990121090").ownership == "private"


def test_xlsx_import_builds_the_tree_parents_first(db):
    result = import_orgs(xlsx_bytes(CITY_ROWS), "机构.xlsx")
    assert result.errors == []
    assert (result.rows, result.created, result.updated) == (7, 7, 0)
    assert_tree_as_in_city_rows()
    assert "新增 7 个" in result.summary()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_import_reads_every_chinese_encoding(db, encoding):
    result = import_orgs(csv_bytes(CITY_ROWS, encoding), "机构.csv")
    assert result.errors == []
    assert result.created == 7
    assert_tree_as_in_city_rows()


def test_gb18030_csv_keeps_characters_outside_gbk(db):
    rows = [r[:] for r in CITY_ROWS]
    rows[2][1] = "云川县𠮷祥镇卫生院"  # 𠮷 exists only in GB18030's four-byte range
    result = import_orgs(csv_bytes(rows, "gb18030"), "机构.csv")
    assert result.errors == []
    assert OrgUnit.objects.get(code="990121005").name == "云川县𠮷祥镇卫生院"


def test_existing_codes_are_updated_and_moved_with_their_subtree(city):
    OrgUnit.objects.add_child(
        OrgUnit.objects.get(code="C01A02"),
        {"code": "C01A0201", "name": "甲镇一村卫生室", "level": Level.INSTITUTION, "inst_type": "village"},
    )
    rows = [
        ["C01A02", "甲镇中心卫生院", "C01B", "机构", "乡镇卫生院", "一级", "公立", "45"],
        ["C01A03", "甲县妇幼保健院", "C01A", "机构", "妇幼保健院", "二级", "公立", "120"],
    ]
    result = import_orgs(csv_bytes(rows), "调整.csv")
    assert result.errors == []
    assert (result.created, result.updated, result.moved) == (1, 1, 1)
    clinic = OrgUnit.objects.get(code="C01A02")
    assert clinic.name == "甲镇中心卫生院" and clinic.beds == 45
    assert parent_of("C01A02").code == "C01B"
    village = OrgUnit.objects.get(code="C01A0201")
    assert village.path.startswith(clinic.path)
    assert parent_of("C01A03").code == "C01A"
    # Parent counts stay right after the move.
    assert children_of("C01A") == 2
    assert children_of("C01B") == 3


def test_swapping_parent_and_child_is_applied_in_a_safe_order(city):
    # The branch becomes the parent of the hospital it belonged to: the branch must move first.
    OrgUnit.objects.add_child(
        OrgUnit.objects.get(code="C01B01"),
        {"code": "C01B0101", "name": "乙区分院", "level": Level.INSTITUTION},
    )
    rows = [
        ["C01B01", "乙区人民医院", "C01B0101", "机构", "综合医院", "三级", "公立", "800"],
        ["C01B0101", "乙区分院", "C01B", "机构", "", "", "", ""],
    ]
    result = import_orgs(csv_bytes(rows), "互换.csv")
    assert result.errors == []
    assert parent_of("C01B01").code == "C01B0101"
    assert parent_of("C01B0101").code == "C01B"


BAD_CASES = [
    (
        "unknown parent",
        ["990121002", "云川县中医院", "990199", "机构", "中医院", "二级", "公立", "300"],
        "上级编码",
        "990199",
    ),
    (
        "unknown type label",
        ["990121002", "云川县中医院", "990121", "机构", "养老院", "二级", "公立", "300"],
        "机构类型",
        "养老院",
    ),
    (
        "bad number",
        ["990121002", "云川县中医院", "990121", "机构", "中医院", "二级", "公立", "三百"],
        "床位",
        "三百",
    ),
    (
        "negative number",
        ["990121002", "云川县中医院", "990121", "机构", "中医院", "二级", "公立", "-3"],
        "床位",
        "-3",
    ),
    (
        "missing name",
        ["990121002", "", "990121", "机构", "中医院", "二级", "公立", "300"],
        "名称",
        "不能为空",
    ),
    (
        "unknown level",
        ["990121002", "云川县中医院", "990121", "医院", "中医院", "二级", "公立", "300"],
        "层级",
        "医院",
    ),
    (
        "unknown grade",
        ["990121002", "云川县中医院", "990121", "机构", "中医院", "特级", "公立", "300"],
        "等级",
        "特级",
    ),
    (
        "level above its parent",
        ["990121002", "云川县中医院", "990121", "市", "", "", "", ""],
        "层级",
        "不能设在",
    ),
]


@pytest.mark.parametrize("case, bad_row, column, reason", BAD_CASES, ids=[c[0] for c in BAD_CASES])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_row_changes_nothing_and_names_row_and_column(db, case, bad_row, column, reason, fmt):
    import_orgs(csv_bytes(CITY_ROWS), "base.csv")
    before = snapshot()
    good_new = ["990121003", "云川县妇幼保健院", "990121", "机构", "妇幼保健院", "二级", "公立", "150"]
    rows = [good_new, bad_row]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    result = import_orgs(data, f"上报.{fmt}")
    assert snapshot() == before
    assert result.created == 0 and not result.ok
    [error] = result.errors
    assert (error.file_name, error.row, error.column) == (f"上报.{fmt}", 3, column)
    assert reason in error.reason
    assert str(error).startswith(f"文件“上报.{fmt}”第3行“{column}”列：")


def test_duplicate_code_in_the_file_names_both_rows(db):
    rows = [CITY_ROWS[5], CITY_ROWS[4], ["990100", "示例市（重复）", "990000", "市", "", "", "", ""]]
    result = import_orgs(csv_bytes(rows), "dup.csv")
    assert OrgUnit.objects.count() == 0
    [error] = result.errors
    assert (error.row, error.column) == (4, "编码")
    assert "与第3行重复" in error.reason


def test_every_problem_is_reported_not_only_the_first(db):
    rows = [
        ["A1", "", "", "省", "", "", "", ""],
        ["A2", "乙", "A9", "市", "", "", "", "x"],
        ["A3", "丙", "A1", "县", "火星医院", "", "", ""],
    ]
    result = import_orgs(csv_bytes(rows), "many.csv")
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(2, "名称"), (3, "上级编码"), (3, "床位"), (4, "机构类型")}
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert OrgUnit.objects.count() == 0


def test_a_cycle_of_parents_is_refused(db):
    rows = [
        ["990000", "示例省", "", "省", "", "", "", ""],
        ["H1", "甲院", "H2", "机构", "", "", "", ""],
        ["H2", "乙院", "H1", "机构", "", "", "", ""],
    ]
    result = import_orgs(csv_bytes(rows), "cycle.csv")
    assert len(result.errors) == 1 and "循环" in result.errors[0].reason
    assert OrgUnit.objects.count() == 0


def test_moving_a_unit_under_its_own_descendant_is_refused(city):
    before = snapshot()
    rows = [["C01A", "甲县", "C01A01", "县(市、区)", "", "", "", ""]]
    result = import_orgs(csv_bytes(rows), "move.csv")
    assert result.errors and snapshot() == before


def test_a_truncated_csv_is_reported_and_changes_nothing(db):
    data = csv_bytes(CITY_ROWS)
    cut = data[: data.index("云川县仁爱医院".encode()) + len("云川县仁爱医院".encode())]
    result = import_orgs(cut, "cut.csv")
    assert OrgUnit.objects.count() == 0
    [error] = result.errors
    assert error.row == 8 and "不完整" in error.reason


def test_a_csv_cut_inside_a_chinese_character_is_still_reported_by_row(db):
    data = csv_bytes(CITY_ROWS, "gb18030")
    cut = data[: data.index("仁爱".encode("gb18030")) + 1]
    result = import_orgs(cut, "cut.csv")
    assert OrgUnit.objects.count() == 0
    assert result.errors and any(e.row == 8 for e in result.errors)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "old excel"])
def test_a_damaged_excel_file_is_reported_as_such(db, damage):
    data = xlsx_bytes(CITY_ROWS)
    data = {
        "truncated": data[: len(data) // 2],
        "garbage": b"PK\x03\x04" + b"\x00junk" * 50,
        "empty": b"",
        "old excel": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
    }[damage]
    result = import_orgs(data, "机构.xlsx" if damage != "old excel" else "机构.xls")
    assert OrgUnit.objects.count() == 0
    [error] = result.errors
    assert error.file_name.startswith("机构.xls") and error.row == 0
    assert any(word in error.reason for word in ("损坏", "为空", ".xls"))


def test_a_missing_header_column_is_named(db):
    data = csv_bytes([["990000", "示例省", "省"]], header="编码,名称,层级")
    result = import_orgs(data, "noparent.csv")
    [error] = result.errors
    assert (error.row, error.column) == (1, "上级编码")


def test_header_synonyms_and_full_width_brackets_are_understood(db):
    rows = [
        ["990000", "示例省", "", "省"],
        ["990100", "示例市", "990000", "市"],
        ["990121", "云川县", "990100", "县（市、区）"],
    ]
    result = import_orgs(csv_bytes(rows, header="机构编码,机构名称,上级机构编码,层级"), "short.csv")
    assert result.errors == []
    assert OrgUnit.objects.get(code="990121").level == Level.COUNTY


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trips(city, fmt):
    before = snapshot()
    data = export_orgs(fmt)
    result = import_orgs(data, f"export.{fmt}")
    assert result.errors == []
    assert result.unchanged == len(before) and result.updated == 0
    OrgUnit.objects.all().delete()
    result = import_orgs(data, f"export.{fmt}")
    assert result.created == len(before)
    assert snapshot() == before


def test_export_has_the_import_columns_and_labels(city):
    ws = load_workbook(io.BytesIO(export_orgs("xlsx"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    hospital = next(r for r in rows if r[0] == "C01A01")
    assert hospital[2:8] == ("C01A", "机构", "综合医院", "二级", "公立", 300)
    text = export_orgs("csv").decode("utf-8-sig")
    assert text.splitlines()[1].startswith("P01,示例省,,省")


def test_only_an_administrator_may_import(users):
    with pytest.raises(PermissionDenied):
        import_orgs(csv_bytes(CITY_ROWS), "x.csv", users["county"])
    result = import_orgs(csv_bytes(CITY_ROWS), "x.csv", users["admin"])
    assert result.ok
    from weijian.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="import", user=users["admin"]).exists()


def test_commands_import_and_export(db, tmp_path):
    path = tmp_path / "机构.csv"
    path.write_bytes(csv_bytes(CITY_ROWS, "gbk"))
    out = StringIO()
    call_command("orgs", "import", str(path), stdout=out)
    assert "新增 7 个" in out.getvalue()
    xlsx = tmp_path / "out.xlsx"
    call_command("orgs", "export", "-o", str(xlsx), stderr=StringIO())
    assert load_workbook(xlsx).active.max_row == 8
    out = StringIO()
    call_command("orgs", "export", "--format", "csv", stdout=out)
    assert "云川县人民医院" in out.getvalue()


def test_command_import_lists_every_problem(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["990000", "", "", "省", "", "", "", ""]]))
    with pytest.raises(CommandError, match="第2行“名称”列"):
        call_command("orgs", "import", str(path))
    assert OrgUnit.objects.count() == 0
