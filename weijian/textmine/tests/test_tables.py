"""Task tables and notes on lines of their own, in every format a commission sends: Word tables
(merged cells, a header repeated on each page), Excel sheets (merged ranges), CSV in a Chinese
encoding, PDF tables, text files with `a | b | c` rows; and plans whose owners are written on a
line after the item. The documents are built here, in our own words."""

from __future__ import annotations

import io

import openpyxl
import pytest

from weijian.textmine import analyze, read
from weijian.textmine.tests.pdfmaker import table_pdf
from weijian.textmine.tests.test_read import _docx_bytes as _docx

HEADER = [
    "序号",
    "重点工作任务",
    "具体措施（细化分工）",
    "责任领导",
    "牵头单位",
    "责任科室",
    "配合单位",
    "完成时限",
]
ROWS = [
    ["1", "完善分级诊疗制度", "推进县域医共体建设", "刘一", "医政科", "基层科", "医保局", "6月底前"],
    ["", "", "扩大家庭医生签约覆盖面", "", "", "妇幼科", "", "年底前"],
    ["2", "加强公共卫生体系建设", "建设发热门诊", "陈二", "疾控科", "应急办、规财科", "", "第三季度"],
    ["3", "落实作风建设要求", "开展作风整治", "周三", "办公室", "", "", "长期坚持"],
]


def _owners(tasks) -> list[tuple]:
    return [(t.num, t.title, t.leaders, t.lead_departments, t.departments, t.deadline) for t in tasks]


EXPECTED = [
    ("1", "完善分级诊疗制度", ["刘一"], ["医政科"], ["基层科", "妇幼科"], "6月底前；年底前"),
    ("2", "加强公共卫生体系建设", ["陈二"], ["疾控科"], ["应急办", "规财科"], "第三季度"),
    ("3", "落实作风建设要求", ["周三"], ["办公室"], [], "长期坚持"),
]


def _word_table(d, rows, merge_first_task: bool = True):
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                t.cell(r, c).text = value
    if merge_first_task:
        # Task 1 spans rows 1–2 in the 序号, 任务, 领导 and 牵头 columns (merged cells).
        for c in (0, 1, 3, 4):
            t.cell(1, c).merge(t.cell(2, c))
    return t


def test_word_table_with_merged_cells_and_a_header_repeated_on_the_next_page():
    def build(d):
        d.add_paragraph("示范县2030年卫生健康重点工作任务分解表")
        _word_table(d, [HEADER, *ROWS[:2]])
        d.add_paragraph("— 1 —")
        _word_table(d, [HEADER, *ROWS[2:]], merge_first_task=False)

    doc = read(_docx(build), name="分解表.docx")
    a = analyze(doc)
    assert _owners(a.tasks) == EXPECTED
    # The partners (配合单位) are kept apart from the owners.
    assert a.tasks[0].partners == ["医保局"]
    # A merged cell's text is written once: the second row of task 1 has an empty task cell.
    assert doc.text.count("完善分级诊疗制度") == 1


def test_word_table_in_document_order_with_the_paragraphs():
    def build(d):
        d.add_paragraph("一、总体要求")
        d.add_paragraph("坚持以人民健康为中心。")
        _word_table(d, [HEADER, *ROWS], merge_first_task=False)
        d.add_paragraph("二、保障措施")

    doc = read(_docx(build), name="要点.docx")
    lines = doc.text.splitlines()
    assert lines[0] == "一、总体要求" and lines[-1] == "二、保障措施"
    assert lines[2].split("\t") == HEADER
    assert len(analyze(doc).tasks) == 3


def _xlsx(rows, merges=(), extra_sheet=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务台账"
    ws.append(["示范县2030年重点任务台账"])
    for row in rows:
        ws.append([int(v) if v.isdigit() else (v or None) for v in row])
    for rng in merges:
        ws.merge_cells(rng)
    if extra_sheet:
        ws2 = wb.create_sheet(extra_sheet[0])
        for row in extra_sheet[1]:
            ws2.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_ledger_with_merged_ranges():
    # Rows 3–4 of the sheet hold task 1 (title row first, then the header at row 2).
    rows = [HEADER, ROWS[0], ["", "", *ROWS[1][2:]], *ROWS[2:]]
    data = _xlsx(rows, merges=["A3:A4", "B3:B4", "D3:D4", "E3:E4"])
    doc = read(data, name="台账.xlsx")
    assert doc.format == "xlsx"
    assert _owners(analyze(doc).tasks) == EXPECTED


def test_xls_file_that_is_really_xlsx_is_read():
    doc = read(_xlsx([HEADER, *ROWS]), name="旧表.xls")
    assert [t.title for t in analyze(doc).tasks] == [r[1] for r in ROWS if r[1]]


def test_excel_header_names_vary_and_are_matched_by_keywords():
    header = ["编号", "工作事项", "分管领导", "牵头处室", "责任处室", "完成时间"]
    rows = [header, ["1", "建设区域医疗中心", "吴四", "规划处", "医政处、财务处", "2031年10月"]]
    (t,) = analyze(read(_xlsx(rows), name="清单.xlsx")).tasks
    assert (t.num, t.title, t.leaders, t.lead_departments, t.departments, t.deadline) == (
        "1",
        "建设区域医疗中心",
        ["吴四"],
        ["规划处"],
        ["医政处", "财务处"],
        "2031年10月",
    )


def test_a_second_sheet_of_other_figures_is_not_read_as_tasks():
    data = _xlsx([HEADER, *ROWS], extra_sheet=("指标", [["指标", "目标值"], ["孕产妇死亡率", "10/10万以下"]]))
    assert len(analyze(read(data, name="台账.xlsx")).tasks) == 3


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "gbk", "utf-16"])
def test_csv_in_a_chinese_encoding(encoding):
    lines = [",".join(HEADER)] + [",".join(f'"{c}"' if "、" in c else c for c in r) for r in ROWS]
    text = "\r\n".join(lines)
    doc = read(text.encode(encoding), name="任务.csv")
    assert doc.format == "csv"
    tasks = analyze(doc).tasks
    assert [t.title for t in tasks] == ["完善分级诊疗制度", "加强公共卫生体系建设", "落实作风建设要求"]
    assert tasks[1].departments == ["应急办", "规财科"]


