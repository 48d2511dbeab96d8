"""Proofreading: what a careful reader would flag in a commission report before it goes out.

Each finder is a general rule over clauses (text between Chinese punctuation marks):

* duplicate_sentence   – a clause (or a run of clauses) written twice, a clause that restates
                         the opening of a neighbouring one, a title typed twice in a row;
* conflicting_figures  – two statements of the same figure (same wording once numbers, scope
                         and time words are set aside) that give different values;
* count_mismatch       – "A、B、C … 分别 …" where the number of values differs from the items;
* malformed_number     – doubled signs or measure words (88.1%%, 1400名例, 人次数), a measure
                         word before a figure (下降份10.85%), page numbers inside a figure;
* editor_note          – a bracketed note to the drafter left in the text;
* anachronism          – a year far later than every dated reference around it (十六大, 非典,
                         四五普法 …), outside targets and names.

All offsets index the text handed to `find_defects`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from statistics import median

from .model import Defect

# A clause with its surrounding spaces trimmed: from its first to its last visible character.
_CLAUSE = re.compile(
    r"[^，。；！？：,;:!?\n（）()\s](?:[^，。；！？：,;:!?\n（）()]*[^，。；！？：,;:!?\n（）()\s])?"
)
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _clauses(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), _SPACE.sub("", m.group())) for m in _CLAUSE.finditer(text)]


def _cjk_len(s: str) -> int:
    return len(_NON_CJK.sub("", s))


# --------------------------------------------------------------------------- duplicates

_MIN_DUP = 8  # Chinese characters; shorter repeats are ordinary phrases
# A clause that is only a change (同比下降0.62个百分点) says something of the clause before it:
# the same words after two different indicators are two statements, not one written twice.
_BARE_CHANGE = re.compile(
    r"(?:同比|环比|比上年同期|比上年|较上年|比去年|较去年|与上年相比|较上年同期)?(?:分别)?"
    r"(?:增长|下降|提高|降低|上升|增加|减少|提升|回落)了?\d+(?:\.\d+)?(?:个?百分点|个?千分点|%|％|‰|倍)?"
)
_MAX_RUN = 40  # clauses


_PAGE_NUMBER_LINE = re.compile(
    r"^[\s\-—－–]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4}\s*页?)?[\s\-—－–]*$"
)


def formulaic_lines(text: str) -> list[tuple[int, int]]:
    """Lines repeated on purpose: a responsibility note on its own line (each task's
    “主要协作单位：…”), and a page title or header printed again on each page (a short line
    that comes back three times, or twice beside page numbers)."""
    from .structure import _LINE_NOTE

    spans = [(m.start(), m.end()) for m in _LINE_NOTE.finditer(text)]
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line.strip()))
        pos += len(line) + 1
    seen: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, line) in enumerate(lines):
        if 4 <= len(line) <= 60 and "。" not in line:
            seen[line].append(i)

    def by_page_number(i: int) -> bool:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(lines) and not lines[j][2]:
                j += step
            if 0 <= j < len(lines) and _PAGE_NUMBER_LINE.match(lines[j][2]):
                return True
        return False

    for idx in seen.values():
        if len(idx) >= 3 or (len(idx) == 2 and all(by_page_number(i) for i in idx)):
            spans += [(lines[i][0], lines[i][1]) for i in idx]
    return sorted(spans)


def find_duplicates(
    text: str,
    clauses: list[tuple[int, int, str]],
    *,
    kind: str = "summary",
    headings: list[tuple[int, int]] = (),
) -> list[Defect]:
    """Repeated clauses. A plan restates its goals on purpose (the 目标 list, then each measure
    under its own heading), so in a plan only a long run of repeated clauses counts, and a
    clause that belongs to a heading never does."""
    out: list[Defect] = []
    where: dict[str, list[int]] = defaultdict(list)
    heads = sorted(headings)
    head_starts = [a for a, _ in heads]
    fixed = formulaic_lines(text)
    fixed_starts = [a for a, _ in fixed]

    def in_fixed(pos: int) -> bool:
        f = bisect_right(fixed_starts, pos) - 1
        return f >= 0 and pos < fixed[f][1]

    clauses = [c for c in clauses if not in_fixed(c[0])]
    for i, (s, _, key) in enumerate(clauses):
        h = bisect_right(head_starts, s) - 1
        if h >= 0 and s < heads[h][1]:
            continue
        if len(key) >= _MIN_DUP and _cjk_len(key) >= _MIN_DUP and not _BARE_CHANGE.fullmatch(key):
            where[key].append(i)
    covered: set[int] = set()
    for idx in where.values():
        if len(idx) < 2:
            continue
        for a, b in zip(idx, idx[1:], strict=False):
            if b in covered:
                continue
            # Extend the repeat over the following clauses while they agree.
            # (A run longer than a paragraph is a pasted block; its first clauses identify it.)
            k = 1
            while (
                k < _MAX_RUN and b + k < len(clauses) and a + k < b and clauses[a + k][2] == clauses[b + k][2]
            ):
                k += 1
            # ... and backwards, so a run is reported once from its first clause.
            j = 0
            while (
                j < _MAX_RUN
                and a - j - 1 >= 0
                and b - j - 1 > a
                and clauses[a - j - 1][2] == clauses[b - j - 1][2]
            ):
                j += 1
            run = range(b - j, b + k)
            if any(r in covered for r in run):
                continue
            if kind == "plan" and (len(run) < 2 or sum(_cjk_len(clauses[r][2]) for r in run) < 20):
                continue
            covered.update(run)
            s, e = clauses[b - j][0], clauses[b + k - 1][1]
            out.append(Defect("duplicate_sentence", text[s:e], "与前文重复：同一句话出现两次", s, e))
    # A clause that repeats the opening of a clause nearby ("荣获A、B，……；荣获A、B、C").
    order = sorted(range(len(clauses)), key=lambda i: clauses[i][2])
    for x, y in zip(order, order[1:], strict=False):
        ka, kb = clauses[x][2], clauses[y][2]
        if (
            ka != kb
            and kb.startswith(ka)
            and _cjk_len(ka) >= 12
            and abs(clauses[x][0] - clauses[y][0]) < 400
            and "\n" not in text[min(clauses[x][0], clauses[y][0]) : max(clauses[x][1], clauses[y][1])]
        ):
            if x in covered or y in covered:
                continue
            covered.update((x, y))
            s, e = clauses[x][:2]
            out.append(Defect("duplicate_sentence", text[s:e], "同一内容在相邻处重复书写", s, e))
    # A heading or sentence typed twice in a row with nothing between ("标题标题").
    for m in re.finditer(r"[^。！？\n]{16,}", text):
        if in_fixed(m.start()):
            continue
        seg = m.group()
        lead = seg.lstrip()
        off = m.start() + len(seg) - len(lead)
        probe = lead[:8]
        if _cjk_len(probe) < 4:
            continue
        p = lead.find(probe, 8)
        while p != -1 and p <= 120:
            first = _SPACE.sub("", lead[:p])
            if (
                _SPACE.sub("", lead[p : p + len(first) + 10]).startswith(first)
                and _cjk_len(first) >= _MIN_DUP
            ):
                # Report the repeat (the second copy), as the first may be the intended title.
                s, e = off + p, off + p + len(lead[:p].rstrip())
                if not any(d.start <= s < d.end for d in out):
                    out.append(
                        Defect("duplicate_sentence", text[s:e], "同一标题（句子）紧接着重复出现", s, e)
                    )
                break
            p = lead.find(probe, p + 1)
    return out


# --------------------------------------------------------------------------- conflicting figures

# Words that set scope, time or manner but not the indicator: two statements that differ
# only in these are statements of the same figure.
_FILLER = re.compile(
    r"全市|全区|全县|全省|我市|我区|我县|我省|本市|本区|本县|去年|今年|全年|当年|年内|年底|目前|截至目前|现已|现"
    r"|累计|共计|共|已经|已|新增|扩增|增设|新建|加快建设|建设|完成|实现|达到|达|约|近|超过|为|有"
)
# A year (2018年) or a document number stays in the key: different years are different figures.
# (The look-behind follows the first digit so that the engine can skip ahead to digits.)
_MASK = re.compile(r"\d(?<![\d.]\d)\d*(?:\.\d+)?(?!\s*年|\d)")


def find_conflicts(text: str, clauses: list[tuple[int, int, str]]) -> list[Defect]:
    out: list[Defect] = []
    seen: dict[str, tuple[tuple[str, ...], int]] = {}
    for i, (s, e, key) in enumerate(clauses):
        values = tuple(_MASK.findall(key))
        if not values:
            continue
        masked = _MASK.sub("#", key)
        core = _FILLER.sub("", masked)
        # The indicator must be named: a bare "#张、#张" is not enough to call two figures one.
        if len(core) < 6 or _cjk_len(core) < 6:
            continue
        if core in seen:
            prev_values, j = seen[core]
            if prev_values != values:
                ps = clauses[j][0]
                note = f"与前文“{text[ps : clauses[j][1]]}”数字不一致"
                out.append(Defect("conflicting_figures", text[s:e], note[:120], s, e))
        seen[core] = (values, i)
    return out


# --------------------------------------------------------------------------- 分别 lists

_VALUE = re.compile(r"\d+(?:\.\d+)?(?:\s*[-~至到]\s*\d+(?:\.\d+)?)?")


def _count_items(before: str) -> int:
    """Items named before 分别: "影像、心电、检验和远程会诊…" → 4."""
    # The list sits in the clause; an item list is joined by 、 with an optional last 和/及/与.
    parts = before.split("、")
    n = len(parts)
    last = parts[-1]
    # "…消毒供应和远程会诊" adds one; only a join near the start of the last piece is a list join.
    m = re.search(r"[和及与]", last[:8])
    if m and m.start() > 0:
        n += 1
    elif n == 1:
        m = re.search(r"[和及与]", before)
        if m and 0 < m.start() and len(before) - m.end() > 0:
            n = 2
    return n


def _count_values(after: str) -> int:
    """Values after 分别: the first run of figures joined by 、 ("86.7%、96.5%和79.7%" → 3)."""
    m = re.search(r"\d", after)
    if not m:
        return 0
    run = re.split(r"[，。；,;（(]", after[m.start() :], maxsplit=1)[0]
    n = 0
    for piece in re.split(r"、|和|及", run):
        if not _VALUE.search(piece):
            break
        n += len(_VALUE.findall(piece)) if "-" not in piece and "至" not in piece else 1
    return n


def find_count_mismatches(text: str) -> list[Defect]:
    out: list[Defect] = []
    for m in re.finditer("分别", text):
        # The clause holding 分别: from the previous ，。；： to the end of its list of values.
        # (Searches are bounded: a clause is never longer than a few hundred characters.)
        lo, hi = max(0, m.start() - 300), min(len(text), m.end() + 300)
        a = max(max(text.rfind(c, lo, m.start()) for c in "，。；：,;:\n") + 1, lo)
        b_candidates = [p for p in (text.find(c, m.end(), hi) for c in "，。；,;\n") if p != -1]
        b = min(b_candidates) if b_candidates else hi
        before, after = text[a : m.start()], text[m.end() : b]
        values = _count_values(after)
        if values < 2:
            continue
        items = _count_items(before)
        if items < 2 or items == values:
            continue
        s = a
        while s < m.start() and text[s].isspace():
            s += 1
        out.append(
            Defect("count_mismatch", text[s:b].rstrip(), f"“分别”前列{items}项，后有{values}个数值", s, b)
        )
    return out


# --------------------------------------------------------------------------- malformed numbers

_MW = "名例人位家所张件起项个次份批户对种只支辆套台"
_COMPOUND_UNITS = {"人次", "例次", "户次", "人份", "件次", "台次", "项次", "批次", "家次", "个次", "次数"}
# A whole figure, from the first digit of its run; what follows it is never a digit, so it is read
# in one way only (possessive) and not retried from inside the run.
_WHOLE_FIGURE = r"\d(?<!\d\d)\d*+(?:\.\d++)?"
_MALFORMED = [
    (re.compile(rf"{_WHOLE_FIGURE}[%‰％]{{2,}}"), "符号重复"),
    (re.compile(rf"{_WHOLE_FIGURE}(?:[万亿千])?(?:人次|例次|户次)数(?![\u4e00-\u9fff])"), "单位多出“数”字"),
    (re.compile(rf"{_WHOLE_FIGURE}([{_MW}])([{_MW}])(?![\u4e00-\u9fff])"), "量词重叠"),
    # (The leading class lets the regex engine skip ahead instead of trying each verb everywhere.)
    (
        re.compile(
            rf"[下上增提降减达][降升长高低少加到](?<=下降|上升|增长|提高|降低|减少|增加|达到)[{_MW}]\d+(?:\.\d+)?[%‰]?"
        ),
        "数字前多出量词",
    ),
]


def find_malformed(text: str) -> list[Defect]:
    out: list[Defect] = []
    for rx, why in _MALFORMED:
        for m in rx.finditer(text):
            if why == "量词重叠" and m.group(1) + m.group(2) in _COMPOUND_UNITS:
                continue
            out.append(Defect("malformed_number", m.group(), f"{why}：“{m.group()}”", m.start(), m.end()))
    return out


# --------------------------------------------------------------------------- editor notes

_BRACKETED = re.compile(r"（[^（）\n]{1,60}）|\([^()\n]{1,60}\)|【[^【】\n]{1,60}】|\[[^\[\]\n]{1,60}\]")
_EDITOR_WORDS = re.compile(
    r"去掉|删除|删去|删掉|核实|核对|待补|待定|待核|待确认|待更新|补充数据|补充材料|请补|请核|请改|请确认|修改为|改为|改成"
    r"|此处|这一句|这句|这段|这里|重复描述|数据待|XX|xx|××|＊＊|\?\?|？"
)


def find_editor_notes(text: str) -> list[Defect]:
    out = []
    for m in _BRACKETED.finditer(text):
        inner = m.group()[1:-1]
        if _EDITOR_WORDS.search(inner) or inner.rstrip().endswith(("！", "!")):
            out.append(Defect("editor_note", m.group(), "起草时留下的批注，定稿前应删去", m.start(), m.end()))
    return out


# --------------------------------------------------------------------------- anachronisms

# Dated references: (pattern, first year, last year) in which a current document uses them.
_ERA = [
    (r"十五大", 1997, 2002),
    (r"十六大", 2002, 2007),
    (r"十七大", 2007, 2012),
    (r"十八大", 2012, 2017),
    (r"十九大", 2017, 2022),
    (r"二十大", 2022, 2027),
    (r"十六届[一二三四五六七]中全会", 2002, 2007),
    (r"十七届[一二三四五六七]中全会", 2007, 2012),
    (r"十八届[一二三四五六七]中全会", 2012, 2017),
    (r"十九届[一二三四五六七]中全会", 2017, 2022),
    (r"非典", 2003, 2005),
    (r"三个代表", 2000, 2007),
    (r"科学发展观", 2003, 2012),
    (r"三五普法", 1996, 2000),
    (r"四五普法", 2001, 2005),
    (r"五五普法", 2006, 2010),
    (r"六五普法", 2011, 2015),
    (r"七五普法", 2016, 2020),
    (r"八五普法", 2021, 2025),
    (r"十五计划|“十五”", 2001, 2005),
    (r"十一五", 2006, 2010),
    (r"十二五", 2011, 2015),
    (r"十三五", 2016, 2020),
    (r"十四五", 2021, 2025),
    (r"新冠|新型冠状病毒", 2020, 2023),
    (r"甲型H1N1|甲流", 2009, 2010),
    (r"新型农村合作医疗|新农合", 2003, 2018),
    (r"习近平新时代中国特色社会主义思想", 2017, 2040),
]
_ERA_RE = [(re.compile(p), a, b) for p, a, b in _ERA]
# 爱国卫生月 has been held every April since 1989: "第十六个爱国卫生月" is 2004.
_PATRIOTIC_MONTH = re.compile(r"第([一二三四五六七八九十]{1,3})个爱国卫生月")
# (The look-behind, no digit or point before the year, comes after 19/20 so the engine can skip
# ahead to a 1 or a 2.)
_YEAR_MENTION = re.compile(r"((?:19|20)(?<![\d.]\d\d)\d{2})(?=\s*年|版|\b)")
_CODE_WITH_YEAR = re.compile(r"[A-Za-z]{2,}[A-Za-z/ ]*\d+[-—:：]((?:19|20)\d{2})")


def find_anachronisms(text: str) -> list[Defect]:
    from .structure import cn_number

    bounds: list[int] = []
    names: list[str] = []
    for rx, _, last in _ERA_RE:
        m = rx.search(text)
        if m:
            bounds.append(last)
            names.append(m.group())
    for m in _PATRIOTIC_MONTH.finditer(text):
        n = cn_number(m.group(1))
        if n:
            bounds.append(1988 + n)
            names.append(m.group())
    refs = "、".join(f"“{n}”" for n in names[:4])
    if len(bounds) < 2:
        return []
    latest = median(bounds)
    out: list[Defect] = []
    seen: set[str] = set()
    spans: list[tuple[int, int]] = []
    for m in _CODE_WITH_YEAR.finditer(text):
        if int(m.group(1)) > latest + 5:
            spans.append((m.start(), m.end()))
            if m.group() not in seen:
                seen.add(m.group())
                out.append(
                    Defect(
                        "anachronism",
                        m.group(),
                        f"版本年份与全文所述时代（约{int(latest)}年前后）不符",
                        m.start(),
                        m.end(),
                    )
                )
    for m in _YEAR_MENTION.finditer(text):
        y = int(m.group(1))
        if y <= latest + 5 or any(a <= m.start() < b for a, b in spans):
            continue
        # Targets ("到2030年") and names ("健康中国2030") may look far ahead.
        before = text[max(0, m.start() - 3) : m.start()]
        if re.search(r"[到至于前《“\"]|\d-?$", before) or re.match(r"\s*年(?:前|以前|之前)", text[m.end() :]):
            continue
        near = text[max(0, m.start() - 40) : m.start()]
        if near.count("“") > near.count("”") or near.count("《") > near.count("》"):
            continue
        a = m.start()
        b = m.end()
        while b < len(text) and text[b] not in "，。；：！？,;:!?\n（(":
            b += 1
        clause = text[a:b]
        if clause in seen:
            continue
        seen.add(clause)
        out.append(
            Defect("anachronism", clause, f"{y}年与文中{refs}等提法所属年代（约{int(latest)}年前）不符", a, b)
        )
    return out


def find_defects(text: str, *, kind: str = "summary", headings: list[tuple[int, int]] = ()) -> list[Defect]:
    """Every defect in `text`, one per distinct offending text and type, in document order.

    `kind` is the document kind (plan/summary/mixed); `headings` the spans of section titles.
    """
    clauses = _clauses(text)
    found = (
        find_duplicates(text, clauses, kind=kind, headings=headings)
        + find_conflicts(text, clauses)
        + find_count_mismatches(text)
        + find_malformed(text)
        + find_editor_notes(text)
        + find_anachronisms(text)
    )
    return dedupe(found)


def dedupe(defects: list[Defect]) -> list[Defect]:
    out: list[Defect] = []
    seen: set[tuple[str, str]] = set()
    for d in sorted(defects, key=lambda d: (d.start, d.type)):
        key = (d.type, _SPACE.sub("", d.text))
        if key in seen or not d.text.strip():
            continue
        # One flag per place: a shorter finding inside a longer one of the same type goes.
        if any(o.type == d.type and o.start <= d.start and d.end <= o.end for o in out[-20:]):
            continue
        seen.add(key)
        out.append(d)
    return out
