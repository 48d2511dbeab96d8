"""Builders for plan tests: a small work-plan text of our own, its analysis built by hand
(so the plan app is tested without depending on the document engine), and a confirmed plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from weijian.data.models import DataValue
from weijian.data.periods import get_period
from weijian.plans import importing
from weijian.plans.models import Plan, PlanDraft
from weijian.textmine.model import Analysis, Fact, Section, Task

PLAN_TEXT = """示例市卫生健康工作要点

一、夯实基层服务网络
（一）推进基层医疗机构建设。年底前全市新增基层床位100张，建成3个示范站点。以乡镇为单位适龄儿童免疫规划疫苗接种率保持在95%以上。（责任领导：张明，责任科室：基层卫生健康科）
（二）加强家庭医生签约服务。完善签约服务包，6月底前完成第1轮签约评估。（责任领导：李华、各相关分管领导，牵头科室：医政医管科）
二、提升公共卫生水平
（一）做好慢病管理。高血压患者规范管理率达到70%。（责任领导：张明，责任科室：疾控科、基层卫生健康科）
（二）强化作风建设。持续开展机关作风整顿。（责任领导：王强，责任科室：办公室）
"""


def _span(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def _task(text: str, num: str, title: str, leaders, departments, lead=()) -> Task:
    head = num.split(".")[-1] + title
    start = text.index(head)
    end = text.index("）\n", start) + 1
    return Task(
        num=num,
        title=title,
        leaders=list(leaders),
        departments=list(departments),
        lead_departments=list(lead),
        start=start,
        end=end,
    )


def _fact(text: str, written: str, value, unit: str, cmp: str, role: str, indicator: str, code=None) -> Fact:
    start, end = _span(text, written)
    return Fact(
        text=written,
        value=value,
        unit=unit,
        cmp=cmp,
        role=role,
        indicator=indicator,
        start=start,
        end=end,
        code=code,
    )


def plan_analysis(text: str = PLAN_TEXT) -> Analysis:
    """What a careful reader extracts from PLAN_TEXT."""
    sections = []
    for num, title in (("一", "夯实基层服务网络"), ("二", "提升公共卫生水平")):
        s, e = _span(text, f"{num}、{title}")
        sections.append(Section(num=num, level=1, title=title, start=s, end=e))
    tasks = [
        _task(text, "一.（一）", "推进基层医疗机构建设", ["张明"], ["基层卫生健康科"]),
        _task(text, "一.（二）", "加强家庭医生签约服务", ["李华", "各相关分管领导"], [], ["医政医管科"]),
        _task(text, "二.（一）", "做好慢病管理", ["张明"], ["疾控科", "基层卫生健康科"]),
        _task(text, "二.（二）", "强化作风建设", ["王强"], ["办公室"]),
    ]
    facts = [
        _fact(text, "100张", 100, "张", "=", "target", "新增基层床位"),
        _fact(text, "3个", 3, "个", "=", "actual", "示范站点"),
        _fact(text, "95%以上", 95, "%", ">=", "target", "以乡镇为单位适龄儿童免疫规划疫苗接种率"),
        _fact(text, "70%", 70, "%", "=", "target", "高血压患者规范管理率"),
    ]
    return Analysis(kind="plan", region="示例市", year=None, sections=sections, tasks=tasks, facts=facts)


def catalogue():
    """Elements and indicators the sample plan's targets link to."""
    from weijian.indicators.models import Aggregation
    from weijian.testing import element, indicator

    element("BEDS_NEW", "新增床位", "张")
    element("IMM_DONE", "免疫规划疫苗接种人数", "人")
    element("IMM_DUE", "适龄儿童数", "人")
    element("HTN_STD", "高血压规范管理人数", "人", aggregation=Aggregation.LAST)
    element("HTN_ALL", "高血压管理人数", "人", aggregation=Aggregation.LAST)
    return {
        "beds": indicator("NEW_BEDS", "新增基层床位", "BEDS_NEW", unit="张", decimals=0),
        "imm": indicator(
            "IMM_RATE",
            "免疫规划疫苗接种率",
            "IMM_DONE",
            "IMM_DUE",
            100,
            "%",
            aliases=["适龄儿童免疫规划疫苗接种率"],
        ),
        "htn": indicator("HTN_RATE", "高血压患者规范管理率", "HTN_STD", "HTN_ALL", 100, "%"),
    }


def draft_for(user, year: int, plan: Plan | None = None, text: str = PLAN_TEXT, analysis=None) -> PlanDraft:
    proposal = importing.propose(text, year, analysis=analysis or plan_analysis(text))
    return PlanDraft.objects.create(user=user, plan=plan, file_name="要点.txt", year=year, proposal=proposal)


def make_plan(user, city, year: int | None = None) -> Plan:
    year = year or date.today().year
    draft = draft_for(user, year)
    return importing.confirm(draft, user, area=city.city)


def put(element_code: str, org, period_code: str, value) -> None:
    from weijian.indicators.models import DataElement

    DataValue.objects.update_or_create(
        element=DataElement.objects.get(code=element_code),
        org_unit=org,
        period=get_period(period_code),
        defaults={"value": Decimal(str(value))},
    )
