"""Document structure: numbered headings (sections) and the work items that carry a
responsibility note (tasks).

Chinese official documents number their blocks with a small set of ladders: 一、 （一） 1.
（1） ① and, at the start of a paragraph, 一是/二是. Which ladder sits at which level is not
fixed, so the nesting is learnt from the order in which ladders first appear: a ladder seen
for the first time opens a level below the current one, a ladder already in use closes the
levels below it. A marker is accepted only where a block can start (start of a line, or after
a finished sentence followed by a space, as in PDF text dumped on one line) and only in
sequence with its siblings, which keeps counts and list items out of the headings.

Tasks are blocks closed by a responsibility note — （责任领导：…，责任科室：…） — whose owners
are sorted into leaders, departments, lead departments (牵头…) and partners (配合/协作…).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .model import Section, Task

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "两": 2,
}
_CN = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Characters that, right after a bare number, show it is a quantity rather than a heading.
_MEASURE = set("个名人例次家张所项件台起份批户对种只支辆套年月日天周岁元万亿千百米度倍期位条篇场轮")


def cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; None for anything else."""
    if not s or any(c not in _CN_DIGITS for c in s):
        return None
    if len(s) == 1:
        return _CN_DIGITS[s]
    if len(s) == 2 and s[0] == "十":
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 2 and s[1] == "十":
        return _CN_DIGITS[s[0]] * 10
    if len(s) == 3 and s[1] == "十":
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return None


# One alternative per ladder; the group name is the ladder.
_MARKER = re.compile(
    rf"(?P<cn>[{_CN}]{{1,3}})[、．.](?![{_CN}\d])"
    rf"|[（(](?P<pcn>[{_CN}]{{1,3}})[）)]"
    r"|(?P<ar>\d{1,2})(?:[、．.](?![\d.])|(?P<bare>(?=[\u4e00-\u9fff])))"
    r"|[（(](?P<par>\d{1,2})[）)]"
    rf"|(?P<circ>[{_CIRCLED}])"
    rf"|(?P<shi>[{_CN}]{{1,3}})是(?=[\u4e00-\u9fff“])"
)
# Where a block can start: a line start, or a finished sentence followed by white space.
_BLOCK_START = re.compile(r"(?:^|\n)[ \t\u3000]*|(?<=[。！？；!?;])[ \t\u3000]+")
# The title of a heading runs to the end of its first sentence, or to a space (a heading run
# into its text on one line) or the end of the line.
_TITLE_END = re.compile(r"[。！？；：:!?;\n]|[ \t\u3000]")


@dataclass
class _Open:
    ladder: str
    value: int
    num: str  # joined down the nesting
    section: Section


def _marker_value(m: re.Match) -> tuple[str, int, str] | None:
    for ladder in ("cn", "pcn", "ar", "par", "circ", "shi"):
        g = m.group(ladder)
        if g is None:
            continue
        if ladder in ("cn", "pcn", "shi"):
            v = cn_number(g)
            if v is None:
                return None
            num = g if ladder != "pcn" else m.group(0)[0] + g + m.group(0)[-1]
            num = num.replace("(", "（").replace(")", "）")
            return ladder, v, num
        if ladder == "circ":
            return ladder, _CIRCLED.index(g) + 1, g
        if ladder == "par":
            return ladder, int(g), "（" + g + "）"
        return ("bare" if m.group("bare") is not None else "ar"), int(g), g
    return None


def _title_at(text: str, start: int, limit: int = 100) -> tuple[str, int]:
    """The heading text from `start`: up to the end of its first sentence (or space/line end)."""
    m = _TITLE_END.search(text, start, min(len(text), start + limit + 1))
    end = m.start() if m else min(len(text), start + limit)
    return text[start:end].strip(" \t，,、"), end


def find_sections(text: str) -> list[Section]:
    """Numbered headings in order, with levels and nums joined down the nesting."""
    sections: list[Section] = []
    stack: list[_Open] = []
    seen_order: list[str] = []  # ladders in order of first appearance
    for b in _BLOCK_START.finditer(text):
        pos = b.end()
        m = _MARKER.match(text, pos)
        if not m:
            continue
        got = _marker_value(m)
        if got is None:
            continue
        ladder, value, num = got
        inline = b.start() > 0 and text[b.start()] != "\n"
        bare = ladder == "bare"
        if bare:
            ladder = "ar"
        # 一是/二是 head a block only at the start of a line.
        if ladder == "shi" and inline:
            continue
        # Find this ladder in the open stack: a sibling must follow its predecessor.
        depth = next((i for i, o in enumerate(stack) if o.ladder == ladder), None)
        if depth is not None:
            prev = stack[depth].value
            ok = value == prev + 1 or (not bare and value == prev + 2)
            if not ok and value == 1 and not bare:
                ok = True  # a new list of the same kind (a second part restarting at 一)
            if not ok:
                continue
        else:
            if value != 1:
                continue  # a ladder opens at its first number
            if bare or inline and ladder not in ("cn", "pcn"):
                continue
        # A bare number needs its sequence and must not read as a quantity ("6家医院").
        if bare and (depth is None or text[m.end()] in _MEASURE):
            continue
        title, _ = _title_at(text, m.end())
        if not title or len(title) < 2:
            continue
        if depth is not None:
            del stack[depth:]
        if ladder not in seen_order:
            seen_order.append(ladder)
        joined = ".".join([o.num for o in stack] + [num])
        sec = Section(num=joined, level=len(stack) + 1, title=title, start=pos, end=len(text))
        stack.append(_Open(ladder, value, num, sec))
        sections.append(sec)
    # A section ends where the next one at its level or above begins.
    open_: list[Section] = []
    for t in sections:
        while open_ and open_[-1].level >= t.level:
            open_.pop().end = t.start
        open_.append(t)
    return sections


