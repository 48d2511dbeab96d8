"""Sections (numbering ladders and their nesting) and tasks (responsibility notes)."""

from __future__ import annotations

from weijian.textmine.structure import cn_number, find_sections, find_tasks, parse_owners


def heads(text: str) -> list[tuple[str, int, str]]:
    return [(s.num, s.level, s.title) for s in find_sections(text)]


def test_chinese_numerals_are_read():
    assert [cn_number(s) for s in ("一", "九", "十", "十一", "二十", "二十三", "甲")] == [
        1,
        9,
        10,
        11,
        20,
        23,
        None,
    ]


def test_five_ladders_nest_in_order_of_first_appearance():
    text = (
        "一、强化公共卫生\n"
        "（一）完善疾控体系。正文。\n"
        "1.建设实验室。正文。\n"
        "（1）配备设备。正文。\n"
        "①采购检测仪器。正文。\n"
        "②培训检验人员。正文。\n"
        "（2）规范管理。正文。\n"
        "2.充实队伍。正文。\n"
        "（二）加强应急。正文。\n"
        "二、深化医改\n"
        "（一）推进集团建设。正文。\n"
    )
    assert heads(text) == [
        ("一", 1, "强化公共卫生"),
        ("一.（一）", 2, "完善疾控体系"),
        ("一.（一）.1", 3, "建设实验室"),
        ("一.（一）.1.（1）", 4, "配备设备"),
        ("一.（一）.1.（1）.①", 5, "采购检测仪器"),
        ("一.（一）.1.（1）.②", 5, "培训检验人员"),
        ("一.（一）.1.（2）", 4, "规范管理"),
        ("一.（一）.2", 3, "充实队伍"),
        ("一.（二）", 2, "加强应急"),
        ("二", 1, "深化医改"),
        ("二.（一）", 2, "推进集团建设"),
    ]


def test_the_outermost_ladder_in_use_is_level_one():
    text = "（一）加强培训。内容。\n1.岗前培训。内容。\n2.在岗培训。内容。\n（二）加强考核。内容。\n"
    assert heads(text) == [
        ("（一）", 1, "加强培训"),
        ("（一）.1", 2, "岗前培训"),
        ("（一）.2", 2, "在岗培训"),
        ("（二）", 1, "加强考核"),
    ]


def test_enumerators_head_blocks_only_at_the_start_of_a_line():
    inline = "一、医疗服务\n今年重点抓三件事。一是扩容。二是提质。三是增效。\n"
    assert heads(inline) == [("一", 1, "医疗服务")]
    blocks = "一、医疗服务\n一是扩大优质资源。内容。\n二是提升服务质量。内容。\n"
    assert heads(blocks) == [
        ("一", 1, "医疗服务"),
        ("一.一", 2, "扩大优质资源"),
        ("一.二", 2, "提升服务质量"),
    ]


def test_headings_run_into_one_line_are_found_after_a_finished_sentence():
    text = "总体情况良好。 一、医改持续深化 药品价格平稳。 二、公卫服务提升 接种率稳定。 三、队伍建设加强 人才增加。"
    assert heads(text) == [("一", 1, "医改持续深化"), ("二", 1, "公卫服务提升"), ("三", 1, "队伍建设加强")]


def test_a_second_part_may_restart_its_numbering():
    text = "一、去年工作\n内容。\n二、存在问题\n内容。\n一、明年思路\n内容。\n"
    assert [s[0] for s in heads(text)] == ["一", "二", "一"]


def test_a_missing_delimiter_is_tolerated_only_in_sequence():
    text = "一、疫情防控\n1.完善机制。内容。\n2.加强队伍。内容。\n3强化救治。内容。\n4.做好宣传。内容。\n"
    assert [s[0] for s in heads(text)] == ["一", "一.1", "一.2", "一.3", "一.4"]
    # A line that starts with a count is not a heading.
    text2 = "一、疫情防控\n1.完善机制。内容。\n2家医院完成改造。\n"
    assert [s[0] for s in heads(text2)] == ["一", "一.1"]


def test_figures_and_out_of_sequence_numbers_are_not_headings():
    text = "一、概况\n1.5倍于去年。\n3.开展督查。\n（三）不在序列。\n一、二级医院全部达标。\n"
    assert heads(text) == [("一", 1, "概况")]


def test_section_spans_cover_their_block():
    text = "一、甲项\n内容甲。\n二、乙项\n内容乙。\n"
    a, b = find_sections(text)
    assert text[a.start : a.end] == "一、甲项\n内容甲。\n"
    assert text[b.start : b.end] == "二、乙项\n内容乙。\n"


def test_owners_are_sorted_by_role_and_names_split():
    o = parse_owners(
        "（责任领导：张三、李四，牵头科室：医政科；责任科室：疾控科，基层科 规财科；配合单位：各县区卫健局、市疾控中心）"
    )
    assert o == {
        "leaders": ["张三", "李四"],
        "lead_departments": ["医政科"],
        "departments": ["疾控科", "基层科", "规财科"],
        "partners": ["各县区卫健局", "市疾控中心"],
    }


def test_unit_and_office_keywords_map_to_departments():
    o = parse_owners("(牵头责任单位:市卫健委;责任单位:市医保局、市财政局;协作单位:各医院)")
    assert o["lead_departments"] == ["市卫健委"]
    assert o["departments"] == ["市医保局", "市财政局"]
    assert o["partners"] == ["各医院"]
    assert parse_owners("（责任处室：规划处）")["departments"] == ["规划处"]


PLAN = (
    "一、提升服务能力\n"
    "（一）加强学科建设。扶持薄弱学科。（责任领导：王五，责任科室：医政科）\n"
    "（二）推进信息化。建设平台。\n"
    "完善数据标准。（责任领导：赵六、钱七，牵头科室：规财科，配合单位：信息中心）\n"
    "（三）做好宣传。加强舆情监测。（责任领导：孙八，责任科室：宣传科）\n"
    "做好干部保健工作。（责任领导：王五，责任科室：保健办）\n"
)


def test_tasks_take_the_number_and_heading_of_their_item():
    tasks = find_tasks(PLAN, find_sections(PLAN))
    assert [(t.num, t.title) for t in tasks] == [
        ("一.（一）", "加强学科建设"),
        ("一.（二）", "推进信息化"),
        ("一.（三）", "做好宣传"),
        (None, "做好干部保健工作"),
    ]


def test_task_owners_keep_partners_apart():
    t = find_tasks(PLAN, find_sections(PLAN))[1]
    assert t.leaders == ["赵六", "钱七"]
    assert t.lead_departments == ["规财科"]
    assert t.departments == []
    assert t.partners == ["信息中心"]


def test_an_unnumbered_task_is_titled_by_its_first_sentence():
    text = "落实离退休人员待遇，提高服务水平。具体措施另行通知。（责任领导：周九，责任科室：人事科）\n"
    (t,) = find_tasks(text, find_sections(text))
    assert t.num is None and t.title == "落实离退休人员待遇，提高服务水平" and t.departments == ["人事科"]


def test_brackets_without_owners_are_not_tasks():
    text = "（一）制定方案（试行）。印发《办法（修订）》。\n"
    assert find_tasks(text, find_sections(text)) == []
