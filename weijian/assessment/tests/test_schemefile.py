"""Reading a 考核细则 table from Excel, Word and CSV: merged cells, repeated headers, totals, and
clear Chinese errors that name the file, the row and the column."""

from __future__ import annotations

import io
from decimal import Decimal as D

import docx
import openpyxl
import pytest

from weijian.assessment.rules import Checklist, LinearDeduction, Threshold, Veto
from weijian.assessment.schemefile import SchemeFileError, read_scheme_file

HEADER = ["一级指标", "二级指标", "分值", "考核内容", "评分标准", "考核方式", "数据来源", "备注"]
ROWS = [
    [
        "公共卫生（20分）",
        "儿童免疫规划",
        "10",
        "适龄儿童疫苗接种",
        "达到95%得满分，每低1个百分点扣2分，扣完为止",
        "数据核查",
        "免疫规划信息系统",
        "",
    ],
    [
        None,
        "慢病管理",
        "10分",
        "高血压患者规范管理",
        "达到60%得满分，否则不得分",
        "数据核查",
        "基本公卫系统",
        "",
    ],
    ["医疗服务", "医疗质量", "１０", "病历质量", "每发现1份不合格病历扣0.5分，扣完为止", "现场检查", "", ""],
    [None, "安全生产", "一票否决", "", "发生重大医疗安全事件的，实行一票否决", "", "", "否决项"],
]


def xlsx(rows, header=HEADER, merge=None, repeat_header_at=None, total=None, title="细则"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["2025年度县区卫生健康工作目标管理考核细则"])
    ws.append(header)
    for i, row in enumerate(rows):
        if repeat_header_at == i:
            ws.append(header)
        ws.append(row)
    if total is not None:
        ws.append(["合计", None, total])
    for rng in merge or ():
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_table_with_merged_categories_and_total():
    # rows 3-4 are 公共卫生 (merged A3:A4), rows 5-6 医疗服务 (merged A5:A6)
    data = xlsx(ROWS, merge=["A1:H1", "A3:A4", "A5:A6"], total="30")  # the title spans the table
    t = read_scheme_file(data, "细则.xlsx")
    assert [c.name for c in t.categories] == ["公共卫生", "医疗服务"]
    assert t.categories[0].points == 20
    assert [(i.code, i.name, i.points, i.row) for i in t.items] == [
        ("1.1", "儿童免疫规划", D(10), 3),
        ("1.2", "慢病管理", D(10), 4),
        ("2.1", "医疗质量", D(10), 5),
        ("2.2", "安全生产", None, 6),
    ]
    assert t.total == 30 and t.declared_total == 30 and t.warnings == []
    first = t.items[0]
    assert (
        first.content == "适龄儿童疫苗接种"
        and first.method == "数据核查"
        and first.source == "免疫规划信息系统"
    )
    assert first.reading.rule == LinearDeduction(target=D(95), deduct=D(2))
    assert t.items[1].reading.rule == Threshold(target=D(60))
    assert t.items[2].reading.rule == Checklist(per=D("0.5"), measure="份", finding="不合格病历")
    assert t.items[3].reading.rule == Veto(condition="发生重大医疗安全事件")


def test_blank_category_cells_continue_the_one_above():
    t = read_scheme_file(xlsx(ROWS), "细则.xlsx")
    assert [len(c.items) for c in t.categories] == [2, 2]


def test_header_repeated_on_the_next_page_is_skipped():
    t = read_scheme_file(xlsx(ROWS, repeat_header_at=2), "细则.xlsx")
    assert [i.name for i in t.items] == ["儿童免疫规划", "慢病管理", "医疗质量", "安全生产"]
    assert t.items[2].row == 6  # the repeated header took row 5


def test_total_mismatch_names_file_and_figures():
    with pytest.raises(SchemeFileError) as e:
        read_scheme_file(xlsx(ROWS, total="100"), "细则.xlsx")
    assert e.value.errors == ["文件《细则.xlsx》：合计为100分，但各项分值之和为30分"]


def test_points_not_a_number_names_row_and_column():
    rows = [list(r) for r in ROWS]
    rows[1][2] = "十分左右"
    with pytest.raises(SchemeFileError) as e:
        read_scheme_file(xlsx(rows), "细则.xlsx")
    assert e.value.errors == ["文件《细则.xlsx》工作表“细则”第4行“分值”列：“十分左右”不是数字"]


def test_empty_item_is_an_error_and_all_errors_are_listed():
    rows = [list(r) for r in ROWS]
    rows[0][4] = ""  # no criterion
    rows[1][2], rows[1][4] = "", ""  # neither points nor criterion... but a name: an empty item
    rows[2][2] = "abc"
    with pytest.raises(SchemeFileError) as e:
        read_scheme_file(xlsx(rows), "细则.xlsx")
    assert e.value.errors == [
        "文件《细则.xlsx》工作表“细则”第3行“评分标准”列：“儿童免疫规划”没有评分标准",
        "文件《细则.xlsx》工作表“细则”第4行：“慢病管理”既没有分值也没有评分标准",
        "文件《细则.xlsx》工作表“细则”第5行“分值”列：“abc”不是数字",
    ]


def test_points_merged_over_rows_is_refused():
    with pytest.raises(SchemeFileError, match="分值单元格跨多行合并"):
        read_scheme_file(xlsx(ROWS, merge=["C3:C4"]), "细则.xlsx")


