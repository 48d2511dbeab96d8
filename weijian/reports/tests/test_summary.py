"""The year-end summary drafted on the demo city: a 公文 Word file whose every figure equals the
platform's aggregate for it, which the proofreader passes, and whose planted errors it flags."""

import io
from datetime import date
from decimal import Decimal

import docx
import pytest
from django.core.management import call_command
from docx.oxml.ns import qn
from docx.shared import Mm

from weijian.accounts.models import User
from weijian.data import aggregate
from weijian.demo.loader import load_demo
from weijian.indicators.models import Indicator
from weijian.orgs.models import OrgUnit
from weijian.reports.figures import diff
from weijian.reports.models import Report
from weijian.reports.proofread import proofread

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo(today=TODAY, counties=2)
        yield
        from django.core.management import call_command as cc

        cc("flush", interactive=False, verbosity=0)


@pytest.fixture
def drafted(demo, db, tmp_path):
    out = tmp_path / "总结.docx"
    call_command("report", "draft", "--org", "990100", "--year", "2026", "--out", str(out))
    return out, Report.objects.latest("pk")


def _body_text(d) -> str:
    return "\n".join(p.text for p in d.paragraphs)


def test_draft_is_a_gongwen(drafted):
    out, _ = drafted
    d = docx.Document(str(out))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    for p in d.paragraphs:
        for r in p.runs:
            if r.text.strip():
                assert r._r.rPr.rFonts.get(qn("w:eastAsia")), r.text
    body = [p for p in d.paragraphs if p.text.startswith("从主要指标看")][0]
    assert abs(body.paragraph_format.line_spacing.pt - Mm(225).pt / 22) < 0.1
    assert body.runs[0].font.size.pt == 16
    assert "PAGE" in "".join(t.text for t in s.footer.paragraphs[0]._p.iter(qn("w:instrText")))
    assert d.inline_shapes, "the trend and ranking charts are embedded"
    assert any(p.text == "附件" for p in d.paragraphs)


def test_every_figure_in_the_text_equals_the_platform_aggregate(drafted):
    out, report = drafted
    text = _body_text(docx.Document(str(out)))
    values = [f for f in report.figures if f["kind"] == "value"]
    assert len(values) >= 8
    for f in values:
        ind = Indicator.objects.get(code=f["indicator"])
        org = OrgUnit.objects.get(code=f["unit"])
        fig = aggregate.value(ind, org, f["period"])
        assert fig.text == f["text"], f
        assert f["text"] in text
        assert f["link"] == f"/analysis/?target={ind.code}&org_unit={org.code}&period={f['period']}"
        if fig.denominator is not None:
            assert Decimal(f["denominator"]) == fig.denominator
    for f in (f for f in report.figures if f["kind"] == "change"):
        ch = aggregate.yoy(
            Indicator.objects.get(code=f["indicator"]), OrgUnit.objects.get(code=f["unit"]), f["period"]
        )
        assert ch.text == f["text"] and f"同比{f['text']}" in text


def test_drafted_report_passes_the_proofreader(drafted):
    out, _ = drafted
    admin = User.objects.get(username="admin")
    result = proofread(out.read_bytes(), out.name, admin)
    assert result.findings == []
    assert result.checked, "the figures were compared with the database"


def test_planted_errors_are_each_flagged(drafted):
    out, report = drafted
    admin = User.objects.get(username="admin")
    d = docx.Document(str(out))
    target = next(p for p in d.paragraphs if p.text.startswith("从主要指标看"))
    value = next(
        f
        for f in report.figures
        if f["kind"] == "value" and f["text"] in target.text and f["text"].endswith("%")
    )
    wrong = f"{Decimal(value['text'][:-1]) + Decimal('7.5'):.2f}%"
    first = target.runs[0]
    first.text = first.text.replace(value["text"], wrong, 1)
    dup = next(p for p in d.paragraphs if p.text.startswith("对照年度目标"))
    sentence = dup.text.split("。")[0] + "。"
    dup.runs[-1].text += sentence  # the same sentence twice
    extra = target.insert_paragraph_before("甲镇、乙镇和丙镇的签约率分别为80.1%、79.5%。")
    extra.add_run("全年门诊满意度88.1%%。")
    buf = io.BytesIO()
    d.save(buf)
    result = proofread(buf.getvalue(), "改稿.docx", admin)
    kinds = {f.type for f in result.findings}
    assert {"duplicate_sentence", "count_mismatch", "malformed_number", "db_mismatch"} <= kinds
    mismatch = next(f for f in result.findings if f.type == "db_mismatch" and f.text == wrong)
    assert value["text"] in mismatch.note and mismatch.link == value["link"]


def test_a_redraft_after_the_data_changed_shows_the_changed_figure(
    drafted, tmp_path, django_capture_on_commit_callbacks
):
    from weijian.data.models import DataValue

    _, first = drafted
    f = next(f for f in first.figures if f["kind"] == "value" and f["denominator"])
    ind = Indicator.objects.get(code=f["indicator"])
    code = ind.numerator.split()[0].strip("()")
    dv = DataValue.objects.filter(element__code=code, period__code__startswith="2026").first()
    dv.value = dv.value + 500
    with django_capture_on_commit_callbacks(execute=True):  # the save commits: totals follow
        dv.save()
    call_command("report", "draft", "--org", "990100", "--year", "2026", "--out", str(tmp_path / "2.docx"))
    second = Report.objects.latest("pk")
    assert second.previous() == first
    changed = {c.key for c in diff(first.figures, second.figures)}
    assert f["key"] in changed


def test_charts_are_the_analysis_page_charts(drafted):
    from weijian.web import dashboard

    _, report = drafted
    charts = [b for b in report.content["blocks"] if b["kind"] == "chart"]
    assert {c["source"]["view"] for c in charts} == {"trend", "children"}
    for c in charts:
        src = c["source"]
        a = dashboard.analyse(
            Indicator.objects.get(code=src["target"]),
            OrgUnit.objects.get(code=src["org_unit"]),
            src["period"],
        )
        page = a.trend.as_chart() if src["view"] == "trend" else a.children_chart.as_chart()
        assert c["chart"] == page


def test_a_county_summary_states_the_county_figures_and_passes_the_proofreader(demo, db, tmp_path):
    out = tmp_path / "县.docx"
    call_command("report", "draft", "--org", "990121", "--year", "2026", "--out", str(out))
    report = Report.objects.latest("pk")
    assert report.title == "云川县卫生健康局2026年工作总结"
    values = [f for f in report.figures if f["kind"] == "value"]
    assert values and {f["unit"] for f in values} == {"990121"}
    for f in values:
        fig = aggregate.value(
            Indicator.objects.get(code=f["indicator"]), OrgUnit.objects.get(code="990121"), "2026"
        )
        assert fig.text == f["text"]
    county_user = User.objects.get(username="county")
    assert proofread(out.read_bytes(), out.name, county_user).findings == []
