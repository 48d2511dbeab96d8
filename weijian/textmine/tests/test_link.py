"""Linking indicator phrases to catalogue codes through the Aho-Corasick lexicon."""

from __future__ import annotations

from weijian.textmine import Lexicon, analyze
from weijian.textmine.__init__ import _link
from weijian.textmine.model import Fact

CATALOGUE = [
    ("死亡率", "D01"),
    ("孕产妇死亡率", "MMR"),
    ("婴儿死亡率", "IMR"),
    ("免疫规划疫苗接种率", "EPI"),
    ("接种率", "VAC"),
    ("床位使用率", "BOR"),
    ("病床使用率", "BOR"),  # alias
    ("门诊人次", "OPD"),
]


def test_the_longest_name_wins():
    lex = Lexicon(CATALOGUE)
    assert lex.link("全县孕产妇死亡率") == "MMR"
    assert lex.link("适龄儿童免疫规划疫苗接种率") == "EPI"
    assert lex.link("流感疫苗接种率") == "VAC"


def test_aliases_share_a_code():
    lex = Lexicon(CATALOGUE)
    assert lex.link("县医院病床使用率") == lex.link("床位使用率") == "BOR"


def test_among_equally_long_names_the_one_nearest_the_end_wins():
    lex = Lexicon([("门诊人次", "OPD"), ("出院人次", "DIS")])
    assert lex.link("门诊人次稳定，出院人次") == "DIS"


def test_nothing_found_gives_none():
    lex = Lexicon(CATALOGUE)
    assert lex.link("召开工作会议") is None
    assert lex.link("") is None and lex.link(None) is None
    assert Lexicon([]).link("孕产妇死亡率") is None
    assert len(Lexicon([])) == 0 and len(lex) == 8


def test_matches_lists_every_name_without_overlaps():
    lex = Lexicon(CATALOGUE)
    found = lex.matches("孕产妇死亡率和婴儿死亡率均下降")
    assert [(name, code) for _, _, name, code in found] == [("孕产妇死亡率", "MMR"), ("婴儿死亡率", "IMR")]


def test_names_are_matched_across_full_width_brackets():
    lex = Lexicon([("甲乙类传染病报告发病率(1/10万)", "INF")])
    assert lex.link("甲乙类传染病报告发病率（1/10万）") == "INF"


def test_facts_get_the_code_of_their_indicator_or_of_the_words_before_them():
    text = "全县孕产妇死亡率为12.5/10万。今年床位使用率达到85%。"
    lex = Lexicon(CATALOGUE)
    i, j = text.index("12.5"), text.index("85%")
    facts = [
        Fact("12.5/10万", 12.5, "1/10万", indicator="孕产妇死亡率", start=i, end=i + 9),
        Fact("85%", 85, "%", indicator="", start=j, end=j + 3),
    ]
    _link(facts, text, lex)
    assert [f.code for f in facts] == ["MMR", "BOR"]


def test_analyze_links_facts_when_given_a_lexicon():
    text = "2020年全县孕产妇死亡率为0，免疫规划疫苗接种率达到98.5%。"
    linked = analyze(text, lexicon=Lexicon(CATALOGUE))
    codes = {f.text: f.code for f in linked.facts}
    assert codes.get("98.5%") == "EPI"
    assert all(f.code is None for f in analyze(text).facts)