def test_pdf_table_is_read_as_rows():
    rows = [["序号", "工作任务", "责任科室", "完成时限"], ["1", "推进家庭医生签约", "基层科", "6月底"]]
    rows.append(["2", "开展癌症早期筛查", "疾控科、妇幼科", "年底前"])
    doc = read(table_pdf("2030年任务分解表", rows), name="分解表.pdf")
    tasks = analyze(doc).tasks
    assert [(t.num, t.title, t.departments, t.deadline) for t in tasks] == [
        ("1", "推进家庭医生签约", ["基层科"], "6月底"),
        ("2", "开展癌症早期筛查", ["疾控科", "妇幼科"], "年底前"),
    ]


def test_text_file_with_pipe_rows():
    text = (
        "2030年重点任务清单\n"
        "| 序号 | 工作任务 | 责任领导 | 牵头科室 | 完成时限 |\n"
        "|---|---|---|---|---|\n"
        "| 1 | 建成胸痛中心 | 郑五 | 医政科 | 9月底前 |\n"
        "| 2 | 完成老年人健康体检 | 郑五 | 老龄科 | 年底前 |\n"
        "| 序号 | 工作任务 | 责任领导 | 牵头科室 | 完成时限 |\n"
        "| 3 | 推进智慧医院建设 | 冯六 | 信息科 | 长期坚持 |\n"
    )
    tasks = analyze(read(text.encode(), name="清单.txt")).tasks
    assert [(t.num, t.title, t.leaders, t.lead_departments, t.deadline) for t in tasks] == [
        ("1", "建成胸痛中心", ["郑五"], ["医政科"], "9月底前"),
        ("2", "完成老年人健康体检", ["郑五"], ["老龄科"], "年底前"),
        ("3", "推进智慧医院建设", ["冯六"], ["信息科"], "长期坚持"),
    ]


def test_an_indicator_table_without_owner_columns_gives_no_tasks():
    text = "指标\t2029年\t2030年目标\n人均预期寿命\t78.5岁\t79岁\n"
    assert analyze(text).tasks == []


def test_owner_note_on_the_lines_after_the_item():
    text = (
        "示范县2030年健康工作要点\n"
        "一、提升医疗服务\n"
        "（一）推进紧密型医共体建设。完善牵头医院与成员单位的分工。\n"
        "牵头责任单位：县卫健委、县医保局\n"
        "主要协作单位：县财政局、县人社局\n"
        "（二）加强急救体系建设。\n"
        "责任领导：褚七\n"
        "责任科室：医政股\n"
        "完成时限：2030年10月\n"
    )
    a = analyze(text)
    assert [
        (t.num, t.title, t.lead_departments, t.partners, t.leaders, t.departments, t.deadline)
        for t in a.tasks
    ] == [
        (
            "一.（一）",
            "推进紧密型医共体建设",
            ["县卫健委", "县医保局"],
            ["县财政局", "县人社局"],
            [],
            [],
            None,
        ),
        ("一.（二）", "加强急救体系建设", [], [], ["褚七"], ["医政股"], "2030年10月"),
    ]
    # Each task's 主要协作单位 line is a formula, not a duplicated sentence.
    assert not [d for d in a.defects if d.type == "duplicate_sentence"]


def test_a_responsibility_heading_with_the_units_on_the_next_line():
    text = (
        "（一）开展爱国卫生运动。巩固卫生县城创建成果。\n"
        "责任单位\n"
        "县卫健委、各乡镇人民政府\n"
        "（二）做好食品安全风险监测。\n"
        "责任单位：\n"
        "县疾控中心\n"
    )
    tasks = analyze(text).tasks
    assert [(t.num, t.title, t.departments) for t in tasks] == [
        ("（一）", "开展爱国卫生运动", ["县卫健委", "各乡镇人民政府"]),
        ("（二）", "做好食品安全风险监测", ["县疾控中心"]),
    ]


def test_government_work_report_breakdown_of_unnumbered_paragraphs():
    text = (
        "《政府工作报告》重点任务分解\n"
        "一、持续增进民生福祉\n"
        "实施健康县城建设行动，新建村卫生室10个。\n"
        "牵头单位：县卫健委\n"
        "推进养老服务体系建设，新增养老床位200张。\n"
        "牵头单位：县民政局\n"
        "配合单位：县卫健委\n"
        "办好民生实事，兑现承诺。\n"
        "责任单位：县政府办\n"
    )
    tasks = analyze(text).tasks
    assert [(t.num, t.title, t.lead_departments + t.departments, t.partners) for t in tasks] == [
        (None, "实施健康县城建设行动，新建村卫生室10个", ["县卫健委"], []),
        (None, "推进养老服务体系建设，新增养老床位200张", ["县民政局"], ["县卫健委"]),
        (None, "办好民生实事，兑现承诺", ["县政府办"], []),
    ]
