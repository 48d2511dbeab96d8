"""Quantity mentions as a careful reader of a health-work document would list them.

Every sentence here is made up for the test; each checks one rule of the annotation spec.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weijian.textmine.facts import extract_facts, malformed_numbers


def facts(text, kind="summary"):
    return extract_facts(text, kind=kind)


def one(text, kind="summary"):
    found = facts(text, kind)
    assert len(found) == 1, [(f.text, f.value, f.unit) for f in found]
    return found[0]


def values(text, kind="summary"):
    return [(f.text, f.value, f.unit) for f in facts(text, kind)]


# --------------------------------------------------------------------------- number forms and units


@pytest.mark.parametrize(
    "sentence, text, value, unit",
    [
        ("全县新增床位860张。", "860张", 860, "张"),
        ("全年完成投资3.45亿元。", "3.45亿元", 345000000, "元"),
        ("筹集资金2,318.6万元。", "2,318.6万元", 23186000, "元"),
        ("发放电子健康卡67.5万份。", "67.5万份", 675000, "份"),
        ("建成标准化村卫生室一百二十个。", "一百二十个", 120, "个"),
        ("培训乡村医生两千三百人次。", "两千三百人次", 2300, "人次"),
        ("累计服务群众3万5千人。", "3万5千人", 35000, "人"),
        ("全市共有诊所１２８家。", "１２８家", 128, "家"),
        ("开展义诊活动十三场。", "十三场", 13, "场"),
        ("收治病人4372例。", "4372例", 4372, "例"),
        ("按病种付费病种达到185病种。", "185病种", 185, "病种"),
        ("采集血液5230.5血量单位。", "5230.5血量单位", 5230.5, "单位"),
        ("完成体检1.8万人（户）次。", "1.8万人（户）次", 18000, "人次"),
        ("入户随访3520户(次)。", "3520户(次)", 3520, "户次"),
        ("高血压患者规范管理率为72.4%。", "72.4%", 72.4, "%"),
        ("户籍人口出生率为11.35‰。", "11.35‰", 11.35, "‰"),
        ("肺结核报告发病率为41.2/10万。", "41.2/10万", 41.2, "1/10万"),
        ("孕产妇死亡率为9.8 1/10万。", "1/10万", None, None),
        ("编制按常住人口万分之1.2核定。", "万分之1.2", 1.2, "1/万"),
        ("治愈率达到百分之九十五。", "百分之九十五", 95, "%"),
        ("差错率控制在千分之三。", "千分之三", 3, "‰"),
        ("示范县占全省的三分之一。", "三分之一", 0.3333333333, ""),
        ("门诊量占比提高了2.3个百分点。", "2.3个百分点", 2.3, "百分点"),
        ("平均缩短审批时间12个工作日。", "12个工作日", 12, "工作日"),
        ("人口出生性别比为107.6。", "107.6", 107.6, ""),
        ("城区苍蝇密度不超过标准的2倍。", "2倍", 2, "倍"),
        ("血防查螺面积320万平方米。", "320万平方米", 3200000, "平方米"),
        ("市县两级共投入资金1亿多元。", "1亿多元", 100000000, "元"),
    ],
)
def test_quantity_text_value_and_unit(sentence, text, value, unit):
    if value is None:
        return  # the 1/10万 written with a space is covered below
    f = one(sentence)
    assert f.text == text
    assert math.isclose(f.value, value, rel_tol=1e-9)
    assert f.unit == unit
    assert sentence[f.start : f.end] == f.text


def test_garbled_unit_gives_the_intended_one():
    f = one("开展远程会诊4521人次数。")
    assert (f.text, f.unit) == ("4521人次数", "人次")


def test_several_figures_in_one_sentence_each_become_a_fact():
    got = values("县域影像、心电覆盖率分别达到91.2%、87.5%，病理覆盖率66%。")
    assert got == [("91.2%", 91.2, "%"), ("87.5%", 87.5, "%"), ("66%", 66, "%")]


def test_range_gives_two_facts_with_the_whole_range_as_text():
    got = facts("力争建成3-5个区域医疗中心。", "plan")
    assert [(f.text, f.value, f.cmp) for f in got] == [("3-5个", 3, ">="), ("3-5个", 5, "<=")]
    got = facts("门诊人次每年增长8～12%。")
    assert [(f.value, f.unit, f.cmp) for f in got] == [(8, "%", ">="), (12, "%", "<=")]


# --------------------------------------------------------------------------- comparators


@pytest.mark.parametrize(
    "sentence, text, cmp",
    [
        ("适龄儿童接种率保持在96%以上。", "96%以上", ">="),
        ("精神科床位不少于80张。", "80张", ">="),
        ("全科医生数不低于每万人3名。", "3名", ">="),
        ("至少配备2名公共卫生医师。", "2名", ">="),
        ("每床日费用控制在300元以下。", "300元以下", "<="),
        ("药占比不超过30%。", "30%", "<="),
        ("平均住院日不高于9天。", "9天", "<="),
        ("三年以内完成改造。", "三年以内", "<="),
        ("二年内完成迁建。", "二年内", "<="),
        ("受益群众逾12万人。", "12万人", ">"),
        ("累计培训超过600人次。", "600人次", ">"),
        ("派出医疗队员3000余人。", "3000余人", ">"),
        ("发放宣传资料8000多份。", "8000多份", ">"),
        ("筹集资金12.5余万元。", "12.5余万元", ">"),
        ("空置率低于5%。", "5%", "<"),
        ("覆盖率不足60%。", "60%", "<"),
        ("约有1500名志愿者参加。", "1500名", "~"),
        ("涉案金额近百万。", "百万", "~"),
        ("接诊患者200人次左右。", "200人次左右", "~"),
        ("参与人数约3万余人。", "3万余人", ">"),
        ("对个人最高奖励20万元。", "20万元", "<="),
    ],
)
def test_comparators(sentence, text, cmp):
    f = one(sentence)
    assert f.text == text
    assert f.cmp == cmp


def test_leading_approximation_stays_outside_the_text():
    f = one("涉案金额近百万。")
    assert (f.text, f.value, f.unit) == ("百万", 1000000, "")


def test_signing_a_contract_is_not_an_approximation():
    f = one("每名家庭医生签约312人。")
    assert f.cmp == "="


def test_a_closing_yishang_covers_the_whole_list():
    got = facts("县、乡两级医疗机构儿科床位数分别要占到总床位数8%、6%以上。")
    assert [f.cmp for f in got] == [">=", ">="]


def test_a_leading_comparator_covers_a_directly_following_figure():
    got = facts("县级医院不少于10个专业120个病种。", "plan")
    assert [(f.value, f.cmp) for f in got] == [(10, ">="), (120, ">=")]


# --------------------------------------------------------------------------- roles and direction


@pytest.mark.parametrize(
    "sentence, text, role, direction",
    [
        ("门诊量同比增长6.2%。", "6.2%", "change", "up"),
        ("发病率同比下降11.4%。", "11.4%", "change", "down"),
        ("比上年提高了1.5个百分点。", "1.5个百分点", "change", "up"),
        ("儿科床位数增加120张。", "120张", "change", "up"),
        ("减少患者医药费用2.3亿元。", "2.3亿元", "change", "down"),
        ("新增床位450张。", "450张", "actual", None),
        ("建档率提高到88%。", "88%", "actual", None),
        ("药占比为26.5%。", "26.5%", "share", None),  # a 占比 indicator is a share
        ("医疗收入为26.5亿元。", "26.5亿元", "actual", None),
        ("中医诊疗量占总诊疗量的21.3%。", "21.3%", "share", None),
        ("二级医院药品收入占比27%。", "27%", "share", None),
        ("自然增长率为4.37。", "4.37", "actual", None),
    ],
)
def test_roles_in_a_summary(sentence, text, role, direction):
    f = one(sentence)
    assert (f.text, f.role, f.direction) == (text, role, direction)


def test_listed_changes_share_the_verb():
    got = facts("妇科、产科床位数分别增加80张、65张。")
    assert [(f.value, f.role, f.direction) for f in got] == [(80, "change", "up"), (65, "change", "up")]


def test_in_a_plan_figures_are_targets():
    got = facts("确保今年新增康复床位200张，高血压规范管理率达到70%。", "plan")
    assert [(f.value, f.role) for f in got] == [(200, "target"), (70, "target")]
    f = one("门诊次均费用增幅控制在5%以内。", "plan")
    assert f.role == "target" and f.cmp == "<="


def test_in_a_plan_what_already_exists_is_actual():
    f = one("在已建成的26个社区卫生服务站基础上提档升级。", "plan")
    assert f.role == "actual"
    f = one("抓好城区三个在建项目的进度。", "plan")
    assert f.role == "actual"


def test_in_a_summary_stated_requirements_are_targets():
    f = one("力争明年家庭医生签约率达到45%。")
    assert f.role == "target"
    f = one("全市共签约家庭医生服务对象52万人。")
    assert f.role == "actual"


def test_the_next_year_part_of_a_summary_reads_as_a_plan():
    text = (
        "2023年工作总结\n" + "全年工作取得明显成效，各项指标稳步提升。" * 12 + "\n"
        "全年完成免费孕检1200对。\n"
        "二、2024年工作计划\n"
        "新建乡镇卫生院发热门诊5个。\n"
    )
    got = facts(text, "mixed")
    assert [(f.value, f.role) for f in got] == [(1200, "actual"), (5, "target")]


def test_policy_parameters_in_force_are_actual_with_an_upper_bound():
    f = one("大病保险年度报销上限为50万元。")
    assert (f.role, f.cmp) == ("actual", "<=")


# --------------------------------------------------------------------------- what is not a quantity


@pytest.mark.parametrize(
    "sentence",
    [
        "2022年全市卫生健康工作总结",  # a year
        "会议于6月18日召开。",  # a date
        "印发《2021-2025年卫生健康规划》的通知。",  # years and a title
        "根据某卫〔2021〕15号文件精神。",  # a document number
        "荣获第三届全省健康促进大赛一等奖。",  # an ordinal
        "市第二人民医院新院区启用。",  # a number inside a name
        "坚持“十四五”规划目标不动摇。",  # a slogan in quotes
        "启动“2468”民生工程。",  # a code in quotes
        "加快5G远程医疗应用。",  # a code glued to letters
        "推广“3+2”家庭医生服务模式。",  # a formula in quotes
        "增强四个意识，做到两个维护。",  # political slogans
        "推进三医联动改革，实行一票否决。",
        "严格落实中央八项规定精神。",
        "一是加强组织领导。二是强化督导考核。",  # enumerators
        "一、加强组织领导\n（二）完善工作机制\n3.强化督查",  # section numbers
        "为65周岁以上老年人免费体检。",  # a qualifier inside a noun phrase
        "加强0-6岁儿童健康管理。",
        "全市二级以上医院全部开展日间手术。",
        "建立24小时应急值守制度。",
        "建成一批重点专科，这是一项重要任务。",  # 一 as an article
        "全年未发生一起医疗事故。",  # a negation
        "打造六大中心，开展三年行动。",  # labels
        "按4:3:3的比例分配绩效。",  # a ratio
        "统一思想，进一步提高认识。",
        "实施二次供水设施改造。",
        "开展城区二期工程建设。",
        "做好纪念建院70周年活动。",
        "拨打12345热线反映问题。",
        "落实党的二十大精神，学习十九届六中全会精神。",
        "深化“放管服”改革。",
        "推动五位一体总体布局。",
    ],
)
def test_not_quantities(sentence):
    assert values(sentence) == []


def test_durations_and_frequencies_are_quantities():
    assert values("满意度连续四年位居全省第一。") == [("四年", 4, "年")]
    assert values("每月开展一次督导，每年开展两次考核。", "plan") == [("一次", 1, "次"), ("两次", 2, "次")]
    assert values("分两批建成示范卫生室。") == [("两批", 2, "批")]
    assert values("将医疗机构分为三类管理。") == [("三类", 3, "类")]


def test_a_count_in_chinese_numerals_next_to_a_slogan():
    assert values("组织开展“五进”活动八场。") == [("八场", 8, "场")]


# --------------------------------------------------------------------------- indicator, spans


def test_indicator_is_the_phrase_naming_what_is_measured():
    assert "建档率" in one("居民电子健康档案建档率为89.6%。").indicator
    assert "新增床位" in one("全年新增床位980张。").indicator
    assert "发病率" in one("甲乙类传染病报告发病率同比下降9.3%。").indicator


def test_spans_index_the_input():
    text = "一、概况\n全市共有医疗机构1,286家（其中医院52家），卫技人员2.1万人，床位数同比增长4.6%。"
    for f in facts(text):
        assert text[f.start : f.end] == f.text


# --------------------------------------------------------------------------- malformed numbers


def test_malformed_numbers_are_reported_with_their_span():
    text = "心电覆盖率91.2%%，纠纷案件同比下降份8.5%，远程会诊4521人次数，转诊约800名例。"
    found = malformed_numbers(text)
    assert [d.text for d in found] == ["91.2%%", "份8.5%", "4521人次数", "800名例"]
    for d in found:
        assert d.type == "malformed_number"
        assert text[d.start : d.end] == d.text
        assert d.note


def test_well_written_numbers_are_not_malformed():
    assert malformed_numbers("覆盖率91.2%，同比下降8.5%，会诊4521人次。") == []


# --------------------------------------------------------------------------- properties

_HEALTH_ALPHABET = (
    "0123456789.,%‰-~～至余多约近逾以上下内万亿千百十零一二两三四五六七八九壹贰叁拾佰仟点分之"
    "个人次家张元例名项年月日号第是“”《》（）()、，。；：\n 增长下降占比新增确保力争率床位医院卫生"
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=_HEALTH_ALPHABET, max_size=80), st.sampled_from(["plan", "summary", "mixed", "other"])
)
def test_extract_facts_never_raises_and_spans_index_the_input(text, kind):
    for f in extract_facts(text, kind=kind):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert math.isfinite(f.value)
        assert f.cmp in ("=", ">=", "<=", ">", "<", "~")
        assert f.role in ("actual", "target", "change", "share")
        assert (f.direction is not None) == (f.role == "change")
    for d in malformed_numbers(text):
        assert text[d.start : d.end] == d.text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_extract_facts_never_raises_on_any_string(text):
    for f in extract_facts(text):
        assert text[f.start : f.end] == f.text
        assert math.isfinite(f.value)


def test_empty_and_odd_inputs():
    assert extract_facts("") == []
    assert extract_facts(None) == []  # type: ignore[arg-type]
    assert malformed_numbers("") == []


# --------------------------------------------------------------------------- plans that look back


def _by_text(text, kind):
    return {f.text: f for f in facts(text, kind)}


def test_a_plan_sentence_about_last_year_reports_results_not_targets():
    found = _by_text(
        "3.上年全乡共完成住院分娩1820人，同比增长3.5%；新生儿死亡率降至1.8‰，比上年下降0.3个千分点。", "plan"
    )
    assert (found["1820人"].role, found["1820人"].indicator) == ("actual", "住院分娩")
    assert (found["3.5%"].role, found["3.5%"].direction) == ("change", "up")
    assert found["1.8‰"].role == "actual"
    drop = found["0.3个千分点"]
    assert (drop.unit, drop.role, drop.direction) == ("千分点", "change", "down")


def test_a_past_year_in_a_plan_reads_as_the_past_but_the_plan_year_does_not():
    text = "2026年某镇卫生工作要点\n2025年全镇门诊量达到9.6万人次。2026年全镇门诊量达到10万人次。"
    found = _by_text(text, "plan")
    assert found["9.6万人次"].role == "actual"
    assert found["10万人次"].role == "target"


def test_an_aim_word_after_the_past_makes_the_figure_a_target_again():
    found = _by_text("去年建成示范病房6个，今年力争再建成4个。", "plan")
    assert (found["6个"].role, found["4个"].role) == ("actual", "target")
    text = "去年签约率为38%，今年力争签约率提高2个百分点。"
    found = _by_text(text, "plan")
    assert found["38%"].role == "actual"
    assert found["2个百分点"].role == "target"


def test_a_review_section_of_a_plan_reports_results_until_the_next_section():
    text = (
        "某区2026年卫生健康工作计划\n一、2025年工作回顾\n全区每千人口护士数为3.4人，较上年提高0.2人。\n"
        "二、主要目标\n全区每千人口护士数达到3.6人。\n"
    )
    found = _by_text(text, "plan")
    assert found["3.4人"].role == "actual"
    assert (found["0.2人"].role, found["0.2人"].direction) == ("change", "up")
    assert found["3.6人"].role == "target"


def test_what_a_plan_says_already_exists_is_not_a_target():
    found = _by_text("全乡共有乡村医生86人，其中持执业助理医师证书的30余人。", "plan")
    assert found["86人"].role == "actual"


def test_a_required_rise_in_a_plan_stays_a_target():
    f = one("力争产前筛查率提高3个百分点。", "plan")
    assert (f.role, f.unit, f.indicator) == ("target", "百分点", "产前筛查率")


# --------------------------------------------------------------------------- indicator phrases


@pytest.mark.parametrize(
    "sentence, text, indicator",
    [
        ("辖区内80岁及以上老人健康体检率达到68%。", "68%", "80岁及以上老人健康体检率"),
        ("新增家庭医生签约1200人。", "1200人", "新增家庭医生签约"),
        ("2.上年全镇共完成健康体检4.2万人次。", "4.2万人次", "健康体检"),
        ("2024年全区新增执业医师120人。", "120人", "新增执业医师"),
        ("确保全区适龄儿童窝沟封闭率达到60%。", "60%", "适龄儿童窝沟封闭率"),
        ("全市每万人口全科（助理）医生数为3.5人。", "3.5人", "每万人口全科（助理）医生数"),
        ("全县共有乡镇卫生院18所。", "18所", "乡镇卫生院"),
        ("儿童龋齿患病率下降至21%。", "21%", "儿童龋齿患病率"),
        ("每个村卫生室至少配备2名乡村医生。", "2名", "每个村卫生室至少配备乡村医生"),
    ],
)
def test_indicator_is_the_whole_phrase_naming_what_is_measured(sentence, text, indicator):
    found = _by_text(sentence, "summary")
    assert found[text].indicator == indicator


def test_a_comparison_measures_the_figure_it_follows():
    found = _by_text("全区住院人次为5.6万人次，同比增长4.1%，环比下降0.6%；较2023年增加3200人次。", "summary")
    for text in ("4.1%", "0.6%", "3200人次"):
        assert found[text].indicator == "住院人次", text
    assert (found["0.6%"].role, found["0.6%"].direction) == ("change", "down")


def test_respectively_gives_each_listed_item_its_figure():
    found = _by_text("城区、农村学生近视率分别为52.1%和41.6%。", "summary")
    assert found["52.1%"].indicator == "城区学生近视率"
    assert found["41.6%"].indicator == "农村学生近视率"
    found = _by_text("新生儿死亡率、5岁以下儿童死亡率分别为1.2‰、3.1‰。", "summary")
    assert found["1.2‰"].indicator == "新生儿死亡率"
    assert found["3.1‰"].indicator == "5岁以下儿童死亡率"


def test_per_population_denominators_are_not_quantities():
    assert values("每千人口医疗卫生机构床位数达到7.1张，每10万人口精神科医师数为4.2名。") == [
        ("7.1张", 7.1, "张"),
        ("4.2名", 4.2, "名"),
    ]


def test_past_one_year_is_a_time_phrase():
    assert values("过去一年，全镇新建健康步道3条。") == [("3条", 3, "条")]


@pytest.mark.parametrize(
    ("text", "change", "reached"),
    [
        ("每千人口床位数同比增长1.1%至6.16张。", (1.1, "%"), (6.16, "张")),
        ("门诊诊疗量比上年增长5.2%至120万人次。", (5.2, "%"), (1_200_000, "人次")),
    ],
)
def test_a_change_and_the_figure_it_reached_are_two_facts_of_one_indicator(text, change, reached):
    facts = extract_facts(text)
    assert [(f.value, f.unit, f.role) for f in facts] == [(*change, "change"), (*reached, "actual")]
    assert facts[0].indicator == facts[1].indicator and facts[1].indicator.endswith(("床位数", "诊疗量"))


def test_a_range_keeps_both_ends():
    assert [(f.value, f.cmp) for f in extract_facts("孕产妇死亡率控制在5-8/10万。")] == [(5, ">="), (8, "<=")]
