"""Document metadata: kind (plan / summary / mixed), region (the issuing body's area as
written) and year (the year the document is about).

The rules follow how commission documents announce themselves: a title such as
"2018年全区卫生计生工作总结及2019年工作要点" or "关于印发《2017年××市卫生计生工作要点》的通知",
an issuing body ("××市卫生健康委员会", "××区卫生计生系统"), and the way the text speaks of
itself (全市/我区). The region is only given when the text names it: a document that only says
"我区" has no region.
"""

from __future__ import annotations

import re
from collections import Counter

_PLAN_TITLE = r"工作要点|工作计划|工作重点|工作安排|工作思路|实施方案|工作方案|行动计划|行动方案|任务分解"
_SUMMARY_TITLE = r"工作总结|年终总结|半年总结|年度总结|工作回顾|述职报告|工作情况报告"
_PLAN_RE = re.compile(_PLAN_TITLE)
_SUMMARY_RE = re.compile(_SUMMARY_TITLE)
# "主要工作计划如下" / "主要工作做法和成效如下" announce the body that follows.
_PLAN_INTRO = re.compile(r"(?:计划|要点|安排|重点|任务|思路)(?:如下|是)[:：]")
_SUMMARY_INTRO = re.compile(r"(?:成效|成绩|做法|总结|情况|进展)(?:如下|是)[:：]")
_YEAR_TITLE = re.compile(rf"((?:19|20)\d{{2}})\s*年度?[^。\n；;]{{0,40}}?(?:{_PLAN_TITLE}|{_SUMMARY_TITLE})")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\d)")

_LEVELS = {
    "市": ("全市", "我市", "本市"),
    "区": ("全区", "我区", "本区"),
    "县": ("全县", "我县", "本县"),
    "省": ("全省", "我省", "本省"),
}
_ISSUER = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?<=年)|(?<=年度))(?![年度])"
    # A district or county may be written with its city first (营口市鲅鱼圈区, 抚州市临川区).
    r"((?:[\u4e00-\u9fff]{2,3}?[省市])?)([\u4e00-\u9fff]{2,4}?[省市区县旗])"
    r"(?:卫生健康委员会|卫生健康委|卫生和计划生育委员会|卫生计生委员会|卫生计生委|卫健委|卫生健康局|卫生计生局|卫生局|卫计局"
    r"|卫生计生系统|卫生健康系统|卫健系统|卫生系统|人民政府|政府办公室"
    r"|卫生健康工作|卫生计生工作|卫生工作|卫健工作)"
)
# Characters that do not occur in the names of places (they make 在全市, 年我区, 按照区委 …).
_NOT_IN_NAMES = set(
    "我全本各该每年个从在对占致为之其和与及等是有了的向按照围绕通过根据确保适应设级地城县市区省"
)


def detect_kind(text: str) -> str:
    """plan, summary or mixed, from the title first, then from how the body introduces itself."""
    head = text[:200]
    plan, summary = bool(_PLAN_RE.search(head)), bool(_SUMMARY_RE.search(head))
    if plan and summary:
        return "mixed"
    if plan or summary:
        return "plan" if plan else "summary"
    body = text[:1500]
    plan, summary = bool(_PLAN_INTRO.search(body)), bool(_SUMMARY_INTRO.search(body))
    if plan != summary:
        return "plan" if plan else "summary"
    # No title: weigh the voice of the text, commitments against achievements.
    future = len(re.findall(r"力争|确保|要|将|计划|推进|加快", text))
    past = len(re.findall(r"完成了|取得|实现了|累计|同比|共[计有]?|已", text))
    return "plan" if future > past * 2 else "summary"


def detect_year(text: str) -> int | None:
    """The year in the title (the first one, for "2018年总结及2019年要点"), else the first dated year."""
    head = text[:300]
    m = _YEAR_TITLE.search(head)
    if m:
        return int(m.group(1))
    m = _YEAR.search(head)
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def _self_level(text: str) -> str | None:
    counts = {lv: sum(text.count(w) for w in words) for lv, words in _LEVELS.items()}
    lv, n = max(counts.items(), key=lambda kv: kv[1])
    return lv if n else None


def detect_region(text: str) -> str | None:
    """The issuing body's area as written ("泉州市", "宜秀区"), or None when not stated."""
    level = _self_level(text)
    # The issuing body is named at the top (title, masthead or first sentence).
    first_line = len(text) - len(text.lstrip())
    first_line = text.find("\n", first_line)
    for m in _ISSUER.finditer(text, 0, 400):
        parent, name = m.group(1), m.group(2)
        if _NOT_IN_NAMES.intersection(name[:-1]) or _NOT_IN_NAMES.intersection(parent[:-1]):
            continue
        # The masthead (the first line) names the issuer whatever level the text speaks at.
        if level is None or name.endswith(level) or first_line < 0 or m.start() < first_line:
            return parent + name
    if level is None or level == "省":
        return None
    # No issuing body: the place the text keeps naming at its own level ("泉州市" in a text
    # that says 全市 throughout, beside a few county-level cities it also mentions). A name is
    # a stem written with the level character (not 市委/区政府/市级) at least twice, and mostly
    # written that way, so verbs and phrases that happen to precede 市 do not count.
    found = Counter(
        s
        for s in re.findall(
            rf"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{{2}}){level}(?!委|政府|级|域|直|属|内|外|长|民|场)", text
        )
        if not _NOT_IN_NAMES.intersection(s)
    )
    scored = sorted(
        (
            (text.count(s), s)
            for s, n in found.items()
            if n >= 2 and text.count(s + level) >= 0.3 * text.count(s)
        ),
        reverse=True,
    )
    if not scored:
        return None
    best_n, best = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0
    if best_n >= 3 and best_n >= 2 * second:
        return best + level
    return None
