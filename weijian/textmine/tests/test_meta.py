"""Document kind, region and year from titles, issuing bodies and the way a text names itself."""

from __future__ import annotations

import pytest

from weijian.textmine.meta import detect_kind, detect_region, detect_year


@pytest.mark.parametrize(
    "text,kind",
    [
        ("2021年全县卫生健康工作要点\n一、……", "plan"),
        ("关于印发《2020年某某市卫生健康工作计划》的通知\n各单位：", "plan"),
        ("2019年度全市卫生健康工作总结\n2019年，全市……", "summary"),
        ("2022年全区卫生健康工作总结及2023年工作要点\n……", "mixed"),
        ("2023年我县卫生工作的总体要求是：……主要工作安排如下：\n一、工作目标", "plan"),
        ("今年以来，全市卫生系统攻坚克难。主要工作做法和成效如下：\n一、……", "summary"),
    ],
)
def test_kind_comes_from_the_title_or_the_way_the_body_is_introduced(text, kind):
    assert detect_kind(text) == kind


def test_kind_without_any_title_follows_the_voice_of_the_text():
    assert detect_kind("全年累计完成接种12万人次，同比增长5%，已建成10个中心，取得明显成效。") == "summary"
    assert detect_kind("力争年底前建成3个中心，确保接种率达到95%，加快推进医共体建设，要抓好落实。") == "plan"


@pytest.mark.parametrize(
    "text,year",
    [
        ("2021年全县卫生健康工作要点", 2021),
        ("某卫〔2019〕8号\n关于印发《2020年卫生健康工作计划》的通知", 2020),
        ("2022年全区卫生健康工作总结及2023年工作要点", 2022),
        ("2019 年度全市卫生健康工作总结", 2019),
        ("某某县卫生健康局\n2024年我县卫生工作的总体要求是", 2024),
        ("没有年份的文稿", None),
    ],
)
def test_year_is_the_year_the_title_is_about(text, year):
    assert detect_year(text) == year


def test_region_is_the_issuing_body_as_written():
    assert detect_region("云溪市卫生健康委员会关于印发工作要点的通知\n全市各单位：") == "云溪市"
    assert detect_region("2020年，青禾区卫生健康系统紧紧围绕全区中心工作，全区……") == "青禾区"
    assert detect_region("白沙县卫健委2021年工作总结\n全县卫生健康系统……") == "白沙县"


def test_region_falls_back_to_the_place_the_text_keeps_naming_at_its_own_level():
    text = (
        "2020年，全市卫生系统围绕建设“健康云溪”，成绩显著。制定《云溪市医疗集团方案》。"
        "云溪市第一医院获评先进。全市新增床位。石门市医院完成改造。出台《云溪市基层卫生规划》。"
        "全市各县区协同推进，云溪市人民医院扩建，全市群众满意。"
    )
    assert detect_region(text) == "云溪市"


def test_region_is_none_when_the_text_only_says_we():
    text = "2021年我区卫生工作的总体要求是：按照区委、区政府部署，全区卫生系统……围绕区委中心工作，全区……"
    assert detect_region(text) is None
    assert detect_region("本文没有提到任何地方。") is None


def test_a_place_mentioned_in_passing_is_not_the_region():
    text = "我区卫生工作：筹建“示范中心（或云溪市）”项目，全区推进，全区落实，我区领先。"
    assert detect_region(text) is None


@pytest.mark.parametrize(
    "text,region",
    [
        # A municipal commission with the short name 卫生健康委; its text speaks of 各区, not 全市.
        (
            "北京市卫生健康委\n关于印发卫生健康工作要点的通知\n各区卫生健康委，各有关单位：现将要点印发给你们。",
            "北京市",
        ),
        # A district under a city, written with its city.
        (
            "营口市鲅鱼圈区卫生健康局\n2024年卫生健康工作要点\n全区卫生健康系统要扎实推进各项工作。",
            "营口市鲅鱼圈区",
        ),
        ("抚州市临川区卫生健康委员会关于印发2023年工作计划的通知\n全区各医疗卫生单位：", "抚州市临川区"),
        ("临川区卫健委2023年工作计划\n一、全区医疗服务", "临川区"),
    ],
)
def test_issuing_region_of_a_city_commission_and_of_a_district_written_with_its_city(text, region):
    assert detect_region(text) == region
