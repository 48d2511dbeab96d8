"""Proofreading rules, each shown firing on a faulty sentence and staying quiet on a sound one."""

from __future__ import annotations

from weijian.textmine import analyze
from weijian.textmine.defects import find_defects


def flagged(text: str, kind: str = "summary") -> list[tuple[str, str]]:
    return [(d.type, d.text) for d in find_defects(text, kind=kind)]


def types(text: str, kind: str = "summary") -> list[str]:
    return [t for t, _ in flagged(text, kind)]


def test_a_clause_written_twice_is_a_duplicate():
    text = (
        "全县卫生院全部开设中医馆，服务能力提升。年内新建村卫生室十所。全县卫生院全部开设中医馆，群众满意。"
    )
    assert ("duplicate_sentence", "全县卫生院全部开设中医馆") in flagged(text)


def test_a_run_of_repeated_clauses_is_flagged_once():
    text = "启动健康小屋建设，覆盖全部社区卫生服务中心，群众反映良好。其他工作有序开展。启动健康小屋建设，覆盖全部社区卫生服务中心，群众反映良好。"
    dups = [t for k, t in flagged(text) if k == "duplicate_sentence"]
    assert dups == ["启动健康小屋建设，覆盖全部社区卫生服务中心，群众反映良好"]


def test_a_clause_restating_the_opening_of_its_neighbour_is_a_duplicate():
    text = "荣获“省级健康促进先进县”、“省级卫生应急示范县”，满意度第一；荣获“省级健康促进先进县”、“省级卫生应急示范县”、文明单位，再创佳绩。"
    assert ("duplicate_sentence", "荣获“省级健康促进先进县”、“省级卫生应急示范县”") in flagged(text)


def test_a_title_typed_twice_in_a_row_is_a_duplicate():
    text = "2020年全县卫生健康工作总结2020年全县卫生健康工作总结 2020年，全县卫生系统稳步推进各项工作。"
    assert ("duplicate_sentence", "2020年全县卫生健康工作总结") in flagged(text)


def test_short_common_phrases_and_plan_goals_restated_under_headings_are_not_duplicates():
    assert types("加强队伍建设。其他事项。加强队伍建设。") == []
    plan = "主要目标：推行人员聘用制度；加强公共卫生建设。\n（一）推行人员聘用制度，优化岗位。\n（二）加强公共卫生建设，提升能力。"
    assert "duplicate_sentence" not in types(plan, kind="plan")


def test_the_same_figure_with_two_values_conflicts():
    text = (
        "全县新增儿科、产科床位数分别为120张、80张，运行良好。年底前，全县儿科、产科床位数分别为150张、80张。"
    )
    found = flagged(text)
    assert ("conflicting_figures", "全县儿科、产科床位数分别为150张、80张") in found


def test_figures_of_different_years_or_subjects_do_not_conflict():
    assert types("2019年全县门诊量为45万人次，2020年全县门诊量为48万人次。") == []
    assert types("内科床位使用率为85%，外科床位使用率为90%。") == []
    assert "conflicting_figures" not in types("全县门诊量为45万人次。全县门诊量为45万人次，比上年增加。")


def test_fenbie_with_too_few_values_is_a_count_mismatch():
    text = "影像、检验、心电和病理中心对乡镇覆盖率分别达到90%、85%、70%。"
    (d,) = [d for d in find_defects(text) if d.type == "count_mismatch"]
    assert d.text == "影像、检验、心电和病理中心对乡镇覆盖率分别达到90%、85%、70%"
    assert "4项" in d.note and "3个" in d.note


def test_fenbie_with_matching_counts_or_without_values_is_fine():
    assert types("三级、二级医院床位使用率分别达到92%、85%。") == []
    assert types("城区及乡镇签约率分别达到60%、45%，均超额完成。") == []
    assert types("甲医院、乙医院分别与乡镇卫生院组建医共体。") == []
    assert types("门诊、住院人次分别用10天、3天恢复到正常水平，累计接诊5000人次。") == []