def test_category_points_that_do_not_add_up_are_a_warning():
    rows = [list(r) for r in ROWS]
    rows[0][0] = "公共卫生（25分）"
    t = read_scheme_file(xlsx(rows), "细则.xlsx")
    assert t.warnings == ["文件《细则.xlsx》第3行：“公共卫生”标明25分，但其下各项分值之和为20分"]


def test_no_header_and_bad_files():
    wb = openpyxl.Workbook()
    wb.active.append(["甲", "乙"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(SchemeFileError, match="没有找到考核细则表的表头"):
        read_scheme_file(buf.getvalue(), "空表.xlsx")
    with pytest.raises(SchemeFileError, match="已损坏"):
        read_scheme_file(b"PK\x03\x04garbage", "坏.xlsx")
    with pytest.raises(SchemeFileError, match="旧版"):
        read_scheme_file(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧.xls")
    with pytest.raises(SchemeFileError, match="是空的"):
        read_scheme_file(b"", "空.csv")
    with pytest.raises(SchemeFileError, match="无法打开"):
        read_scheme_file("/nonexistent/细则.xlsx")


def test_headers_matched_by_keywords_and_three_levels():
    header = ["序号", "考核类别", "考核项目", "三级指标", "标准分", "指标说明", "评分细则"]
    rows = [
        ["1", "公共卫生", "妇幼健康", "孕产妇系统管理率", "5", "", "达到90%得满分，否则不得分"],
        ["2", None, None, "儿童健康管理率", "5", "", "达到90%得满分，否则不得分"],
        ["3", None, "疾病预防", "肺结核患者管理率", "5", "", "达到90%得满分，否则不得分"],
    ]
    t = read_scheme_file(xlsx(rows, header=header), "三级.xlsx")
    assert [(i.group, i.name) for i in t.items] == [
        ("妇幼健康", "孕产妇系统管理率"),
        ("妇幼健康", "儿童健康管理率"),
        ("疾病预防", "肺结核患者管理率"),
    ]


def _docx_table(doc, rows, header=HEADER):
    table = doc.add_table(rows=0, cols=len(header))
    for row in [header, *rows]:
        cells = table.add_row().cells
        for c, v in zip(cells, row, strict=False):
            c.text = "" if v is None else str(v)
    return table


def test_word_table_with_vertical_merge_and_split_across_pages():
    doc = docx.Document()
    doc.add_paragraph("考核细则")
    t1 = _docx_table(doc, ROWS[:2])
    t1.cell(1, 0).merge(t1.cell(2, 0))  # 公共卫生 over two items
    doc.add_paragraph("")
    _docx_table(doc, [*ROWS[2:], ["合计", "", "30", "", "", "", "", ""]])  # header repeated on page 2
    buf = io.BytesIO()
    doc.save(buf)
    t = read_scheme_file(buf.getvalue(), "细则.docx")
    assert [c.name for c in t.categories] == ["公共卫生", "医疗服务"]
    assert [(i.name, i.table, i.row) for i in t.items] == [
        ("儿童免疫规划", 1, 2),
        ("慢病管理", 1, 3),
        ("医疗质量", 2, 2),
        ("安全生产", 2, 3),
    ]
    assert t.declared_total == 30


def test_word_error_names_the_table_and_row():
    doc = docx.Document()
    rows = [list(r) for r in ROWS]
    rows[2][2] = "若干"
    _docx_table(doc, rows)
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(SchemeFileError) as e:
        read_scheme_file(buf.getvalue(), "细则.docx")
    assert e.value.errors == ["文件《细则.docx》表1第4行“分值”列：“若干”不是数字"]


def test_csv_in_gb18030():
    lines = [",".join(HEADER)] + [",".join("" if v is None else v for v in r) for r in ROWS]
    # criteria contain Chinese commas only, so the CSV needs no quoting
    data = "\n".join(lines).encode("gb18030")
    t = read_scheme_file(data, "细则.csv")
    assert len(t.items) == 4 and t.items[0].row == 2
    assert t.items[0].reading.rule == LinearDeduction(target=D(95), deduct=D(2))


def test_bonus_and_points_written_in_chinese():
    rows = [
        ["加分项", "表彰奖励", "加分项（最高3分）", "", "每获得一项省级以上表彰加1分，最多加3分", "", "", ""],
        ["基础工作", "信息报送", "十", "", "达到95%得满分，否则不得分", "", "", ""],
    ]
    t = read_scheme_file(xlsx(rows), "加分.xlsx")
    assert [i.points for i in t.items] == [D(3), D(10)]


def test_word_title_row_spanning_all_columns_before_the_header():
    doc = docx.Document()
    table = _docx_table(doc, ROWS)
    title = table.add_row()  # moved to the top below
    table._tbl.remove(title._tr)
    table._tbl.insert(table._tbl.index(table.rows[0]._tr), title._tr)
    merged = title.cells[0].merge(title.cells[-1])
    merged.text = "2025年度考核细则"
    buf = io.BytesIO()
    doc.save(buf)
    t = read_scheme_file(buf.getvalue(), "细则.docx")
    assert [i.name for i in t.items] == ["儿童免疫规划", "慢病管理", "医疗质量", "安全生产"]
    assert t.items[0].row == 3
