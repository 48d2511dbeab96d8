"""Plan import of the documents commissions send: Word task tables, Excel 台账, owner notes on
their own lines, text files with pipe rows — tasks, owners and deadlines reach the draft, the
plan and the command line; and a huge document is refused or bounded, not left to run."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.management import call_command

from weijian.plans import importing
from weijian.plans.models import PlanDraft, Task
from weijian.textmine.tests.test_read import _docx_bytes
from weijian.textmine.tests.test_tables import HEADER, ROWS, _word_table, _xlsx

YEAR = 2030


def _tasks(proposal) -> list[tuple]:
    return [
        (t["num"], t["title"], t["leaders"], t["lead_departments"], t["departments"], t["deadline"])
        for t in proposal["tasks"]
    ]


EXPECTED = [
    ("1", "完善分级诊疗制度", ["刘一"], ["医政科"], ["基层科", "妇幼科"], "2030-12-31"),
    ("2", "加强公共卫生体系建设", ["陈二"], ["疾控科"], ["应急办", "规财科"], "2030-09-30"),
    ("3", "落实作风建设要求", ["周三"], ["办公室"], [], None),
]


def _ledger() -> bytes:
    rows = [HEADER, ROWS[0], ["", "", *ROWS[1][2:]], *ROWS[2:]]
    return _xlsx(rows, merges=["A3:A4", "B3:B4", "D3:D4", "E3:E4"])


def test_excel_ledger_gives_tasks_owners_and_deadlines_and_the_plan_keeps_them(cat, users, city):
    text = importing.read_text(_ledger(), "台账.xlsx")
    proposal = importing.propose(text, YEAR)
    assert _tasks(proposal) == EXPECTED
    assert proposal["tasks"][0]["partners"] == ["医保局"]
    # The 序号 column is neither a number to check nor a quantity of the plan.
    assert proposal["unknown"] == [] and proposal["facts"] == []
    draft = PlanDraft.objects.create(user=users["admin"], file_name="台账.xlsx", year=YEAR, proposal=proposal)
    # 基层科 resembles the existing 基层卫生健康科: the import asks, and here it is a new one.
    assert importing.pending_departments(draft.proposal) == {"基层科": "基层卫生健康科"}
    importing.decide_department(draft, "基层科", "")
    plan = importing.confirm(draft, users["admin"], area=city.city)
    tasks = list(plan.tasks.order_by("order"))
    assert [t.deadline for t in tasks] == [date(2030, 12, 31), date(2030, 9, 30), None]
    first = tasks[0]
    assert first.leader_names() == ["刘一"]
    assert first.department_names(lead=True) == ["医政科"]
    assert first.department_names(lead=False) == ["基层科", "妇幼科"]


def test_word_task_table_with_merged_cells(cat):
    def build(d):
        d.add_paragraph("示范县2030年重点工作任务分解表")
        _word_table(d, [HEADER, *ROWS])

    proposal = importing.propose(importing.read_text(_docx_bytes(build), "分解表.docx"), YEAR)
    assert _tasks(proposal) == EXPECTED


def test_line_notes_in_a_word_document(cat):
    def build(d):
        for line in (
            "示范县2030年卫生健康工作要点",
            "一、提升医疗服务",
            "（一）推进紧密型医共体建设。完善牵头医院与成员单位的分工。",
            "责任领导：褚七",
            "牵头责任单位：医政股、基层股",
            "主要协作单位：县医保局",
            "完成时限：2030年10月",
            "（二）做好老年人健康管理。",
            "责任单位",
            "老龄股",
            "完成时限：上半年",
        ):
            d.add_paragraph(line)

    proposal = importing.propose(importing.read_text(_docx_bytes(build), "要点.docx"), YEAR)
    assert _tasks(proposal) == [
        ("一.（一）", "推进紧密型医共体建设", ["褚七"], ["医政股", "基层股"], [], "2030-10-31"),
        ("一.（二）", "做好老年人健康管理", [], [], ["老龄股"], "2030-06-30"),
    ]


def test_pipe_table_in_a_text_file(cat):
    text = (
        "2030年重点任务清单\n"
        "| 序号 | 工作任务 | 责任领导 | 牵头科室 | 责任科室 | 完成时限 |\n"
        "|---|---|---|---|---|---|\n"
        "| 1 | 建成胸痛中心 | 郑五 | 医政科 | 急救站 | 9月底前 |\n"
        "| 2 | 完成老年人健康体检 | 郑五 | 老龄科 |  | 2031年3月 |\n"
    )
    proposal = importing.propose(importing.read_text(text.encode("gb18030"), "清单.txt"), YEAR)
    assert _tasks(proposal) == [
        ("1", "建成胸痛中心", ["郑五"], ["医政科"], ["急救站"], "2030-09-30"),
        ("2", "完成老年人健康体检", ["郑五"], ["老龄科"], [], "2031-03-31"),
    ]


@pytest.mark.parametrize(
    "written,expected",
    [
        ("年底前", date(2030, 12, 31)),
        ("年末", date(2030, 12, 31)),
        ("6月底", date(2030, 6, 30)),
        ("第三季度", date(2030, 9, 30)),
        ("上半年", date(2030, 6, 30)),
        ("2024年10月", date(2024, 10, 31)),
        ("2031年2月底前", date(2031, 2, 28)),
        ("2030-11-15", date(2030, 11, 15)),
        ("长期坚持", None),
        ("持续推进", None),
        ("6月底前；年底前", date(2030, 12, 31)),
        ("", None),
    ],
)
def test_task_deadline_as_a_commission_writes_it(written, expected):
    assert importing.task_deadline(written, YEAR) == expected


def test_cli_dry_run_prints_the_tasks_of_an_excel_ledger(cat, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_ledger())
    out = io.StringIO()
    call_command(
        "plan", "import", str(path), "--year", str(YEAR), "--dry-run", "--format", "json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert [
        (t["num"], t["title"], t["leaders"], t["lead_departments"], t["departments"], t["deadline"])
        for t in result["tasks"]
    ] == EXPECTED
    assert not Task.objects.exists()


def test_cli_extract_prints_the_tasks_of_an_excel_ledger(tmp_path, capsys):
    from weijian.textmine.cli import main

    path = tmp_path / "台账.xlsx"
    path.write_bytes(_ledger())
    assert main([str(path), "--format", "json"]) in (0, None)
    result = json.loads(capsys.readouterr().out)
    assert [(t["num"], t["title"], t["deadline"]) for t in result["tasks"]] == [
        ("1", "完善分级诊疗制度", "6月底前；年底前"),
        ("2", "加强公共卫生体系建设", "第三季度"),
        ("3", "落实作风建设要求", "长期坚持"),
    ]


# --- Bounded work (issue 7, defect 7) ----------------------------------------------------------


def _many_paragraphs_docx(n: int, text: str = "12") -> bytes:
    """A small .docx that unpacks to `n` paragraphs, written directly as XML."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" * n
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def test_a_small_docx_of_200000_paragraphs_is_refused_before_it_is_parsed(monkeypatch):
    data = _many_paragraphs_docx(200_000)
    assert len(data) < 200_000  # a small upload
    calls = []
    monkeypatch.setattr(importing.textmine, "read", lambda *a, **k: calls.append(a))
    with pytest.raises(importing.ImportError_) as info:
        importing.read_text(data, "要点.docx")
    assert "“要点.docx”" in str(info.value) and str(importing.MAX_LINES) in str(info.value)
    assert calls == []  # refused before the document was parsed