def test_malformed_numbers_are_flagged():
    found = flagged("覆盖率达到76.5%%。救治患者320名例。远程服务5120人次数。投诉同比下降份8.2%。")
    assert ("malformed_number", "76.5%%") in found
    assert ("malformed_number", "320名例") in found
    assert ("malformed_number", "5120人次数") in found
    assert ("malformed_number", "下降份8.2%") in found


def test_well_formed_figures_are_not_malformed():
    assert types("服务5120人次，培训320名医生，建成3个项目，下降8.2%，共5家所属医院。") == []


def test_a_note_to_the_drafter_is_an_editor_note():
    found = flagged("全年完成筛查1.2万人（此处数据请再核实！）。年内开展义诊（具体次数待补）。")
    assert ("editor_note", "（此处数据请再核实！）") in found
    assert ("editor_note", "（具体次数待补）") in found


def test_ordinary_brackets_are_not_editor_notes():
    assert types("印发《实施方案（试行）》，完成（含中医院）改造，县（市、区）全覆盖。") == []


def test_a_year_that_cannot_fit_its_references_is_an_anachronism():
    text = (
        "2031年全县卫生工作要点：以“三个代表”重要思想和十六大精神为指导，巩固防治非典成果，"
        "落实“四五”普法规划，开展“四五普法”宣传，推进ISO9002-2031质量体系认证。"
    )
    found = flagged(text, kind="plan")
    assert ("anachronism", "2031年全县卫生工作要点") in found
    assert ("anachronism", "ISO9002-2031") in found


def test_future_targets_and_names_are_not_anachronisms():
    text = "2018年，围绕十九大精神和“十三五”规划，编制《健康云溪2030规划》，到2035年基本建成健康城市。"
    assert types(text) == []


def test_one_flag_per_offending_text():
    text = "覆盖率达到76.5%%，比例为76.5%%。"
    assert flagged(text) == [("malformed_number", "76.5%%")]


def test_analyze_reports_defects_as_written_in_the_input():
    text = "覆盖率达到７６．５％％。"
    d = [d for d in analyze(text).defects if d.type == "malformed_number"][0]
    assert d.text == text[d.start : d.end] == "７６．５％％"


def test_formulaic_owner_lines_repeated_for_each_task_are_not_duplicates():
    text = (
        "示范县2030年健康工作要点\n"
        "（一）推进医共体建设，完善医共体内部分工。\n"
        "牵头责任单位：县卫健委、县医保局\n"
        "主要协作单位：县财政局、县人社局、县发改局\n"
        "（二）加强基层人才队伍建设，落实乡村医生待遇。\n"
        "牵头责任单位：县卫健委、县医保局\n"
        "主要协作单位：县财政局、县人社局、县发改局\n"
    )
    for kind in ("plan", "summary"):
        assert "duplicate_sentence" not in types(text, kind)


def test_a_page_title_repeated_on_each_page_is_not_a_duplicate_but_a_pasted_sentence_is():
    page_title = "示范县卫生健康局关于印发重点工作任务清单的通知"
    text = (
        f"{page_title}\n一、加强基层服务。全面落实家庭医生签约服务，扩大重点人群覆盖面。\n— 1 —\n"
        f"{page_title}\n二、做实做细慢性病健康管理，提高规范管理水平。\n— 2 —\n"
        f"{page_title}\n三、扎实推进健康乡村建设，全面落实家庭医生签约服务，扩大重点人群覆盖面。\n— 3 —\n"
    )
    dups = [t for k, t in flagged(text) if k == "duplicate_sentence"]
    assert dups == ["全面落实家庭医生签约服务，扩大重点人群覆盖面"]


def test_the_same_change_said_of_two_indicators_is_not_a_duplicate():
    text = (
        "全市孕产妇系统管理率达到92.5%，同比下降0.62个百分点。"
        "3岁以下儿童系统管理率达到93.1%，同比下降0.62个百分点。"
    )
    assert [d for d in find_defects(text) if d.type == "duplicate_sentence"] == []


def test_a_sentence_with_its_change_written_twice_is_still_a_duplicate():
    text = "全市孕产妇系统管理率达到92.5%，同比下降0.62个百分点。全市孕产妇系统管理率达到92.5%，同比下降0.62个百分点。"
    assert [d.type for d in find_defects(text)] == ["duplicate_sentence"]
