"""Import: proposal, corrections on the draft, confirmation, owner matching, the CLI."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from weijian.orgs.models import Department, Leader
from weijian.plans import importing
from weijian.plans.models import Plan, PlanDraft, Scope, Target, Task
from weijian.plans.tests import helpers


def test_proposal_reads_targets_with_scope_deadline_and_catalogue_link(cat, users):
    draft = helpers.draft_for(users["admin"], 2030)
    targets = {g["text"]: g for g in draft.proposal["targets"]}
    assert set(targets) == {"100张", "95%以上", "70%"}
    beds = targets["100张"]
    assert (beds["code"], beds["cmp"], beds["value"], beds["unit"], beds["scope"], beds["deadline"]) == (
        "NEW_BEDS",
        "=",
        100,
        "张",
        Scope.CITY,
        "2030-12-31",
    )
    imm = targets["95%以上"]
    assert (imm["code"], imm["cmp"], imm["scope"]) == ("IMM_RATE", ">=", Scope.TOWNSHIP)
    assert targets["70%"]["code"] == "HTN_RATE"
    task_nums = {t["key"]: t["num"] for t in draft.proposal["tasks"]}
    assert task_nums[beds["task"]] == "一.（一）"
    assert task_nums[targets["70%"]["task"]] == "二.（一）"


def test_non_target_quantity_is_offered_and_unknown_number_is_marked(cat, users):
    draft = helpers.draft_for(users["admin"], 2030)
    assert [f["text"] for f in draft.proposal["facts"]] == ["3个"]
    # "第1轮" would be an ordinal; "6月底" a date: neither is reported as not understood.
    assert draft.proposal["unknown"] == []
    text = helpers.PLAN_TEXT.replace("持续开展机关作风整顿", "开展作风整顿12次")
    draft = helpers.draft_for(users["admin"], 2030, text=text, analysis=helpers.plan_analysis(text))
    assert [u["text"] for u in draft.proposal["unknown"]] == ["12"]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("年底前完成", date(2030, 12, 31)),
        ("6月底前完成", date(2030, 6, 30)),
        ("九月份前完成", date(2030, 9, 30)),
        ("第三季度完成", date(2030, 9, 30)),
        ("上半年完成", date(2030, 6, 30)),
        ("持续推进", date(2030, 12, 31)),
    ],
)
def test_deadline_is_read_from_the_sentence(sentence, expected):
    assert importing.infer_deadline(sentence, 2030) == expected


def test_scope_per_township_and_per_county():
    assert importing.infer_scope("以乡镇为单位接种率达到95%") == Scope.TOWNSHIP
    assert importing.infer_scope("各县（市、区）完成率达到90%") == Scope.COUNTY
    assert importing.infer_scope("全市新增床位100张") == Scope.CITY


def test_corrections_relink_change_drop_and_split(cat, users, city):
    draft = helpers.draft_for(users["admin"], 2030)
    keys = {g["text"]: g["key"] for g in draft.proposal["targets"]}
    importing.correct_target(draft, keys["70%"], {"code": "", "value": "72", "cmp": ">="})
    importing.correct_target(draft, keys["95%以上"], {"include": False})
    parts = importing.split_target_by_county(draft, keys["100张"], city.city)
    assert [p["org_code"] for p in parts] == [city.county_a.code, city.county_b.code]
    plan = importing.confirm(PlanDraft.objects.get(pk=draft.pk), users["admin"], area=city.city)
    htn = plan.targets.get(phrase="高血压患者规范管理率")
    assert (htn.indicator, htn.value, htn.cmp) == (None, 72, ">=")
    assert not plan.targets.filter(phrase__contains="接种率").exists()
    assert sorted(plan.targets.filter(scope=Scope.UNIT).values_list("org_unit__name", flat=True)) == [
        "乙区",
        "甲县",
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        ({"code": "NO_SUCH"}, "不在指标目录中"),
        ({"value": "十"}, "不是数字"),
        ({"deadline": "2031-01-01"}, "不在计划年度"),
        ({"deadline": "明年"}, "不是有效日期"),
        ({"scope": "world"}, "范围"),
    ],
)
def test_bad_correction_is_refused_and_changes_nothing(cat, users, data, message):
    draft = helpers.draft_for(users["admin"], 2030)
    key = draft.proposal["targets"][0]["key"]
    before = dict(draft.proposal["targets"][0])
    with pytest.raises(importing.CorrectionError, match=message):
        importing.correct_target(draft, key, {**data, "unit": "个"})
    draft.refresh_from_db()
    assert draft.proposal["targets"][0] == before


def test_confirm_matches_existing_people_and_departments_without_duplicates(cat, users, city):
    Department.objects.create(name="医政医管科")
    Department.objects.create(name="疾病预防控制科", aliases=["疾控科"])
    Leader.objects.create(name="张明")
    plan = helpers.make_plan(users["admin"], city, 2030)
    assert Department.objects.filter(name__in=["疾控科", "疾病预防控制科"]).count() == 1
    assert Leader.objects.filter(name="张明").count() == 1
    t = plan.tasks.get(num="二.（一）")
    assert t.leader_names() == ["张明"]
    assert t.department_names() == ["疾病预防控制科", "基层卫生健康科"]
    t2 = plan.tasks.get(num="一.（二）")
    # "各相关分管领导" is a role, kept as written but not made a person.
    assert t2.leader_names() == ["李华", "各相关分管领导"]
    assert not Leader.objects.filter(name__startswith="各").exists()
    assert t2.department_names(lead=True) == ["医政医管科"]
    assert plan.tasks.count() == 4 and plan.targets.count() == 3
    assert not PlanDraft.objects.exists()
    assert plan.sections.filter(level=1).count() == 2
    assert t.section.num == "二"


def test_task_correction_changes_owners(cat, users, city):
    draft = helpers.draft_for(users["admin"], 2030)
    key = draft.proposal["tasks"][3]["key"]
    importing.correct_task(draft, key, {"leaders": "王强、赵丽", "departments": "办公室，宣传科"})
    with pytest.raises(importing.CorrectionError, match="至少需要一个"):
        importing.correct_task(draft, key, {"departments": "", "lead_departments": ""})
    plan = importing.confirm(PlanDraft.objects.get(pk=draft.pk), users["admin"], area=city.city)
    assert plan.tasks.get(num="二.（二）").leader_names() == ["王强", "赵丽"]


def test_promoted_quantity_becomes_a_target(cat, users, city):
    draft = helpers.draft_for(users["admin"], 2030)
    importing.promote_fact(draft, 0)
    assert "3个" in [g["text"] for g in draft.proposal["targets"]]
    assert draft.proposal["facts"] == []


def test_unreadable_upload_names_the_file(users):
    with pytest.raises(importing.ImportError_, match="“要点.pptx”的格式不支持"):
        importing.read_text(b"abc", "要点.pptx")
    # .xls is accepted when it is really .xlsx; an old binary .xls is asked to be saved as .xlsx.
    with pytest.raises(importing.ImportError_, match="“要点.xls”.*另存为 .xlsx"):
        importing.read_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "要点.xls")
    with pytest.raises(importing.ImportError_, match="空文件"):
        importing.read_text(b"", "要点.txt")
    with pytest.raises(importing.ImportError_, match="无法读取"):
        importing.read_text(b"PK\x03\x04 not really a docx", "要点.docx")


def test_cli_dry_run_prints_json_and_saves_nothing(cat, db, tmp_path, monkeypatch):
    path = tmp_path / "要点.txt"
    path.write_text(helpers.PLAN_TEXT, encoding="gb18030")
    monkeypatch.setattr(importing, "propose", _fixed_propose)
    out = io.StringIO()
    call_command("plan", "import", str(path), "--year", "2030", "--dry-run", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [t["num"] for t in data["tasks"]] == ["一.（一）", "一.（二）", "二.（一）", "二.（二）"]
    assert data["tasks"][0]["leaders"] == ["张明"] and data["tasks"][0]["departments"] == ["基层卫生健康科"]
    beds = data["targets"][0]
    assert beds == {
        "task": "一.（一）",
        "indicator": "NEW_BEDS",
        "phrase": "新增基层床位",
        "text": "100张",
        "cmp": "=",
        "value": 100,
        "unit": "张",
        "scope": "city",
        "org_unit": None,
        "deadline": "2030-12-31",
    }
    assert not Plan.objects.exists() and not Task.objects.exists() and not Target.objects.exists()


_real_propose = importing.propose


def _fixed_propose(text, year=None, analysis=None):
    # The document engine is tested on its own; here the text it read must be ours, decoded.
    assert "示例市卫生健康工作要点" in text
    return _real_propose(text, year, analysis=helpers.plan_analysis(text))


def test_cli_import_saves_plan(cat, city, users, tmp_path, monkeypatch):
    path = tmp_path / "要点.txt"
    path.write_text(helpers.PLAN_TEXT, encoding="utf-8")
    monkeypatch.setattr(importing, "propose", _fixed_propose)
    out = io.StringIO()
    call_command("plan", "import", str(path), "--year", "2030", stdout=out)
    plan = Plan.objects.get()
    assert plan.tasks.count() == 4 and plan.org_unit == city.city
    assert "4项任务" in out.getvalue()


def test_scope_of_one_target_does_not_leak_into_the_next():
    text = "年底前签约覆盖率达到40%以上，各县（市、区）建档率达到90%以上。以乡镇为单位，接种率达到95%。"
    assert importing.infer_scope(importing._scope_context(text, text.index("40%"))) == Scope.CITY
    assert importing.infer_scope(importing._scope_context(text, text.index("90%"))) == Scope.COUNTY
    assert importing.infer_scope(importing._scope_context(text, text.index("95%"))) == Scope.TOWNSHIP


def test_phrase_loses_the_deadline_written_before_it():
    assert importing.clean_phrase("年底前高血压患者规范管理率") == "高血压患者规范管理率"
    assert importing.clean_phrase("确保今年全市新增儿科床位") == "新增儿科床位"
    assert importing.clean_phrase("年底") == "年底"


def test_new_in_front_of_a_list_applies_to_each_item():
    assert importing._distribute_new("产科床位", "确保全市新增儿科床位100张、") == "新增产科床位"
    assert importing._distribute_new("接种率", "新增床位100张，") == "接种率"


def test_docx_upload_is_read_into_text():
    from docx import Document

    doc = Document()
    for line in helpers.PLAN_TEXT.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    text = importing.read_text(buf.getvalue(), "要点.docx")
    assert "（一）推进基层医疗机构建设" in text and "责任科室：基层卫生健康科" in text


def test_a_count_of_a_named_thing_links_to_the_catalogue_name_that_counts_it():
    from weijian.plans.importing import _link_by_counted_noun

    names = {"临床路径管理病种数": "PATHWAY", "日间手术病种数": "DAY_SURGERY", "儿科床位数": "PAED_BEDS"}
    text = "各县级医院全面推行临床路径管理，力争不少于80个病种，覆盖15个专业。"
    start = text.index("80个")
    assert _link_by_counted_noun(text, start, start + 3, "个", names) == "PATHWAY"
    # the thing counted is named in no catalogue indicator: no link
    start = text.index("15个")
    assert _link_by_counted_noun(text, start, start + 3, "个", names) is None
    # the noun alone, with nothing else of the name in the sentence, links nothing
    text = "新建病房，收治不少于30个病种。"
    start = text.index("30个")
    assert _link_by_counted_noun(text, start, start + 3, "个", names) is None
    # a figure with a real unit is left to the ordinary lexicon
    text = "推行临床路径管理，出院患者入径率达到50%病种。"
    start = text.index("50%")
    assert _link_by_counted_noun(text, start, start + 3, "%", names) is None
