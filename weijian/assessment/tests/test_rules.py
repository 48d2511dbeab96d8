"""Each rule type scored by hand: the expected points below were worked out on paper."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weijian.assessment.rules import (
    LABELS,
    RULE_KINDS,
    Band,
    Bands,
    Bonus,
    Checklist,
    Deduction,
    Improvement,
    Inputs,
    Interpolation,
    LinearDeduction,
    Proportional,
    Qualitative,
    Rank,
    Review,
    RuleError,
    Threshold,
    Veto,
    format_points,
    not_applicable,
    rule_from_dict,
)
from weijian.assessment.tests.test_criteria import RULES, _valid

TEN = D(10)


def pts(rule, max_points=TEN, **inputs):
    return rule.score(Inputs(**inputs), D(max_points)).points


# --- threshold ---------------------------------------------------------------------------------


def test_threshold_exactly_at_target_scores_full():
    r = Threshold(target=D(95))
    assert pts(r, value=D(95)) == 10
    assert pts(r, value=D("94.99")) == 0


def test_threshold_exclusive_bound_needs_more_than_target():
    r = Threshold(target=D(95), inclusive=False)
    assert pts(r, value=D(95)) == 0
    assert pts(r, value=D("95.01")) == 10


def test_threshold_partial_points_when_missed():
    r = Threshold(target=D(95), partial=D(3))
    res = r.score(Inputs(value=D(90)), TEN)
    assert res.points == 3 and res.lost == 7
    assert res.gain_potential == "达到95%可再得7分"


def test_threshold_lower_is_better_mirror():
    r = Threshold(target=D(10), unit="‰", higher_is_better=False)
    assert pts(r, value=D(10)) == 10
    assert pts(r, value=D("10.1")) == 0
    assert r.describe(TEN) == "控制在10‰及以下得满分，否则不得分"


def test_threshold_takes_plan_target_when_it_has_none():
    r = Threshold()
    assert pts(r, value=D(80), target=D(75)) == 10
    assert pts(r, value=D(70), target=D(75)) == 0


# --- missing data, each policy -----------------------------------------------------------------


def test_missing_zero_scores_zero_and_counts_as_lost():
    res = Threshold(target=D(95)).score(Inputs(), TEN)
    assert (res.points, res.status, res.lost) == (0, "missing", 10)


def test_missing_excluded_is_not_scored_at_all():
    res = Threshold(target=D(95), missing="excluded").score(Inputs(), TEN)
    assert res.points is None and res.status == "missing" and res.lost == 0
    assert "不参与计分" in res.computation


def test_missing_failing_gives_the_worst_outcome_for_each_role():
    assert Threshold(target=D(95), missing="failing").score(Inputs(), TEN).points == 0
    assert Deduction(per=D(1), cap=D(5), missing="failing").score(Inputs(), D(5)).points == -5
    assert Veto(missing="failing").score(Inputs(), D(0)).veto is True
    # "zero" on a deduction or veto item means nothing happened
    assert Deduction(per=D(1), cap=D(5)).score(Inputs(), D(5)).points == 0
    assert Veto().score(Inputs(), D(0)).veto is False


def test_missing_target_is_reported_as_missing_target():
    res = LinearDeduction(deduct=D(2)).score(Inputs(value=D(90)), TEN)
    assert res.status == "missing" and "目标值" in res.computation


# --- proportional -------------------------------------------------------------------------------


def test_proportional_scores_share_of_target():
    r = Proportional(target=D(95))
    assert pts(r, value=D(76)) == D(8)  # 10 × 76/95
    assert pts(r, value=D(95)) == 10
    assert pts(r, value=D(120)) == 10  # no cap: never above the points


def test_proportional_cap_above_one():
    r = Proportional(target=D(100), unit="张", cap=D("1.2"))
    assert pts(r, value=D(110)) == 11
    assert pts(r, value=D(150)) == 12


def test_proportional_lower_is_better_uses_target_over_value():
    r = Proportional(target=D(8), higher_is_better=False)
    assert pts(r, value=D(10)) == 8  # 10 × 8/10
    assert pts(r, value=D(6)) == 10
    assert pts(r, value=D(0)) == 10


def test_proportional_explains_its_computation_with_numerator_and_denominator():
    res = Proportional(target=D(95)).score(Inputs(value=D(76), numerator=D(76), denominator=D(100)), TEN)
    assert res.computation == "实际76%（76/100），目标95%，完成比例80%，得10×76÷95=8分"
    assert res.gain_potential == "达到95%可再得2分"


# --- linear deduction -------------------------------------------------------------------------


def test_linear_ceil_steps_as_in_the_brief():
    r = LinearDeduction(target=D(95), deduct=D(2), steps="ceil")
    res = r.score(Inputs(value=D("92.5")), TEN)
    assert res.points == 4  # 2.5 pp → 3 steps → 6 points off
    assert res.gain_potential == "达到95%可再得6分"


def test_linear_floor_steps_ignore_the_part_step():
    r = LinearDeduction(target=D(95), deduct=D(2), steps="floor")
    assert pts(r, value=D("92.5")) == 6  # 2 steps → 4 off


def test_linear_exact_steps_deduct_pro_rata():
    r = LinearDeduction(target=D(95), deduct=D(2))
    assert pts(r, value=D("92.5")) == 5  # 2.5 × 2 = 5 off


def test_linear_floors_at_zero_and_respects_cap():
    assert pts(LinearDeduction(target=D(95), deduct=D(2)), value=D(50)) == 0
    assert pts(LinearDeduction(target=D(95), deduct=D(2), cap=D(4)), value=D(50)) == 6


def test_linear_at_target_is_full_and_above_target_too():
    r = LinearDeduction(target=D(95), deduct=D(2))
    assert pts(r, value=D(95)) == 10 and pts(r, value=D(99)) == 10


def test_linear_relative_gap_is_a_share_of_the_target():
    # 门诊量 target 1000, actual 950: 5% short; 每低1%扣1分 → 5 off
    r = LinearDeduction(target=D(1000), unit="人次", gap_unit="%", deduct=D(1))
    assert pts(r, value=D(950)) == 5


def test_linear_absolute_gap_in_own_unit():
    r = LinearDeduction(target=D(100), unit="张", gap_unit="", per=D(10), deduct=D(1), steps="ceil")
    assert pts(r, value=D(85)) == 8  # 15 short → 2 steps of 10


def test_linear_lower_is_better_mirror():
    r = LinearDeduction(target=D(10), unit="‰", gap_unit="", deduct=D(1), higher_is_better=False)
    assert pts(r, value=D(13)) == 7  # 3 per-mille points above the ceiling
    assert pts(r, value=D(9)) == 10


def test_linear_percent_unit_gap_must_be_points_not_units():
    with pytest.raises(RuleError, match="百分点"):
        LinearDeduction(target=D(100), unit="张", gap_unit="百分点")


# --- bands ---------------------------------------------------------------------------------------

BANDS = Bands(
    bands=(
        Band(D(90), None, D(10)),
        Band(D(80), D(90), D(6)),  # [80, 90)
        Band(None, D(80), D(0)),
    )
)


@pytest.mark.parametrize(
    "value,expected", [("90", 10), ("89.99", 6), ("80", 6), ("79.99", 0), ("100", 10), ("0", 0)]
)
def test_bands_inclusive_lower_exclusive_upper(value, expected):
    assert pts(BANDS, value=D(value)) == expected


def test_bands_exclusive_lower_and_inclusive_upper():
    r = Bands(bands=(Band(D(80), D(90), D(6), lower_inclusive=False, upper_inclusive=True),))
    assert pts(r, value=D(80)) == 0
    assert pts(r, value=D(90)) == 6


def test_bands_gain_points_to_nearest_better_band():
    res = BANDS.score(Inputs(value=D(85)), TEN)
    assert res.gain_potential == "进入“90%及以上”档可再得4分"


def test_bands_overlap_is_refused_in_chinese():
    with pytest.raises(RuleError, match="重叠"):
        Bands(bands=(Band(D(80), D(90), D(6), upper_inclusive=True), Band(D(90), None, D(10))))


def test_bands_worth_more_than_the_item_is_a_problem():
    assert BANDS.problems(D(8)) == ["分段“90%及以上”得10分，超过了该项分值8分"]


# --- interpolation -----------------------------------------------------------------------------


def test_interpolation_between_floor_and_target():
    r = Interpolation(floor=D(80), target=D(95))
    assert pts(r, value=D(80)) == 0
    assert pts(r, value=D(95)) == 10
    assert pts(r, value=D(86)) == 4  # 10 × 6/15
    assert pts(r, value=D(70)) == 0


def test_interpolation_lower_is_better():
    r = Interpolation(floor=D(20), target=D(10), higher_is_better=False)
    assert pts(r, value=D(15)) == 5
    assert pts(r, value=D(8)) == 10
    assert pts(r, value=D(25)) == 0


def test_interpolation_floor_must_lie_below_target():
    with pytest.raises(RuleError, match="起点值"):
        Interpolation(floor=D(95), target=D(80))


# --- rank ---------------------------------------------------------------------------------------

PEERS = {"a": D(98), "b": D(95), "c": D(95), "d": D(90), "e": None}


def test_rank_step_ties_share_a_rank():
    r = Rank(step=D(1))
    assert pts(r, peers=PEERS, unit="a") == 10
    assert pts(r, peers=PEERS, unit="b") == 9
    assert pts(r, peers=PEERS, unit="c") == 9
    assert pts(r, peers=PEERS, unit="d") == 7  # rank 4 after the tie
    res = r.score(Inputs(peers=PEERS, unit="b"), TEN)
    assert "4个单位中排第2名（与1个单位并列）" in res.computation


def test_rank_proportional_excludes_units_without_figure():
    r = Rank(mode="proportional")
    # n = 4 (e has no figure): rank 2 → (4−2)/(4−1) × 9
    assert pts(r, D(9), peers=PEERS, unit="b") == 6
    assert pts(r, D(9), peers=PEERS, unit="d") == 0
    assert pts(r, D(9), peers={"a": D(1)}, unit="a") == 9


def test_rank_lower_is_better_and_missing_own_value():
    r = Rank(step=D(2), higher_is_better=False)
    assert pts(r, peers=PEERS, unit="d") == 10
    assert pts(r, peers=PEERS, unit="a") == 4
    assert r.score(Inputs(peers=PEERS, unit="e"), TEN).status == "missing"


def test_rank_step_floors_at_zero():
    peers = {str(i): D(i) for i in range(20)}
    assert pts(Rank(step=D(1)), peers=peers, unit="0") == 0


# --- improvement -------------------------------------------------------------------------------


def test_improvement_in_points_proportional():
    r = Improvement(by=D(2))
    assert pts(r, value=D(92), last_year=D(90)) == 10
    assert pts(r, value=D("90.5"), last_year=D(90)) == D("2.5")
    assert pts(r, value=D(89), last_year=D(90)) == 0


def test_improvement_relative_threshold():
    r = Improvement(by=D(5), by_unit="%", unit="人次", mode="threshold")
    assert pts(r, value=D(1050), last_year=D(1000)) == 10  # exactly 5%
    assert pts(r, value=D(1049), last_year=D(1000)) == 0


def test_improvement_lower_is_better_is_a_fall():
    r = Improvement(by=D(1), higher_is_better=False)
    assert pts(r, value=D(9), last_year=D(10)) == 10
    assert pts(r, value=D("9.5"), last_year=D(10)) == 5


def test_improvement_without_last_year_follows_missing_policy():
    res = Improvement(by=D(2), missing="excluded").score(Inputs(value=D(90)), TEN)
    assert res.points is None and "上年" in res.computation


# --- checklist ---------------------------------------------------------------------------------


def test_checklist_deducts_per_finding_with_cap():
    r = Checklist(per=D(1), cap=D(5))
    assert pts(r, count=0) == 10
    assert pts(r, count=3) == 7
    assert pts(r, count=8) == 5  # at most 5 off


def test_checklist_without_cap_stops_at_zero():
    assert pts(Checklist(per=D(2)), count=7) == 0


# --- qualitative ---------------------------------------------------------------------------------


def test_qualitative_levels_are_fractions_of_points():
    r = Qualitative()
    reviews = (Review("甲", "较好", None, "材料不全"),)
    assert pts(r, reviews=reviews) == 8


def test_qualitative_reason_required_below_full():
    r = Qualitative()
    res = r.score(Inputs(reviews=(Review("甲", "一般", None, ""), Review("乙", "好", None, ""))), TEN)
    assert res.points == 10  # 甲 did not give a reason and is left out
    assert "甲评定低于满分但未说明理由" in res.computation


def test_qualitative_trimmed_mean_drops_max_and_min():
    r = Qualitative(combine="trimmed")
    reviews = (
        Review("甲", None, D(10), ""),
        Review("乙", None, D(7), "x"),
        Review("丙", None, D(8), "x"),
        Review("丁", None, D(3), "x"),
    )
    assert pts(r, reviews=reviews) == D("7.5")
    assert pts(Qualitative(), reviews=reviews) == D(7)


def test_qualitative_trimmed_with_two_reviewers_is_a_mean():
    r = Qualitative(combine="trimmed")
    reviews = (Review("甲", None, D(10), ""), Review("乙", None, D(6), "x"))
    res = r.score(Inputs(reviews=reviews), TEN)
    assert res.points == 8 and "不足3名" in res.computation


def test_qualitative_points_levels_and_unknown_level():
    r = Qualitative(levels=(("优", D(5)), ("中", D(3))), as_points=True)
    assert pts(r, D(5), reviews=(Review("甲", "中", None, "不足"),)) == 3
    res = r.score(Inputs(reviews=(Review("甲", "很好", None, ""),)), D(5))
    assert res.status == "missing" and "不在评分标准中" in res.computation


# --- bonus, deduction, veto -------------------------------------------------------------------


def test_bonus_per_event_capped():
    r = Bonus(per=D(1), cap=D(3))
    res = r.score(Inputs(count=5), D(3))
    assert res.points == 3 and res.lost == 0 and "最多加3分" in res.computation
    assert pts(r, D(3), count=2) == 2


def test_deduction_is_negative_and_capped():
    r = Deduction(source="unrectified", per=D("0.5"), cap=D(3))
    assert pts(r, D(3), count=4) == -2
    assert pts(r, D(3), count=10) == -3


def test_veto_after_a_high_score_still_vetoes():
    r = Veto(condition="发生重大医疗安全事件")
    res = r.score(Inputs(flag=True), D(0))
    assert res.veto and res.status == "vetoed" and "一票否决" in res.computation


def test_veto_count_threshold():
    r = Veto(condition="发生较大医疗纠纷", min_count=3, effect="cap", grade="合格")
    assert r.score(Inputs(count=2), D(0)).veto is False
    assert r.score(Inputs(count=3), D(0)).veto is True
    assert r.describe(D(0)) == "发生较大医疗纠纷累计3次及以上的，实行一票否决，考核等次最高为合格"


# --- applicability, serialisation, validation -------------------------------------------------


def test_applicability_by_unit_type():
    r = Threshold(target=D(95), applies_to=("二级以上公立医院",))
    assert r.applies("二级以上公立医院") and not r.applies("乡镇卫生院")
    assert not_applicable(TEN, "乡镇卫生院").points is None
    assert r.describe(TEN).endswith("；适用于二级以上公立医院")


def test_every_kind_has_a_label_and_round_trips_through_dict():
    assert set(LABELS) == set(RULE_KINDS)
    samples = [
        Threshold(target=D("95.5"), partial=D(2), missing="excluded"),
        Proportional(target=D(8), cap=D("1.5")),
        LinearDeduction(target=D(95), deduct=D("0.5"), steps="floor", cap=D(4)),
        BANDS,
        Interpolation(floor=D(80), target=D(95)),
        Rank(mode="proportional", scope="全市"),
        Improvement(by=D(2)),
        Checklist(per=D(1), cap=D(5), measure="项", finding="问题"),
        Qualitative(combine="trimmed"),
        Bonus(per=D(1), cap=D(3)),
        Deduction(source="overdue", per=D(1)),
        Veto(effect="bar", grade="优秀"),
    ]
    assert {s.kind for s in samples} == set(RULE_KINDS)
    for s in samples:
        assert rule_from_dict(s.to_dict()) == s


@pytest.mark.parametrize(
    "d,message",
    [
        ({"kind": "nope"}, "未知的评分规则类型“nope”"),
        ({"kind": "threshold", "target": "九五"}, "目标值应为数字"),
        ({"kind": "linear", "deduct": "-1"}, "每档扣分应大于0"),
        ({"kind": "linear", "steps": "round"}, "不足一档的处理应为"),
        ({"kind": "threshold", "missing": "skip"}, "数据缺失处理应为"),
        ({"kind": "threshold", "colour": "red"}, "没有参数：colour"),
        ({"kind": "bands", "bands": []}, "至少需要一个分段"),
        ({"kind": "veto", "effect": "cap"}, "须给出等次名称"),
        ({"kind": "threshold", "higher_is_better": "false"}, "应为是或否"),
        ({"kind": "threshold", "unit": 5}, "应为文字"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(d, message):
    with pytest.raises(RuleError, match=message):
        rule_from_dict(d)


def test_points_are_decimal_and_shown_with_two_places():
    res = Proportional(target=D(3)).score(Inputs(value=D(1)), TEN)
    assert isinstance(res.points, D) and format_points(res.points) == "3.33"


def test_linear_relative_gap_from_a_zero_target_loses_everything_it_can():
    r = LinearDeduction(target=D(0), unit="例", gap_unit="%", deduct=D(1), cap=D(4), higher_is_better=False)
    res = r.score(Inputs(value=D(2)), TEN)
    assert res.points == 6 and "目标为0" in res.computation
    assert pts(r, value=D(0)) == 10


def test_deduction_failing_without_any_limit_deducts_nothing_it_cannot_bound():
    res = Deduction(per=D(1), missing="failing").score(Inputs(), D(0))
    assert res.points == 0 and res.status == "missing"


# --- any rule, any inputs: a result within bounds, never an exception ------------------------


_figures = st.none() | st.decimals(
    min_value=D(-50), max_value=D(2000), places=3, allow_nan=False, allow_infinity=False
)
_inputs = st.builds(
    Inputs,
    value=_figures,
    target=_figures,
    last_year=_figures,
    peers=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _figures, max_size=4),
    unit=st.sampled_from(["a", "b", "z"]),
    count=st.none() | st.integers(min_value=0, max_value=50),
    flag=st.none() | st.booleans(),
    reviews=st.lists(
        st.builds(
            Review,
            reviewer=st.sampled_from(["甲", "乙", "丙"]),
            level=st.none() | st.sampled_from(["好", "较好", "一般", "差", "优秀", "未知"]),
            points=st.none() | st.decimals(min_value=D(-1), max_value=D(30), places=1),
            reason=st.sampled_from(["", "材料不全"]),
        ),
        max_size=4,
    ).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=_valid(RULES), inputs=_inputs, max_points=st.sampled_from([D(0), D(5), D(10), D("12.5")]))
def test_any_rule_scores_any_inputs_within_bounds(rule, inputs, max_points):
    if rule is None:
        return
    res = rule.score(inputs, max_points)
    assert res.status in ("scored", "missing", "not_applicable", "vetoed")
    assert res.computation and res.lost >= 0
    if res.points is None:
        assert res.status == "missing" and rule.missing == "excluded"
        return
    assert isinstance(res.points, D)
    if rule.role == "score":
        top = max_points * (rule.cap if isinstance(rule, Proportional) and rule.cap else 1)
        assert 0 <= res.points <= top
    elif rule.role == "bonus":
        assert 0 <= res.points <= (rule.cap or max_points) or max_points == 0
    elif rule.role == "deduction":
        assert res.points <= 0 and (rule.cap is None or -res.points <= rule.cap)
    else:
        assert res.points == 0 and res.veto == (res.status == "vetoed")
    assert rule_from_dict(rule.to_dict()) == rule


def test_caps_above_the_item_points_are_problems():
    assert Checklist(per=D(1), cap=D(8)).problems(D(5)) == ["扣分上限8分超过了该项分值5分，扣完该项分值为止"]
    assert Bonus(per=D(1), cap=D(4)).problems(D(3)) == ["加分上限4分超过了该项分值3分，按分值计"]
    assert Checklist(per=D(1), cap=D(5)).problems(D(5)) == []