# --------------------------------------------------------------------------- tasks

_ROLE_KEYS = {
    "leaders": ("责任领导", "分管领导", "牵头领导", "责任委领导", "责任局领导", "挂点领导", "领导"),
    "lead_departments": ("牵头责任单位", "牵头责任科室", "牵头单位", "牵头科室", "牵头处室", "牵头部门"),
    "departments": ("责任单位", "责任处室", "责任科室", "责任部门", "承办科室", "承办单位", "主办科室"),
    "partners": (
        "配合单位",
        "配合科室",
        "配合处室",
        "配合部门",
        "协作单位",
        "协作科室",
        "协办单位",
        "协办科室",
        "参与单位",
    ),
}
_DEADLINE_KEYS = ("完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "时间要求", "时限")
_KEY_ROLE = {k: role for role, keys in _ROLE_KEYS.items() for k in keys}
_KEY_ROLE.update(dict.fromkeys(_DEADLINE_KEYS, "deadline"))
_KEYS_RE = "|".join(sorted(_KEY_ROLE, key=len, reverse=True))
# “主要协作单位：”, “其他责任单位：”: a qualifier before the key belongs to the key.
_FIELD = re.compile(rf"(?:主要|其他|具体|相关)?({_KEYS_RE})[:：]")
_NOTE = re.compile(rf"[（(]\s*(?:{_KEYS_RE})[:：][^（）()\n]*(?:[（(][^（）()\n]*[）)][^（）()\n]*)*[）)]")
_NAME_SPLIT = re.compile(r"[、，,；;/\s]+")
# A note on a line of its own: “牵头责任单位：县卫健委、县民政局”, “主要协作单位：…”, “完成时限：6月底”.
_LINE_NOTE = re.compile(
    rf"^[ \t\u3000]*(?:主要|其他|具体|相关)?(?:{_KEYS_RE})[:：][ \t\u3000]*[^\s][^\n]*$", re.M
)
# A key alone on its line (“责任单位”, “责任单位：”), the names on the line below.
_KEY_LINE = re.compile(
    rf"^[ \t\u3000]*[【\[]?(?:主要|其他|具体|相关)?({_KEYS_RE})[】\]]?[:：]?[ \t\u3000]*$", re.M
)
_NAMES_LINE = re.compile(r"^[ \t\u3000]*([^\n。！？!?]{2,80})[。.]?[ \t\u3000]*$", re.M)


def parse_owners(note: str) -> dict[str, list[str]]:
    """Split a responsibility note into leaders, departments, lead departments and partners
    (and the deadline it states, under "deadline", as written)."""
    out: dict[str, list[str]] = {
        "leaders": [],
        "departments": [],
        "lead_departments": [],
        "partners": [],
    }
    body = note.strip("（）() \t")
    fields = list(_FIELD.finditer(body))
    for i, f in enumerate(fields):
        value = body[f.end() : fields[i + 1].start() if i + 1 < len(fields) else len(body)]
        role = _KEY_ROLE[f.group(1)]
        if role == "deadline":
            value = value.strip(" \t\u3000，,；;。.")
            if value:
                out.setdefault("deadline", []).append(value)
            continue
        for name in _NAME_SPLIT.split(value):
            name = name.strip("。.：:“”\"' ")
            if name and name not in out[role]:
                out[role].append(name)
    return out


def _first_sentence(text: str, start: int, end: int) -> str:
    seg = text[start:end]
    m = re.search(r"[。！？!?]", seg)
    return (seg[: m.start()] if m else seg).strip(" \t\u3000\n")


@dataclass
class _Note:
    start: int
    end: int
    owners: dict[str, list[str]]
    own_line: bool  # on lines of its own, after the item (not in brackets at its end)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _line_notes(text: str, skip: list[tuple[int, int]]) -> list[_Note]:
    """Notes written on lines of their own; consecutive note lines make one note."""
    found: list[tuple[int, int, str]] = []
    for m in _LINE_NOTE.finditer(text):
        found.append((m.start(), m.end(), m.group()))
    for m in _KEY_LINE.finditer(text):
        nxt = _NAMES_LINE.match(text, m.end() + 1) if m.end() < len(text) else None
        if nxt is None or _FIELD.search(nxt.group()) or _LINE_NOTE.match(nxt.group()):
            continue
        names = [n for n in _NAME_SPLIT.split(nxt.group(1)) if n]
        if not names or any(len(n) > 20 for n in names):
            continue
        found.append((m.start(), nxt.end(), m.group(1) + "：" + nxt.group(1)))
    found.sort()
    groups: list[list] = []  # [start, end, [bodies]]
    for start, end, body in found:
        if _inside(start, skip) or (groups and start < groups[-1][1]):
            continue
        if groups and text[groups[-1][1] : start].strip() == "":
            groups[-1][1] = end
            groups[-1][2].append(body)
        else:
            groups.append([start, end, [body]])
    return [_Note(a, b, parse_owners("\n".join(bodies)), True) for a, b, bodies in groups]


def _has_owner(owners: dict[str, list[str]]) -> bool:
    return bool(owners["leaders"] or owners["departments"] or owners["lead_departments"])


def find_tasks(text: str, sections: list[Section]) -> list[Task]:
    """Work items: rows of task tables, and blocks carrying a responsibility note (in brackets
    at their end, or on lines of their own after them), numbered by the innermost section."""
    from .tables import table_tasks

    table, table_spans = table_tasks(text)
    notes = [
        _Note(m.start(), m.end(), parse_owners(m.group()), False)
        for m in _NOTE.finditer(text)
        if not _inside(m.start(), table_spans)
    ]
    notes += _line_notes(text, table_spans)
    notes = [n for n in notes if _has_owner(n.owners)]
    notes.sort(key=lambda n: n.start)
    notes = [n for i, n in enumerate(notes) if i == 0 or n.start >= notes[i - 1].end]

    tasks: list[Task] = list(table)
    starts = [s.start for s in sections]

    def innermost(pos: int) -> int | None:
        i = bisect_right(starts, pos) - 1
        while i >= 0:
            if sections[i].end > pos:
                return i
            i -= 1
        return None

    inner_of = [innermost(n.start) for n in notes]
    notes_in: dict[int, int] = {}
    for i in inner_of:
        if i is not None:
            notes_in[i] = notes_in.get(i, 0) + 1
    prev_note_end = 0
    claimed: set[int] = set()  # sections that already own a task
    for note, inner in zip(notes, inner_of, strict=True):
        owners = note.owners
        line_start = text.rfind("\n", max(0, note.start - 5000), note.start) + 1
        section_ok = inner is not None and inner not in claimed and sections[inner].start >= prev_note_end
        if section_ok and note.own_line and notes_in.get(inner, 0) > 1:
            # Several notes under one heading: each closes a paragraph of its own (a government
            # work report broken down paragraph by paragraph).
            section_ok = False
        task = None
        if section_ok:
            s = sections[inner]
            claimed.add(inner)
            task = Task(num=s.num, title=s.title, start=s.start, end=note.end)
        elif note.own_line:
            task = _paragraph_task(text, max(prev_note_end, 0), note, sections)
        else:
            start = max(prev_note_end, line_start)
            while start < note.start and text[start] in " \t\u3000\n。；;":
                start += 1
            title = _first_sentence(text, start, note.start)
            if title:
                task = Task(num=None, title=title, start=start, end=note.end)
        prev_note_end = note.end
        if task is None:
            continue
        task.leaders = owners["leaders"]
        task.departments = owners["departments"]
        task.lead_departments = owners["lead_departments"]
        task.partners = owners["partners"]
        task.deadline = "；".join(owners.get("deadline", [])) or None
        tasks.append(task)
    tasks.sort(key=lambda t: t.start)
    return tasks


def _paragraph_task(text: str, start: int, note: _Note, sections: list[Section]) -> Task | None:
    """The paragraph a note on its own line closes: the nearest line above it, after the
    previous note, that is not a bare heading."""
    heading_lines = set()
    for s in sections:
        ls = text.rfind("\n", 0, s.start) + 1
        le = text.find("\n", s.start)
        le = len(text) if le < 0 else le
        if len(text[s.start : le].strip()) <= len(s.title) + 2:
            heading_lines.add(ls)
    end = note.start
    while end > start:
        ls = max(start, text.rfind("\n", 0, max(end - 1, 0)) + 1)
        line = text[ls:end]
        if ls in heading_lines:
            return None
        if line.strip():
            lead = ls + len(line) - len(line.lstrip(" \t\u3000"))
            title = _first_sentence(text, lead, end)
            return Task(num=None, title=title, start=lead, end=note.end) if title else None
        end = ls - 1 if ls > 0 else 0
        if ls == start:
            break
    return None
