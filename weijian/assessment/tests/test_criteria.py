"""Reading 评分标准 sentences into rules: sentences in the forms commissions write (our own
wording), each with the rule and parameters a careful reader takes from it; sentences that are no
rule give None with a note; and every sentence a rule writes reads back to that rule."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weijian.assessment.criteria import normalise, read_criterion
from weijian.assessment.rules import (
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
    RuleError,
    Threshold,
    Veto,
)

FRACTIONS = (("好", D(1)), ("较好", D("0.8")), ("一般", D("0.6")), ("差", D(0)))

# (sentence, 分值, expected rule)
SENTENCES = [
    # threshold
    ("达到95%得满分，否则不得分", 5, Threshold(target=D(95))),
    ("辖区适龄儿童免疫规划疫苗接种率≥95%的得满分，未达到的不得分", 5, Threshold(target=D(95))),
    (
        "孕产妇死亡率控制在12/10万以下得满分，否则得0分",
        4,
        Threshold(target=D(12), unit="1/10万", higher_is_better=False),
    ),
    ("家庭医生签约服务覆盖率达到百分之七十五及以上得满分，未达标不得分", 3, Threshold(target=D(75))),
    (
        "婴儿死亡率低于5‰得满分，否则不得分",
        3,
        Threshold(target=D(5), unit="‰", higher_is_better=False, inclusive=False),
    ),
    ("完成年度目标任务得满分，未完成的不得分", 6, Threshold()),
    (
        "新增儿科床位达到100张及以上的，得满分；未达到的得2分",
        5,
        Threshold(target=D(100), unit="张", partial=D(2)),
    ),
    ("高血压患者规范管理率≥60%得10分，<60%不得分", 10, Threshold(target=D(60))),
    ("电子健康档案建档率高于90%得满分，否则不得分", 2, Threshold(target=D(90), inclusive=False)),
    ("达到９５％得满分，否则不得分", 5, Threshold(target=D(95))),
    # proportional
    ("按完成比例计分，得分=实际完成值÷目标值×分值", 10, Proportional()),
    ("达到90%得满分，未达到的按完成比例得分", 8, Proportional(target=D(90))),
    ("以80%为目标值，按实际完成比例计分，最高不超过满分", 6, Proportional(target=D(80))),
    (
        "平均住院日控制在8天以内得满分，超过的按目标值÷实际值×分值计分",
        5,
        Proportional(target=D(8), unit="天", higher_is_better=False),
    ),
    ("按完成率×分值计分，超额完成的按比例加分，最高不超过分值的1.2倍", 10, Proportional(cap=D("1.2"))),
    # linear deduction
    ("达到95%得满分，每低1个百分点扣0.5分，扣完为止", 5, LinearDeduction(target=D(95), deduct=D("0.5"))),
    (
        "达到90%及以上得满分，每降低一个百分点扣1分，不足一个百分点按一个百分点计，扣完为止",
        10,
        LinearDeduction(target=D(90), deduct=D(1), steps="ceil"),
    ),
    (
        "门诊预约诊疗率≥50%得满分，每低2个百分点扣1分，最多扣3分",
        5,
        LinearDeduction(target=D(50), per=D(2), deduct=D(1), cap=D(3)),
    ),
    (
        "抗菌药物使用强度控制在40以下得满分，每高1扣0.5分",
        5,
        LinearDeduction(target=D(40), unit="", gap_unit="", deduct=D("0.5"), higher_is_better=False),
    ),
    (
        "床位使用率达到85%得满分，每低1%扣1分（不足1%的不扣分）",
        5,
        LinearDeduction(target=D(85), deduct=D(1), steps="floor"),
    ),
    (
        "年门诊人次达到10万人次得满分，每减少1%扣0.2分",
        4,
        LinearDeduction(target=D(100000), unit="人次", gap_unit="%", deduct=D("0.2")),
    ),
    (
        "平均住院日不超过9天，每超过0.5天扣1分，扣完为止",
        5,
        LinearDeduction(
            target=D(9), unit="天", gap_unit="", per=D("0.5"), deduct=D(1), higher_is_better=False
        ),
    ),
    (
        "达到98%得满分，每低1个百分点扣2分（不足1个百分点的按比例扣分）",
        10,
        LinearDeduction(target=D(98), deduct=D(2)),
    ),
    (
        "病历甲级率≥90%得满分，每下降1个百分点扣1分，最高扣5分",
        10,
        LinearDeduction(target=D(90), deduct=D(1), cap=D(5)),
    ),
    (
        "达到百分之九十五得满分，每低一个百分点扣零点五分",
        5,
        LinearDeduction(target=D(95), deduct=D("0.5")),
    ),
    ("达到９５％得满分，每低１个百分点扣２分", 10, LinearDeduction(target=D(95), deduct=D(2))),
    # bands
    (
        "90%以上得10分，80%-90%得6分，80%以下不得分",
        10,
        Bands(
            bands=(Band(D(90), None, D(10)), Band(D(80), D(90), D(6)), Band(None, D(80), D(0), True, False))
        ),
    ),
    (
        "完成率100%及以上得5分，90%（含）-100%得3分，90%以下得1分",
        5,
        Bands(
            bands=(Band(D(100), None, D(5)), Band(D(90), D(100), D(3)), Band(None, D(90), D(1), True, False))
        ),
    ),
    (
        "知晓率≥80%得4分；70%≤知晓率<80%得2分；<70%不得分",
        4,
        Bands(
            bands=(Band(D(80), None, D(4)), Band(D(70), D(80), D(2)), Band(None, D(70), D(0), True, False))
        ),
    ),
    (
        "每千人口执业医师数达到3人以上得3分，2.5-3人得2分，2.5人以下得1分",
        3,
        Bands(
            bands=(
                Band(D(3), None, D(3)),
                Band(D("2.5"), D(3), D(2)),
                Band(None, D("2.5"), D(1), True, False),
            ),
            unit="人",
        ),
    ),
    (
        "高于95%得5分，90%至95%（含）得3分，低于90%不得分",
        5,
        Bands(
            bands=(
                Band(D(95), None, D(5), False),
                Band(D(90), D(95), D(3), True, True),
                Band(None, D(90), D(0), True, False),
            )
        ),
    ),
    (
        "平均住院日8天及以下得5分，8-10天得3分，10天以上不得分",
        5,
        Bands(
            bands=(
                Band(None, D(8), D(5), True, True),
                Band(D(8), D(10), D(3), False, False),
                Band(D(10), None, D(0)),
            ),
            unit="天",
        ),
    ),
    (
        "九十分以上为优秀得十分，八十分至九十分得六分",
        10,
        None,
    ),
    # interpolation
    (
        "达到95%得满分，低于80%不得分，介于80%和95%之间的按比例得分",
        10,
        Interpolation(floor=D(80), target=D(95)),
    ),
    ("≥90%得满分，≤60%不得分，60%-90%之间按比例计分", 6, Interpolation(floor=D(60), target=D(90))),
    (
        "控制在5%及以下得满分，10%及以上不得分，介于5%和10%之间的按比例得分",
        4,
        Interpolation(floor=D(10), target=D(5), higher_is_better=False),
    ),
    # rank
    ("全市排名第一得满分，每降低一个名次扣1分", 8, Rank(step=D(1), scope="全市")),
    (
        "在同类单位中排名第1名的得10分，每后退1名扣0.5分，扣完为止",
        10,
        Rank(step=D("0.5"), scope="同类单位中"),
    ),
    ("按全市排名计分，第1名得8分，第2名得7分，第3名得6分，依此类推", 8, Rank(step=D(1), scope="全市")),
    (
        "按名次比例计分：得分=（参评单位数−名次）÷（参评单位数−1）×分值",
        10,
        Rank(mode="proportional", step=None),
    ),
    (
        "万人口传染病报告发病率由低到高排名，第一名得满分，每降低一个名次扣0.5分",
        5,
        Rank(step=D("0.5"), higher_is_better=False),
    ),
    # improvement
    ("较上年提高2个百分点及以上得满分，提高不足2个百分点按比例得分", 5, Improvement(by=D(2))),
    ("比上年增长5%以上的得满分，否则不得分", 4, Improvement(by=D(5), by_unit="%", mode="threshold")),
    (
        "婴儿死亡率同比下降0.5个千分点及以上得满分，未下降的不得分",
        3,
        Improvement(by=D("0.5"), by_unit="", unit="‰", mode="threshold", higher_is_better=False),
    ),
    ("与上年相比提升1个百分点的得满分，提升不足1个百分点的按比例折算", 3, Improvement(by=D(1))),
    # checklist
    ("发现一处问题扣1分，最多扣5分", 5, Checklist(per=D(1), cap=D(5))),
    ("每发现1例不规范处方扣0.5分，扣完为止", 5, Checklist(per=D("0.5"), measure="例", finding="不规范处方")),
    (
        "督导检查中每发现一项不符合要求的扣0.2分",
        2,
        Checklist(per=D("0.2"), measure="项", finding="不符合要求"),
    ),
    (
        "存在1个安全隐患扣2分，扣分不超过10分",
        10,
        Checklist(per=D(2), cap=D(10), measure="个", finding="安全隐患"),
    ),
    ("每项不合格扣0.5分", 3, Checklist(per=D("0.5"), measure="项", finding="不合格")),
    # qualitative
    (
        "由考评组综合评定，好得满分，较好得8分，一般得5分，差不得分",
        10,
        Qualitative(levels=(("好", D(10)), ("较好", D(8)), ("一般", D(5)), ("差", D(0))), as_points=True),
    ),
    (
        "根据现场检查情况评定：优秀得满分，良好得分值的80%，合格得分值的60%，不合格不得分",
        5,
        Qualitative(levels=(("优秀", D(1)), ("良好", D("0.8")), ("合格", D("0.6")), ("不合格", D(0)))),
    ),
    ("专家评审打分，去掉一个最高分和一个最低分后取平均分", 10, Qualitative(combine="trimmed")),
    (
        "工作开展好的得3分，较好的得2分，一般的得1分，差的不得分",
        3,
        Qualitative(levels=(("好", D(3)), ("较好", D(2)), ("一般", D(1)), ("差", D(0))), as_points=True),
    ),
    (
        "按时完成得满分，基本完成得3分，未完成不得分",
        5,
        Qualitative(levels=(("按时完成", D(5)), ("基本完成", D(3)), ("未完成", D(0))), as_points=True),
    ),
    # bonus
    ("每获得一项省级以上表彰加1分，最多加3分", 3, Bonus(per=D(1), cap=D(3), event="获得省级以上表彰")),
    ("承办全国性现场会的加2分", 2, Bonus(per=D(2), event="承办全国性现场会")),
    (
        "工作经验被国家级媒体报道的，每篇加0.5分，加分不超过2分",
        2,
        Bonus(per=D("0.5"), cap=D(2), event="工作经验被国家级媒体报道", measure="篇"),
    ),
    # deductions from 督办 and 问题清单
    ("督办事项逾期未办结的，每项扣1分，最多扣5分", 5, Deduction(source="overdue", per=D(1), cap=D(5))),
    ("问题清单中的问题逾期未整改的，每个扣0.5分，扣完为止", 3, Deduction(source="unrectified", per=D("0.5"))),
    ("每有一项督办事项未按期反馈扣0.5分", 2, Deduction(source="overdue", per=D("0.5"))),
    # veto
    ("发生重大安全生产事故的，实行一票否决", None, Veto(condition="发生重大安全生产事故")),
    ("出现重大医疗质量安全事件，年度考核实行一票否决", None, Veto(condition="出现重大医疗质量安全事件")),
    ("凡发生瞒报、漏报重大传染病疫情的，一票否决", None, Veto(condition="发生瞒报、漏报重大传染病疫情")),
    (
        "发生2起及以上较大医疗纠纷的，考核等次最高评为合格",
        None,
        Veto(condition="发生较大医疗纠纷", min_count=2, effect="cap", grade="合格"),
    ),
    (
        "发生重大舆情事件造成恶劣影响的，取消评优评先资格",
        None,
        Veto(condition="发生重大舆情事件造成恶劣影响", effect="bar", grade="优秀"),
    ),
    ("被上级通报批评的，直接评为不合格", None, Veto(condition="被上级通报批评")),
    # missing data and applicability
    ("达到90%得满分，否则不得分；数据缺失的不参与计分", 5, Threshold(target=D(90), missing="excluded")),
    (
        "（仅适用于二级以上公立医院）达到95%得满分，否则不得分",
        5,
        Threshold(target=D(95), applies_to=("二级以上公立医院",)),
    ),
    ("达到90%得满分，否则不得分；未上报数据的按未达标处理", 5, Threshold(target=D(90), missing="failing")),
    # a plan target, a target stated apart, per-occurrence deductions, 分别 lists
    ("未达到目标值的，每低1个百分点扣0.5分", 5, LinearDeduction(deduct=D("0.5"))),
    ("得分=实际值÷目标值×分值，其中目标值为90%", 10, Proportional(target=D(90))),
    (
        "被省级及以上通报批评的，每次扣2分",
        4,
        Checklist(per=D(2), measure="次", finding="被省级及以上通报批评"),
    ),
    (
        "按时完成年度目标任务的得满分，未按时完成的每项扣1分",
        5,
        Checklist(per=D(1), measure="项", finding="未按时完成"),
    ),
    (
        "好、较好、一般、差分别得10、8、6、0分",
        10,
        Qualitative(levels=(("好", D(10)), ("较好", D(8)), ("一般", D(6)), ("差", D(0))), as_points=True),
    ),
]

# Written after the reader was built, to measure it on wording it had not seen: 22 of these 25
# (with five more in NOT_RULES below) read right the first time; the three misses (a lone 不得分
# band, an unread 扣分 clause, 天 after a ≤ sign) were mended by general rules. Two of those five
# non-rules were later read as per-occurrence deductions, which they are (now in SENTENCES).
HELD_OUT = [
    ("签约居民续约率达到80%及以上的得满分，未达到的不得分", 4, Threshold(target=D(80))),
    (
        "65岁及以上老年人健康管理率≥70%得满分，每低1个百分点扣0.3分，扣完为止",
        6,
        LinearDeduction(target=D(70), deduct=D("0.3")),
    ),
    (
        "严重精神障碍患者规范管理率达90%得满分；每降低1个百分点扣0.5分",
        5,
        LinearDeduction(target=D(90), deduct=D("0.5")),
    ),
    (
        "县域内就诊率达到90%以上得6分，85%-90%得4分，80%-85%得2分，低于80%不得分",
        6,
        Bands(
            bands=(
                Band(D(90), None, D(6)),
                Band(D(85), D(90), D(4)),
                Band(D(80), D(85), D(2)),
                Band(None, D(80), D(0), True, False),
            )
        ),
    ),
    ("每出现1起医疗事故扣2分，最多扣6分", 6, Checklist(per=D(2), cap=D(6), measure="起", finding="医疗事故")),
    ("各县区按得分高低排序，第一名得10分，每下降一名减0.5分", 10, Rank(step=D("0.5"))),
    ("较上年度提高3个百分点及以上的得满分，提高幅度不足3个百分点的按比例得分", 6, Improvement(by=D(3))),
    ("同比增长10%及以上得满分，否则不得分", 4, Improvement(by=D(10), by_unit="%", mode="threshold")),
    (
        "由专家组现场评审，优得满分，良得分值的80%，中得分值的60%，差不得分",
        10,
        Qualitative(levels=(("优", D(1)), ("良", D("0.8")), ("中", D("0.6")), ("差", D(0)))),
    ),
    ("每获得1项国家级荣誉加2分，最高加4分", 4, Bonus(per=D(2), cap=D(4), event="获得国家级荣誉")),
    ("督办件超期未办结的，每件扣0.5分，最多扣2分", 2, Deduction(source="overdue", per=D("0.5"), cap=D(2))),
    ("巡察反馈问题未整改到位的，每项扣1分", 5, Deduction(source="unrectified", per=D(1))),
    ("发生重大网络安全事件的，实行一票否决", None, Veto(condition="发生重大网络安全事件")),
    (
        "发生3次及以上医疗纠纷的，考核等次最高为基本合格",
        None,
        Veto(condition="发生医疗纠纷", min_count=3, effect="cap", grade="基本合格"),
    ),
    (
        "新生儿死亡率控制在3‰以内得满分，否则不得分",
        4,
        Threshold(target=D(3), unit="‰", higher_is_better=False),
    ),
    (
        "药占比控制在30%以下得满分，每超过1个百分点扣1分，扣完为止",
        5,
        LinearDeduction(target=D(30), deduct=D(1), higher_is_better=False),
    ),
    (
        "基层诊疗量占比达到65%得满分，低于50%不得分，50%-65%之间按比例得分",
        8,
        Interpolation(floor=D(50), target=D(65)),
    ),
    ("按实际完成率计分，得分=完成率×分值，最高得满分", 10, Proportional()),
    ("每发现一处消防安全隐患扣1分，扣完为止", 4, Checklist(per=D(1), measure="处", finding="消防安全隐患")),
    (
        "二级以上医院平均住院日≤9天得满分，>9天每增加0.5天扣0.5分",
        5,
        LinearDeduction(
            target=D(9), unit="天", gap_unit="", per=D("0.5"), deduct=D("0.5"), higher_is_better=False
        ),
    ),
]

# Sentences that are no rule of ours: None, with a note saying so.
NOT_RULES = [
    "按照省卫生健康委有关要求执行",
    "查阅资料、现场查看",
    "根据工作情况",
    "每发现三处问题扣一分",
    "全年无重大传染病疫情漏报的得满分",
    "",
    "排名靠前的酌情加分",
    "获得国家级表彰的加2分，获得省级表彰的加1分",
    "一票否决",
    "达到95%得满分，每高1个百分点扣1分",
    "甲级病案率低于85%的不得分",
    "达到95%得满分，材料不全的扣2分",
    "好、一般分别得10、6、0分",
    "全市综合排名前三名的得满分，第四至六名得3分，其余不得分",
    "完成省下达任务的得满分，每低于任务数1个百分点扣0.2分",
]


def _id(case):
    return case[0][:20] or "empty"


@pytest.mark.parametrize(
    "text,points,expected", SENTENCES + HELD_OUT, ids=[_id(c) for c in SENTENCES + HELD_OUT]
)
def test_sentence_reads_into_the_right_rule(text, points, expected):
    reading = read_criterion(text, None if points is None else D(points))
    assert reading.rule == expected, reading.notes
    if expected is None:
        assert reading.notes and reading.confidence == 0
    else:
        assert 0 < reading.confidence <= 1


def test_sentence_set_is_large_enough():
    assert len(SENTENCES) >= 60
    kinds = {type(e).__name__ for _, _, e in SENTENCES if e is not None}
    assert len(kinds) == 12


@pytest.mark.parametrize("text", NOT_RULES)
def test_not_a_rule_gives_none_with_a_chinese_note(text):
    reading = read_criterion(text, D(5))
    assert reading.rule is None
    assert reading.confidence == 0 and reading.notes
    assert all(any("\u4e00" <= c <= "\u9fff" for c in n) for n in reading.notes)


def test_unread_number_is_named_in_a_note_and_lowers_confidence():
    reading = read_criterion("达到95%得满分，否则不得分，连续3年达标的另行奖励", D(5))
    assert reading.rule == Threshold(target=D(95))
    assert any("连续3年" in n for n in reading.notes)
    assert reading.confidence <= 0.5


def test_assumptions_are_noted():
    reading = read_criterion("达到95%得满分，每低1个百分点扣0.5分", D(5))
    assert any("按实际差距折算" in n for n in reading.notes)
    assert reading.confidence < 1


def test_band_bound_claimed_twice_goes_to_the_better_band_with_a_note():
    reading = read_criterion("90%以上得10分，80%-90%得6分，80%以下不得分", D(10))
    assert any("80同属两档" in n for n in reading.notes)


def test_points_above_the_item_are_flagged():
    reading = read_criterion("90%以上得10分，80%-90%得6分，80%以下不得分", D(8))
    assert any("超过了该项分值8分" in n for n in reading.notes)


def test_normalise_keeps_words_that_look_like_numerals():
    assert normalise("一般得五分，一票否决，第一名") == "一般得5分，一票否决，第1名"
    assert normalise("每低一个百分点扣零点五分") == "每低1个百分点扣0.5分"


# --- round trip: every sentence a rule writes reads back to that rule --------------------------

_amounts = st.decimals(min_value=D("0.01"), max_value=D(999), places=2, allow_nan=False, allow_infinity=False)
_small = st.decimals(min_value=D("0.1"), max_value=D(20), places=1, allow_nan=False, allow_infinity=False)
_units = st.sampled_from(["%", "‰", "张", "人次", "天", "", "1/10万"])
_common = {
    "missing": st.sampled_from(["zero", "excluded", "failing"]),
    "applies_to": st.sampled_from([(), ("二级以上公立医院",), ("乡镇卫生院", "社区卫生服务中心")]),
}


def _rule(cls, **kw):
    return st.builds(cls, **kw, **_common)


def _bands():
    def make(cuts, pts, unit):
        cuts = sorted(set(cuts))
        points = sorted(pts, reverse=True)[: len(cuts) + 1]
        if len(points) < len(cuts) + 1:
            points += [D(0)] * (len(cuts) + 1 - len(points))
        bands = [Band(cuts[-1], None, points[0])]
        for i in range(len(cuts) - 1, 0, -1):
            bands.append(Band(cuts[i - 1], cuts[i], points[len(cuts) - i]))
        bands.append(Band(None, cuts[0], points[-1], True, False))
        return Bands(bands=tuple(bands), unit=unit)

    return st.builds(
        make, st.lists(_amounts, min_size=1, max_size=3), st.lists(_small, min_size=1, max_size=4), _units
    )


RULES = st.one_of(
    _rule(
        Threshold,
        target=st.none() | _amounts,
        unit=_units,
        higher_is_better=st.booleans(),
        inclusive=st.booleans(),
        partial=st.none() | _small,
    ),
    _rule(
        Proportional,
        target=st.none() | _amounts,
        unit=_units,
        higher_is_better=st.booleans(),
        cap=st.none() | st.sampled_from([D("1.2"), D("1.5"), D(2)]),
    ),
    _rule(
        LinearDeduction,
        target=st.none() | _amounts,
        unit=_units,
        per=_small,
        gap_unit=st.sampled_from(["百分点", "%", ""]),
        deduct=_small,
        steps=st.sampled_from(["exact", "ceil", "floor"]),
        higher_is_better=st.booleans(),
        cap=st.none() | _small,
    ),
    _rule(Interpolation, floor=_amounts, target=_amounts, unit=_units, higher_is_better=st.booleans()),
    _rule(
        Rank,
        mode=st.sampled_from(["step", "proportional"]),
        step=_small,
        scope=st.sampled_from(["", "全市", "全县", "全市各县区", "同级医院中"]),
        higher_is_better=st.booleans(),
    ),
    _rule(
        Improvement,
        by=_small,
        by_unit=st.sampled_from(["百分点", "%", ""]),
        unit=_units,
        mode=st.sampled_from(["proportional", "threshold"]),
        higher_is_better=st.booleans(),
    ),
    _rule(
        Checklist,
        per=_small,
        cap=st.none() | _small,
        measure=st.sampled_from(["处", "项", "例", "个"]),
        finding=st.sampled_from(["问题", "安全隐患", "不规范病历"]),
    ),
    st.sampled_from(
        [
            (FRACTIONS, False),
            ((("优秀", D(1)), ("良好", D("0.85")), ("合格", D("0.6")), ("不合格", D(0))), False),
            ((("好", D(5)), ("较好", D("3.5")), ("差", D(0))), True),
            ((("按时完成", D(4)), ("基本完成", D(2)), ("未完成", D(0))), True),
        ]
    ).flatmap(
        lambda la: _rule(
            Qualitative,
            levels=st.just(la[0]),
            as_points=st.just(la[1]),
            combine=st.sampled_from(["mean", "trimmed"]),
        )
    ),
    _rule(
        Bonus,
        per=_small,
        cap=st.none() | _small,
        event=st.sampled_from(["获得省级以上表彰", "承办全省现场会", "工作经验被国家级媒体报道"]),
        measure=st.sampled_from(["项", "次", "篇"]),
    ),
    _rule(Deduction, source=st.sampled_from(["overdue", "unrectified"]), per=_small, cap=st.none() | _small),
    _rule(
        Veto,
        condition=st.sampled_from(["发生重大医疗安全事件", "发生瞒报、漏报传染病疫情", "被省级以上通报批评"]),
        min_count=st.integers(min_value=1, max_value=5),
        effect=st.sampled_from(["fail", "cap", "bar"]),
        grade=st.sampled_from(["合格", "良好", "优秀"]),
    ),
    _bands(),
)


def _valid(strategy):
    def build(draw):
        try:
            return draw(strategy)
        except RuleError:
            return None

    return st.composite(lambda draw: build(draw))()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(rule=_valid(RULES), points=st.sampled_from([D(5), D(10), D(20)]))
def test_describe_then_read_gives_back_the_same_rule(rule, points):
    if rule is None:
        return
    text = rule.describe(points)
    reading = read_criterion(text, points)
    if isinstance(rule, Bands) and isinstance(reading.rule, Threshold):
        # Full points from a cut and nothing below it is a threshold, and is read as one: the
        # two must score alike on both sides of the cut and at it.
        cut = reading.rule.target
        for v in (cut - D("0.01"), cut, cut + D("0.01")):
            assert (
                rule.score(Inputs(value=v), points).points
                == reading.rule.score(Inputs(value=v), points).points
            )
        return
    assert reading.rule == rule, (text, reading.notes)
