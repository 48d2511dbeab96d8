"""What the import preview must catch before a plan is saved: growth targets against stock
indicators, paired counts, near-duplicate department names, a plan of another region or year."""

from __future__ import annotations

from weijian.indicators.models import Aggregation
from weijian.plans import importing, tracking
from weijian.plans.models import PlanDraft
from weijian.testing import element, indicator

YEAR = 2030


def _stock_beds():
    element("BEDS_ALL", "医疗机构床位数", "张", aggregation=Aggregation.LAST)
    return indicator(
        "BEDS_TOTAL", "医疗机构床位总数", "BEDS_ALL", unit="张", decimals=0, aliases=["床位总数"]
    )


PLAN = (
    "示例市2030年卫生健康工作要点\n"
    "一、扩充医疗资源\n"
    "（一）增加床位供给。年底前全市医疗机构床位总数新增500张。（责任科室：医政科）\n"
    "（二）扩大床位规模。全年增加医疗机构床位总数300张。（责任科室：规财科）\n"
    "（三）规范诊疗行为。开展临床路径管理，覆盖不少于20个专业250个病种。（责任科室：医政科）\n"
)


def test_a_growth_statement_on_a_stock_indicator_is_an_increase_target(db, users, city):
    _stock_beds()
    proposal = importing.propose(PLAN, YEAR)
    beds = [g for g in proposal["targets"] if g["unit"] == "张"]
    assert [(g["text"], g["code"], g["increase"]) for g in beds] == [
        ("500张", "BEDS_TOTAL", True),
        ("300张", "BEDS_TOTAL", True),
    ]
    draft = PlanDraft.objects.create(user=users["admin"], file_name="要点.txt", year=YEAR, proposal=proposal)
    plan = importing.confirm(draft, users["admin"], area=city.city)
    for target in plan.targets.filter(unit="张"):
        assert tracking.is_increase(target), target.phrase


def test_a_pair_of_counts_gives_two_clean_targets(db):
    element("CP_DISEASES", "临床路径管理病种数", "个")
    indicator("CP_DISEASE_N", "临床路径管理病种数", "CP_DISEASES", unit="个", decimals=0)
    proposal = importing.propose(PLAN, YEAR)
    pair = [g for g in proposal["targets"] if g["unit"] == "个"]
    assert [(g["text"], g["value"], g["cmp"], g["phrase"], g["code"]) for g in pair] == [
        ("20个", 20, ">=", "临床路径管理专业数", None),
        ("250个", 250, ">=", "临床路径管理病种数", "CP_DISEASE_N"),
    ]


def _draft(user, text: str, year: int = YEAR) -> PlanDraft:
    proposal = importing.propose(text, year)
    return PlanDraft.objects.create(user=user, file_name="要点.txt", year=year, proposal=proposal)


SIMILAR = "（一）发展中医药事业。建设中医馆。（责任领导：李华，责任科室：中医科教科）\n"


def test_a_near_duplicate_department_name_is_asked_about_and_never_created_silently(client, users, city):
    from django.urls import reverse

    from weijian.orgs.models import Department

    Department.objects.create(name="中医药与科教科")
    draft = _draft(users["admin"], SIMILAR)
    client.force_login(users["admin"])
    page = client.get(reverse("plans:draft", args=[draft.pk])).content.decode()
    assert "“中医科教科”是否为已有科室“中医药与科教科”？" in page
    # Confirming before answering saves nothing and says why.
    r = client.post(reverse("plans:draft_confirm", args=[draft.pk]), follow=True)
    assert "请先确认以下科室" in r.content.decode() and "中医科教科" in r.content.decode()
    assert not Department.objects.filter(name="中医科教科").exists()
    assert PlanDraft.objects.filter(pk=draft.pk).exists()
    # “是”: the task goes to the existing department, which learns the name as an alias.
    client.post(
        reverse("plans:draft_department", args=[draft.pk]), {"name": "中医科教科", "choice": "中医药与科教科"}
    )
    client.post(reverse("plans:draft_confirm", args=[draft.pk]))
    dept = Department.objects.get(name="中医药与科教科")
    assert not Department.objects.filter(name="中医科教科").exists()
    assert "中医科教科" in dept.aliases
    assert dept.tasks.count() == 1
    # The next import matches the name at once: no question asked.
    assert importing.pending_departments(_draft(users["admin"], SIMILAR).proposal) == {}


def test_answering_no_creates_the_new_department(users, city):
    from weijian.orgs.models import Department

    Department.objects.create(name="中医药与科教科")
    draft = _draft(users["admin"], SIMILAR)
    importing.decide_department(draft, "中医科教科", "")
    importing.confirm(draft, users["admin"], area=city.city)
    assert Department.objects.filter(name="中医科教科").exists()


def test_a_plan_of_another_region_or_a_past_year_is_warned_about(users, city):
    from datetime import date

    other = "营口市鲅鱼圈区卫生健康局\n2017年卫生健康工作要点\n全区卫生健康系统要扎实推进各项工作。\n"
    proposal = importing.propose(other, None)
    warnings = importing.import_warnings(proposal, proposal["year"], city.city, today=date(2026, 3, 1))
    assert any("营口市鲅鱼圈区" in w and city.city.name in w for w in warnings)
    assert any("2017 年已经过去" in w for w in warnings)
    # The year chosen differs from the year the document is about.
    assert any("文件写的是 2017 年" in w for w in importing.import_warnings(proposal, 2026, city.city))
    # A plan of the area itself, this year: nothing to warn about.
    own = f"{city.city.name}卫生健康委员会\n2026年卫生健康工作要点\n全市卫生健康系统要扎实推进各项工作。\n"
    proposal = importing.propose(own, None)
    assert importing.import_warnings(proposal, 2026, city.city, today=date(2026, 3, 1)) == []


def test_an_edited_row_confirms_it_was_saved_and_the_edit_reaches_the_plan(client, users, city):
    from django.urls import reverse

    from weijian.plans.tests import helpers

    draft = helpers.draft_for(users["admin"], YEAR)
    key = next(g["key"] for g in draft.proposal["targets"] if g["text"] == "70%")
    client.force_login(users["admin"])
    # What the row sends on a change (htmx, hx-trigger="change"): every field of the row.
    r = client.post(
        reverse("plans:draft_target", args=[draft.pk, key]),
        {
            "phrase": "高血压患者规范管理率",
            "code": "",
            "cmp": ">=",
            "value": "72",
            "unit": "%",
            "scope": "city",
            "deadline": f"{YEAR}-12-31",
            "task": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "已保存" in r.content.decode()
    r = client.post(
        reverse("plans:draft_target", args=[draft.pk, key]), {"value": "七十二"}, HTTP_HX_REQUEST="true"
    )
    assert "不是数字" in r.content.decode() and "已保存" not in r.content.decode()
    page = client.get(reverse("plans:draft", args=[draft.pk])).content.decode()
    assert 'hx-trigger="change"' in page and "plans/draft.js" in page
    client.post(reverse("plans:draft_confirm", args=[draft.pk]))
    from weijian.plans.models import Plan

    target = Plan.objects.get().targets.get(phrase="高血压患者规范管理率")
    assert (target.value, target.cmp) == (72, ">=")