def test_unknown_numbers_are_found_in_one_linear_sweep_and_the_draft_keeps_a_bounded_list():
    n = 60_000
    text = "".join(f"第{i}项完成{i}个\n" for i in range(n))
    # Every other line's count is a quantity the analysis read ("…个"); the rest are not.
    covered = []
    pos = 0
    for i in range(n):
        line = f"第{i}项完成{i}个\n"
        if i % 2 == 0:
            a = pos + line.index("完成") + 2
            covered.append((a, a + len(str(i)) + 1))
        pos += len(line)
    work: list[int] = []
    shown, total = importing._unknown_numbers(text, covered, work=work)
    assert total == n // 2
    assert len(shown) == importing.MAX_UNKNOWN
    numbers = 2 * n  # the ordinal after 第 and the count on each line
    assert work[0] <= 3 * (numbers + len(covered))  # linear: a quadratic scan needs ~n² steps


def test_cli_import_does_not_create_a_near_duplicate_department(cat, users, tmp_path):
    from django.core.management.base import CommandError

    from weijian.orgs.models import Department

    path = tmp_path / "台账.xlsx"
    path.write_bytes(_ledger())  # names 基层科, close to the existing 基层卫生健康科
    with pytest.raises(CommandError, match="基层科"):
        call_command("plan", "import", str(path), "--year", str(YEAR), stdout=io.StringIO())
    assert not Department.objects.filter(name="基层科").exists() and not Task.objects.exists()
