"""`weijian extract`: JSON for machines, an aligned table for people, Chinese errors."""

from __future__ import annotations

import io
import json
import sys

from weijian.textmine.cli import fit, main, width

PLAN = (
    "2021年云溪市卫生健康工作要点\n"
    "一、提升服务能力\n"
    "（一）加强学科建设。新增重点专科3个。（责任领导：王五，责任科室：医政科）\n"
    "（二）推进信息化。覆盖率达到80%%。（责任领导：赵六，牵头科室：规财科）\n"
)


def run(argv, capsys, stdin: bytes | None = None):
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(argv)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_the_annotation_format_named_after_the_file(tmp_path, capsys):
    p = tmp_path / "要点.txt"
    p.write_text(PLAN, encoding="gb18030")
    code, out, err = run([str(p), "--format", "json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"doc", "kind", "region", "year", "sections", "tasks", "facts", "defects"}
    assert (data["doc"], data["kind"], data["region"], data["year"]) == ("要点.txt", "plan", "云溪市", 2021)
    assert [t["num"] for t in data["tasks"]] == ["一.（一）", "一.（二）"]
    assert data["tasks"][1]["lead_departments"] == ["规财科"]
    assert "云溪市" in out  # not escaped


def test_table_aligns_chinese_columns_by_display_width(tmp_path, capsys):
    p = tmp_path / "要点.txt"
    p.write_text(PLAN, encoding="utf-8")
    code, out, _ = run([str(p), "--format", "table"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "类型：工作计划" in out and "地区：云溪市" in out and "年度：2021" in out
    header = next(i for i, line in enumerate(lines) if line.startswith("编号") and "任务" in line)
    rule, row1, row2 = lines[header + 1], lines[header + 2], lines[header + 3]
    # The second column starts at the same display column on every row.
    col = width(rule.split("  ")[0]) + 2
    for line in (lines[header], row1, row2):
        prefix = ""
        for c in line:
            if width(prefix) >= col:
                break
            prefix += c
        assert width(prefix) == col
    assert "医政科" in row1 and "规财科" in row2
    assert "数字格式错误" in out


def test_fit_cuts_and_pads_by_display_width():
    assert width("卫生a") == 5
    assert fit("卫生健康委员会", 8) == "卫生健…" + " "
    assert width(fit("卫生健康委员会", 8)) == 8
    assert fit("ab", 4) == "ab  "


def test_dash_reads_standard_input(capsys):
    code, out, _ = run(["-"], capsys, stdin=PLAN.encode("utf-8"))
    assert code == 0 and json.loads(out)["doc"] == "标准输入"


def test_unreadable_file_gives_a_chinese_message_and_status_2(tmp_path, capsys):
    p = tmp_path / "扫描.pdf"
    p.write_bytes(b"%PDF-1.4\nbroken")
    code, out, err = run([str(p)], capsys)
    assert code == 2 and out == ""
    assert "扫描.pdf" in err and "无法读取" in err and "Traceback" not in err
    code, _, err = run([str(tmp_path / "没有.txt")], capsys)
    assert code == 2 and "找不到" in err


def test_weijian_command_dispatches_extract_without_django(tmp_path, capsys):
    from weijian.cli import main as weijian_main

    p = tmp_path / "a.txt"
    p.write_text("2020年全县卫生健康工作总结\n全县新增床位50张。", encoding="utf-8")
    assert weijian_main(["weijian", "extract", str(p)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "summary"
