"""The downloads: the 评分表 keeps numbers numeric and never lets a text cell run as a formula;
the 反馈单 lists a unit's items, lost points and gains; the 通报 has its basis, method, 等次
lists, ranking table, problems and requirements."""

import io
from decimal import Decimal as D

import pytest
from docx import Document
from openpyxl import load_workbook

from weijian.assessment import exports, workflow
from weijian.assessment.models import ItemScore, Result, Stage
from weijian.assessment.tests import helpers


@pytest.fixture
def scheme(city, users, reviewer, year):
    s = helpers.scheme(city, users["admin"], year, reviewers=[reviewer])
    helpers.to_stage(s, users["admin"], Stage.REVIEW)
    for unit, level in ((city.county_a, "好"), (city.county_b, "一般")):
        workflow.review(
            reviewer,
            ItemScore.objects.get(result__scheme=s, result__org_unit=unit, item__num="3"),
            level=level,
            reason="评审",
        )
    return s


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_text_that_looks_like_a_formula_is_escaped(scheme, city, name):
    item = scheme.items.get(num="1")
    type(item).objects.filter(pk=item.pk).update(name=name)  # past the lock: the scheme is issued
    ws = load_workbook(io.BytesIO(exports.scores_xlsx(scheme))).active
    head = [c.value for c in ws[1]]
    cell = next(h for h in head if h and name in h)
    assert not str(cell).startswith(("=", "+", "-", "@"))
    wb = load_workbook(io.BytesIO(exports.scheme_xlsx(scheme)))
    names = [c.value for c in wb.active["B"]]
    assert "'" + name in names


def test_score_sheet_cells_are_numbers(scheme, city):
    ws = load_workbook(io.BytesIO(exports.scores_xlsx(scheme))).active
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    a = rows["甲县"]
    assert ws.cell(a, 1).value == 1 and ws.cell(a, 3).value == 40 and ws.cell(a, 3).data_type == "n"
    assert ws.cell(a, 5).value == 20  # item 1 points
    detail = load_workbook(io.BytesIO(exports.scores_xlsx(scheme)))["计算过程"]
    first = [c.value for c in detail[2]]
    assert (
        first[:4] == ["甲县", "免疫规划疫苗接种率", 20, 20]
        and first[4] == 96
        and first[6] == 960
        and first[7] == 1000
    )


def test_feedback_lists_items_lost_points_and_gains(scheme, city):
    b = Result.objects.get(scheme=scheme, org_unit=city.county_b)
    text = _text(exports.feedback_docx(b))
    assert "乙区" in text and "总分6分（满分40分）" in text  # 0 + 0 + 6 (一般) + 0
    assert "免疫规划疫苗接种率：失20分" in text
    assert "达到95%可再得20分" in text
    assert "第" not in text.split("总分")[1].split("。")[0], "no rank before publication"


def test_notice_has_basis_method_grades_ranking_problems_requirements(scheme, city, users):
    scheme.basis = "依据《示例市考核办法》"
    scheme.requirements = "各县区于一个月内报送整改情况。"
    scheme.save(update_fields=["basis", "requirements"])
    helpers.to_stage(scheme, users["admin"], Stage.DECIDED)
    text = _text(exports.notice_docx(scheme))
    for part in (
        "考核依据",
        "依据《示例市考核办法》",
        "考核方法",
        "考核共设5项细则",
        "考核结果",
        "存在问题",
        "工作要求",
        "各县区于一个月内报送整改情况。",
    ):
        assert part in text, part
    assert "优秀（1个）：甲县" in text and "不合格（1个）：乙区" in text
    assert "“免疫规划疫苗接种率”有1个单位失分" in text
    lines = text.splitlines()
    assert lines.index("甲县") < lines.index("乙区"), "the ranking table lists 甲县 first"


del D


def test_scheme_exports_to_word_and_reads_back_with_the_same_items_and_rules(scheme):
    from weijian.assessment.schemefile import read_scheme_file

    table = read_scheme_file(exports.scheme_docx(scheme), "考核细则.docx")
    ours = list(scheme.items.order_by("order", "pk"))
    assert [i.name for i in table.items] == [i.name for i in ours]
    assert [i.points for i in table.items] == [i.points for i in ours]
    assert table.declared_total == sum(i.points for i in ours)
    kinds = [i.reading.rule.kind if i.reading.rule else None for i in table.items]
    assert kinds == [i.rule_kind for i in ours]


def test_scheme_word_export_page_follows_the_scheme_scope(client, scheme, users):
    client.force_login(users["admin"])
    response = client.get(f"/assessment/{scheme.pk}/scheme.docx")
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    client.force_login(users["inst"])  # an institution is not assessed by a 县区 scheme
    assert client.get(f"/assessment/{scheme.pk}/scheme.docx").status_code in (403, 404)
