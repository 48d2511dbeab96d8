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
