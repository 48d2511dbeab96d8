"""`weijian assess score … --format json` prints every unit's total, grade, rank and items with
their explanation fields; `export` writes the files."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from weijian.assessment.tests import helpers


@pytest.fixture
def scheme(city, users, reviewer, year):
    return helpers.scheme(city, users["admin"], year, reviewers=[reviewer])


def test_score_json_prints_totals_grades_ranks_and_explained_items(scheme, year):
    out = io.StringIO()
    call_command("assess", "score", str(scheme.pk), "--year", str(year), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    units = {u["unit"]: u for u in data["units"]}
    assert set(units) == {"甲县", "乙区"}
    a, b = units["甲县"], units["乙区"]
    # 甲县: 20 (96% ≥ 95%) + 10 (+2 pp) + 0 (no review yet) = 30; 乙区: 0 + 0 + 0.
    assert (a["total"], a["rank"], a["grade"]) == ("30", 1, "合格")
    assert (b["total"], b["rank"], b["grade"]) == ("0", 2, "不合格")
    first = a["items"][0]
    assert first["item"] == "免疫规划疫苗接种率" and first["points"] == "20"
    assert first["value"] == "96" and first["target"] == "95"
    assert first["numerator"] == "960" and first["denominator"] == "1000"
    assert first["rule"]["kind"] == "threshold" and "达到95%及以上得满分" in first["criterion"]
    assert "96%" in first["computation"] and first["source"].startswith("免疫规划疫苗接种率")
    assert first["evidence"] == []


def test_score_refuses_a_wrong_year(scheme, year):
    with pytest.raises(CommandError, match="年度"):
        call_command("assess", "score", str(scheme.pk), "--year", str(year + 1))


def test_export_writes_the_score_sheet(scheme, year, tmp_path):
    call_command("assess", "score", str(scheme.pk), "--year", str(year), stdout=io.StringIO())
    out = tmp_path / "评分表.xlsx"
    call_command(
        "assess", "export", str(scheme.pk), "--what", "scores", "--out", str(out), stdout=io.StringIO()
    )
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws.cell(1, 2).value == "单位"
    row = {ws.cell(r, 2).value: r for r in range(2, 4)}
    assert ws.cell(row["甲县"], 3).value == 30 and ws.cell(row["甲县"], 3).data_type == "n"


def test_notice_is_refused_before_the_decision(scheme, tmp_path):
    with pytest.raises(CommandError, match="审定后"):
        call_command(
            "assess", "export", str(scheme.pk), "--what", "notice", "--out", str(tmp_path / "n.docx")
        )


def test_score_after_preview_prints_the_snapshot_not_new_data(scheme, city, users, reviewer, year):
    from weijian.assessment import workflow
    from weijian.assessment.models import ItemScore, Stage
    from weijian.data.models import DataValue

    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    for unit in (city.county_a, city.county_b):
        workflow.review(
            reviewer,
            ItemScore.objects.get(result__scheme=scheme, result__org_unit=unit, item__num="3"),
            level="好",
            reason="好",
        )
    helpers.to_stage(scheme, users["admin"], Stage.PREVIEW)
    DataValue.objects.filter(org_unit=city.county_b, period__code=str(year), element__code="IMM_DONE").update(
        value=990
    )
    out = io.StringIO()
    call_command("assess", "score", str(scheme.pk), "--year", str(year), "--format", "json", stdout=out)
    b = next(u for u in json.loads(out.getvalue())["units"] if u["unit"] == "乙区")
    assert b["items"][0]["points"] == "0" and b["items"][0]["value"] == "90"
