"""Scheme totals, grades, vetoes and rankings, checked against sums done by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weijian.assessment.grading import (
    GradeScale,
    Quota,
    SchemePolicy,
    VetoHit,
    apply_veto,
    assess,
    grade_by_cutoffs,
    grade_by_quota,
    rank,
    total,
)
from weijian.assessment.rules import (
    Bonus,
    Deduction,
    Inputs,
    ItemResult,
    RuleError,
    Threshold,
    Veto,
    not_applicable,
)


def r(points, max_points, status="scored", veto=False):
    return ItemResult(None if points is None else D(points), D(max_points), status, "", veto=veto)


def test_total_is_the_sum_when_everything_applies():
    t = total({"a": r(45, 50), "b": r("37.5", 50)}, SchemePolicy())
    assert t.points == D("82.5") and t.rescaled == t.base == D("82.5") and t.grade == "良好"


def test_not_applicable_items_are_rescaled_to_full():
    # 78 of 90 applicable points → 78 × 100 / 90 = 86.67
    t = total({"a": r(40, 50), "b": r(None, 10, "not_applicable"), "c": r(38, 40)}, SchemePolicy())
    assert t.applicable == 90
    assert t.rescaled == D(78) * 100 / 90
    assert "1项不参与计分，按适用分值90分折算为100分制：78×100÷90=86.67分" in t.explanation


def test_missing_as_zero_is_not_rescaled_away():
    t = total({"a": r(40, 50), "b": r(0, 50, "missing")}, SchemePolicy())
    assert t.points == 40 and t.applicable == 100


def test_rescaling_can_be_declared_off():
    t = total({"a": r(40, 50), "b": r(None, 50, "not_applicable")}, SchemePolicy(rescale=False))
    assert t.points == 40


def test_bonus_overall_cap_and_deductions_from_total():
    policy = SchemePolicy(roles={"b1": "bonus", "b2": "bonus", "d": "deduction"}, bonus_cap=D(3))
    t = total({"a": r(90, 100), "b1": r(2, 2), "b2": r(2, 3), "d": r(-4, 5)}, policy)
    assert t.bonus == 3  # 4 earned, capped at 3
    assert t.deductions == 4
    assert t.points == 89  # 90 + 3 − 4


def test_deduction_aimed_at_an_item_floors_that_item_at_zero():
    policy = SchemePolicy(full=D(20), roles={"d": "deduction"}, deduct_from={"d": "a"})
    t = total({"a": r(3, 10), "b": r(10, 10), "d": r(-5, 5)}, policy)
    assert t.points == 10  # a: 3 − 5 → 0, not −2
    assert t.deductions == 3


def test_deduction_aimed_at_an_item_may_go_negative_when_declared():
    policy = SchemePolicy(
        full=D(20), roles={"d": "deduction"}, deduct_from={"d": "a"}, may_go_negative=frozenset({"a"})
    )
    t = total({"a": r(3, 10), "b": r(10, 10), "d": r(-5, 5)}, policy)
    assert t.points == 8


def test_total_floors_at_zero():
    policy = SchemePolicy(full=D(10), roles={"d": "deduction"})
    assert total({"a": r(2, 10), "d": r(-5, 5)}, policy).points == 0
    policy = SchemePolicy(full=D(10), roles={"d": "deduction"}, total_floor=None)
    assert total({"a": r(2, 10), "d": r(-5, 5)}, policy).points == -3


def test_veto_after_a_high_score_forces_fail():
    policy = SchemePolicy.from_rules({"v": Veto(condition="发生重大医疗安全事件")})
    vres = Veto(condition="发生重大医疗安全事件").score(Inputs(flag=True), D(0))
    t = total({"a": r(98, 100), "v": vres}, policy)
    assert t.points == 98 and t.grade == "不合格"
    assert t.veto[0].reason.startswith("发生重大医疗安全事件")
    assert "否决" in t.explanation


def test_veto_that_caps_or_bars_a_grade():
    levels = ("优秀", "良好", "合格", "不合格")
    assert apply_veto("优秀", [VetoHit("v", "cap", "合格", "")], levels) == "合格"
    assert apply_veto("不合格", [VetoHit("v", "cap", "合格", "")], levels) == "不合格"
    assert apply_veto("优秀", [VetoHit("v", "bar", "优秀", "")], levels) == "良好"
    assert apply_veto("良好", [VetoHit("v", "bar", "优秀", "")], levels) == "良好"


def test_veto_not_triggered_leaves_the_grade():
    rules = {"v": Veto()}
    t = total({"a": r(95, 100), "v": Veto().score(Inputs(count=0), D(0))}, SchemePolicy.from_rules(rules))
    assert t.grade == "优秀" and t.veto == ()


@pytest.mark.parametrize(
    "points,grade", [("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("60", "合格"), ("59.99", "不合格")]
)
def test_grade_by_cutoffs_at_the_bounds(points, grade):
    assert grade_by_cutoffs(D(points), GradeScale()) == grade


def test_grades_compare_the_published_two_places():
    # 89.996 is published as 90.00, so it is 优秀
    t = total({"a": r("89.996", 100)}, SchemePolicy())
    assert t.grade == "优秀"


def test_rank_ties_share_a_rank():
    assert rank({"a": D(90), "b": D(85), "c": D(85), "d": D(80)}) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert rank({"a": D(1), "b": D(2)}, descending=False) == {"a": 1, "b": 2}


def test_quota_top_twenty_percent_floor():
    totals = {str(i): D(100 - i) for i in range(10)}  # 100, 99, ... 91
    scale = GradeScale(
        quotas=(Quota("优秀", D("0.2")),), cutoffs=((D(60), "合格"),), levels=("优秀", "合格", "不合格")
    )
    g = grade_by_quota(totals, scale)
    assert [u for u, v in g.items() if v == "优秀"] == ["0", "1"]
    assert g["9"] == "合格"


def test_quota_tie_on_the_last_seat_include_or_exclude():
    totals = {"a": D(95), "b": D(90), "c": D(90), "d": D(80), "e": D(70)}
    inc = GradeScale(quotas=(Quota("优秀", D("0.4"), ties="include"),))
    exc = GradeScale(quotas=(Quota("优秀", D("0.4"), ties="exclude"),))
    assert sorted(u for u, v in grade_by_quota(totals, inc).items() if v == "优秀") == ["a", "b", "c"]
    assert sorted(u for u, v in grade_by_quota(totals, exc).items() if v == "优秀") == ["a"]
    # the rest go by cut-off among the levels without a quota: 90 is not 优秀 by score alone
    assert grade_by_quota(totals, exc)["b"] == "良好"


def test_quota_minimum_points_and_rounding():
    totals = {"a": D(95), "b": D(85), "c": D(84), "d": D(70)}
    scale = GradeScale(quotas=(Quota("优秀", D("0.5"), min_points=D(90)),))
    assert grade_by_quota(totals, scale)["b"] == "良好"  # seat 2 left empty: below 90
    assert Quota("优秀", D("0.2"), rounding="round").seats(8) == 2  # 1.6 → 2
    assert Quota("优秀", D("0.2"), rounding="floor").seats(8) == 1
    assert Quota("优秀", D("0.2"), rounding="ceil").seats(6) == 2


def test_quota_seat_of_a_vetoed_unit_passes_on():
    totals = {"a": D(99), "b": D(95), "c": D(90), "d": D(80), "e": D(70)}
    scale = GradeScale(quotas=(Quota("优秀", D("0.2")),))
    g = grade_by_quota(totals, scale, allowed={"a": "不合格"})
    assert g["a"] == "不合格" and g["b"] == "优秀"


def test_assess_ranks_overall_per_category_and_per_group_with_change():
    policy = SchemePolicy(full=D(20), categories={"x": "公共卫生", "y": "医疗服务"})
    units = {
        "甲县": {"x": r(10, 10), "y": r(6, 10)},
        "乙县": {"x": r(8, 10), "y": r(8, 10)},
        "丙区": {"x": r(9, 10), "y": r(7, 10)},
        "丁区": {"x": r(5, 10), "y": r(10, 10)},
    }
    groups = {"甲县": "县", "乙县": "县", "丙区": "区", "丁区": "区"}
    last = {"甲县": (D(15), 1), "乙县": (D(17), 3), "丙区": (D(14), 2), "丁区": (D(12), 4)}
    out = assess(units, policy, groups=groups, last_year=last)
    assert {u: a.rank for u, a in out.items()} == {"甲县": 1, "乙县": 1, "丙区": 1, "丁区": 4}
    assert out["丁区"].category_ranks == {"公共卫生": 4, "医疗服务": 1}
    assert out["甲县"].group_rank == 1 and out["乙县"].group_rank == 1
    assert out["丁区"].group_rank == 2
    assert out["乙县"].change_rank == 2 and out["乙县"].change_points == -1
    assert out["甲县"].change_rank == 0


def test_assess_vetoed_unit_ranks_last_and_fails():
    rules = {"a": Threshold(target=D(90)), "v": Veto()}
    policy = SchemePolicy.from_rules(rules, full=D(10))
    units = {
        "甲": {
            "a": rules["a"].score(Inputs(value=D(99)), D(10)),
            "v": rules["v"].score(Inputs(flag=True), D(0)),
        },
        "乙": {
            "a": rules["a"].score(Inputs(value=D(80)), D(10)),
            "v": rules["v"].score(Inputs(flag=False), D(0)),
        },
    }
    out = assess(units, policy)
    assert out["甲"].grade == "不合格" and out["甲"].rank == 2
    assert out["乙"].rank == 1


def test_assess_by_quota_uses_veto_caps():
    rules = {
        "a": Threshold(target=D(90)),
        "v": Veto(effect="cap", grade="合格"),
        "b": Bonus(per=D(1), cap=D(2)),
    }
    policy = SchemePolicy.from_rules(rules, scale=GradeScale(quotas=(Quota("优秀", D("0.5")),)))
    units = {
        "甲": {
            "a": r(95, 100),
            "v": rules["v"].score(Inputs(flag=True), D(0)),
            "b": rules["b"].score(Inputs(count=3), D(2)),
        },
        "乙": {"a": r(85, 100), "v": rules["v"].score(Inputs(flag=False), D(0)), "b": r(0, 2)},
    }
    out = assess(units, policy)
    assert out["甲"].total.points == 97
    assert out["甲"].grade == "合格"  # first by score, but capped at 合格: its seat passes on
    assert out["乙"].grade == "优秀"
    assert out["甲"].rank == 1  # a cap does not move the unit to the end; only a fail does


def test_policy_from_rules_reads_roles_and_veto_effects():
    p = SchemePolicy.from_rules(
        {"b": Bonus(), "d": Deduction(), "v": Veto(effect="bar", grade="优秀"), "t": Threshold(target=D(1))}
    )
    assert p.roles == {"b": "bonus", "d": "deduction", "v": "veto"}
    assert p.vetoes == {"v": ("bar", "优秀")}


def test_policy_validation_in_chinese():
    with pytest.raises(RuleError, match="不在等次列表中"):
        SchemePolicy(vetoes={"v": ("cap", "特优")})
    with pytest.raises(RuleError, match="比例应在0到1之间"):
        Quota("优秀", D("1.5"))
    with pytest.raises(RuleError, match="方案总分应大于0"):
        SchemePolicy(full=D(0))
    with pytest.raises(RuleError, match="比例应为数字"):
        Quota("优秀", "二成")
    with pytest.raises(RuleError, match="分数线应为数字"):
        GradeScale(cutoffs=(("九十", "优秀"),))
    with pytest.raises(RuleError, match="加分上限应为数字"):
        SchemePolicy(bonus_cap="x")


def test_not_applicable_result_counts_nowhere():
    t = total({"a": r(8, 10), "b": not_applicable(D(10), "无住院服务")}, SchemePolicy(full=D(20)))
    assert t.points == 16 and t.applicable == 10


def test_a_veto_met_counts_even_when_the_policy_forgot_its_role():
    vres = Veto().score(Inputs(flag=True), D(0))
    t = total({"a": r(95, 100), "v": vres}, SchemePolicy())
    assert t.grade == "不合格" and t.points == 95


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), st.integers(0, 5).map(D), max_size=12))
def test_rank_is_one_plus_the_number_strictly_better(values):
    ranks = rank(values)
    for u, v in values.items():
        assert ranks[u] == 1 + sum(1 for w in values.values() if w > v)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10), st.booleans()), min_size=1, max_size=8),
    st.sampled_from([D(50), D(100)]),
)
def test_rescaled_total_is_the_share_of_applicable_points(items, full):
    results = {
        str(i): r(p, 10) if applies else r(None, 10, "not_applicable") for i, (p, applies) in enumerate(items)
    }
    t = total(results, SchemePolicy(full=full))
    applicable = sum(10 for _, a in items if a)
    base = sum(p for p, a in items if a)
    assert t.applicable == applicable and t.base == base
    assert t.points == (D(base) * full / applicable if applicable else 0)
