"""From a work-plan document to a plan: read it (textmine), propose sections, tasks with owners
and targets (linked to the catalogue, with scope and deadline), mark every number not
understood, keep the proposal as a PlanDraft while the user corrects it, and on confirmation
create the plan — or, for a revised document, show what changed and apply the difference
without losing recorded progress.

The proposal is plain JSON (see `propose`), so the preview's correction steps are small
functions over a dict, and `weijian plan import --dry-run --format json` prints the same thing.
"""

from __future__ import annotations

import calendar
import difflib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from weijian import textmine
from weijian.accounts.models import record
from weijian.indicators.catalogue import lexicon_entries
from weijian.indicators.models import Indicator
from weijian.orgs.models import Department, Leader, Level, OrgUnit
from weijian.textmine.numbers import parse_number

from .models import Comparator, Plan, PlanDraft, Scope, Section, Target, Task, TaskDepartment, TaskLeader

ALLOWED_SUFFIXES = {".docx", ".xlsx", ".xls", ".csv", ".pdf", ".txt"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A work plan or a 任务分解表 has hundreds of paragraphs or rows; beyond these bounds a file is
# refused before the analysis starts, so one upload cannot hold a worker for minutes.
MAX_LINES = 20000
MAX_CHARS = 2_000_000
# The numbers not understood that a draft keeps and shows (the count says how many there are).
MAX_UNKNOWN = 300
SIMILAR_TITLE = 0.6  # difflib ratio above which two task titles are the same task reworded
SIMILAR_DEPARTMENT = 0.6  # difflib ratio above which a new name may be an existing department


class ImportError_(ValueError):
    """An import that cannot go on; the message is for the user, in Chinese."""


# --- Who may import ---------------------------------------------------------------------------


def can_import(user) -> bool:
    """Who imports, corrects and confirms a work plan: the administrator, and the 科室 users —
    the office that drafts the plan and the departments that keep their 台账 are departments.
    委领导 read plans and judge progress; 县区 and 机构 users work on their own subtree's data
    and do not write the commission's plan."""
    from weijian.accounts import scope
    from weijian.accounts.models import Role

    if not scope.is_active(user):
        return False
    return bool(user.is_superuser or user.role in (Role.ADMIN, Role.DEPARTMENT))


IMPORT_DENIED = "只有系统管理员和委机关科室可以导入、核对和确认工作要点；委领导可以查看计划，县区和机构用户请联系本委办公室或相关科室。"


# --- Reading --------------------------------------------------------------------------------


def read_text(data: bytes, name: str) -> str:
    """The text of an uploaded .docx/.pdf/.txt; raises ImportError_ naming the file and reason."""
    import os

    suffix = os.path.splitext(name)[1].lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportError_(
            f"文件“{name}”的格式不支持：请上传 .docx、.xlsx、.csv、.pdf 或 .txt 格式的工作要点或任务分解表。"
        )
    if not data:
        raise ImportError_(f"文件“{name}”是空文件。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportError_(f"文件“{name}”超过 20MB，请压缩图片或分拆后再上传。")
    _check_size(data, name)
    try:
        doc = textmine.read(data, name=name)
    except textmine.ReadError as exc:
        raise ImportError_(f"文件“{name}”无法读取：{exc}") from exc
    text = doc.text or ""
    if not text.strip():
        raise ImportError_(f"文件“{name}”中没有可识别的文字（扫描件请先转为文字版）。")
    lines = text.count("\n") + 1
    if lines > MAX_LINES or len(text) > MAX_CHARS:
        raise ImportError_(_too_large(name, lines, len(text)))
    return text


def _too_large(name: str, lines: int, chars: int) -> str:
    return (
        f"文件“{name}”有 {lines} 段（行）、{chars} 个字符，超过工作要点导入的上限"
        f"（{MAX_LINES} 段、{MAX_CHARS} 个字符）；请确认文件内容，或分拆后再导入。"
    )


def _check_size(data: bytes, name: str) -> None:
    """Refuse a Word file with more paragraphs than a plan has before parsing it: a small .docx
    can unpack to hundreds of thousands of paragraphs."""
    if not data.startswith(b"PK\x03\x04"):
        return
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                return
            paragraphs = 0
            size = 0
            tail = b""
            with z.open("word/document.xml") as f:
                while chunk := f.read(1 << 20):
                    size += len(chunk)
                    block = tail + chunk
                    paragraphs += block.count(b"<w:p>") + block.count(b"<w:p ")
                    tail = block[-5:]
                    paragraphs -= tail.count(b"<w:p>") + tail.count(b"<w:p ")
                    if paragraphs > MAX_LINES or size > 40 * MAX_CHARS:
                        raise ImportError_(
                            f"文件“{name}”的段落超过 {MAX_LINES} 段（工作要点导入的上限）；请确认文件内容，或分拆后再导入。"
                        )
    except (zipfile.BadZipFile, OSError, EOFError):
        return  # the reader gives the message for a broken file


# --- Lexicon --------------------------------------------------------------------------------


def catalogue_lexicon() -> tuple[textmine.Lexicon, dict[str, str]]:
    """The catalogue's names and aliases as the document engine's lexicon (an Aho-Corasick
    automaton), and as a plain name → code map for exact look-ups."""
    entries = lexicon_entries()
    return textmine.Lexicon(entries), dict(entries)


def _link(phrase: str, context: str, lexicon: textmine.Lexicon) -> str | None:
    """The catalogue indicator named in a target's phrase (longest name wins), then in the
    clause around it."""
    return lexicon.link(phrase) or lexicon.link(context)


_COUNTED_NOUN = re.compile(r"[\u4e00-\u9fff]{2}")
_SENTENCE_START = re.compile(r"[。；;！!？?\n][^。；;！!？?\n]*$")


def _link_by_counted_noun(text: str, start: int, end: int, unit: str, names: dict[str, str]) -> str | None:
    """A bare count followed by the thing counted (“不少于250个病种”) names no indicator by
    itself; the catalogue name that contains that noun and shares the longest run of words with
    the sentence (“开展临床路径管理” → 临床路径管理病种数) is the one meant. Needs a shared run of
    at least four characters besides the noun, so a lone noun links nothing."""
    if unit not in ("个", ""):
        return None
    m = _COUNTED_NOUN.match(text, end)
    if not m:
        return None
    noun = m.group()
    before = _SENTENCE_START.search(text, 0, start)
    sentence = text[before.start() + 1 if before else 0 : start]
    best: tuple[int, str] | None = None
    for name, code in names.items():
        if noun not in name:
            continue
        stem = name.replace(noun, "")
        run = difflib.SequenceMatcher(None, stem, sentence, autojunk=False).find_longest_match()
        if run.size >= 4 and (best is None or run.size > best[0]):
            best = (run.size, code)
    return best[1] if best else None


# --- Proposal -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_MONTH_END = re.compile(
    r"(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?:底|末|份?前|份?以前|中旬前|上旬前)"
)
_QUARTER = re.compile(r"第([一二三四1-4])季度")
_TOWNSHIP = re.compile(r"以乡镇(?:（街道）|\(街道\))?为单位|各乡镇|每个乡镇|乡镇(?:（街道）)?均")
_COUNTY = re.compile(
    r"以县(?:（市、区）|\(市、区\)|区)?为单位|各县（市、区）|各县\(市、区\)|各县区|各县市区|每个县"
)
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_GENERIC_LEADER = re.compile(r"^各|领导$|^其他")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding [start, end)."""
    left = start
    while left > 0 and not _SENTENCE_END.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and not _SENTENCE_END.match(text[right]):
        right += 1
    return left, right


_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")


def _scope_context(text: str, start: int) -> str:
    """The comma clause that holds a quantity, with the clause before it when that is short
    (“以乡镇为单位，接种率达到95%”): the scope of one target must not leak into the next."""
    left = start
    while left > 0 and not _CLAUSE_END.match(text[left - 1]):
        left -= 1
    if left > 0 and text[left - 1] in "，,":
        prev = left - 1
        while prev > 0 and not _CLAUSE_END.match(text[prev - 1]):
            prev -= 1
        if left - 1 - prev <= 10:
            left = prev
    return text[left:start]


_LEAD_WORDS = re.compile(
    r"^(?:确保|力争|争取|今年|年内|全年|全市|到年底|年底前|年底|年末前|上半年|\d{1,2}月底前|落实|实现|推动)+"
)


def clean_phrase(phrase: str) -> str:
    """The indicator phrase without the deadline or verb the text put before it:
    “年底前高血压患者规范管理率” → “高血压患者规范管理率”."""
    cleaned = _LEAD_WORDS.sub("", (phrase or "").strip())
    return cleaned if len(cleaned) >= 2 else (phrase or "").strip()


def _distribute_new(phrase: str, before: str) -> str:
    """“新增儿科床位100张、产科床位100张”: the 新增 in front of a list applies to each item."""
    if "新增" in phrase:
        return phrase
    at = before.rfind("新增")
    if at >= 0 and not re.search(r"[，,；;。]", before[at:]):
        return "新增" + phrase
    return phrase


def infer_scope(sentence: str) -> str:
    if _TOWNSHIP.search(sentence):
        return Scope.TOWNSHIP
    if _COUNTY.search(sentence):
        return Scope.COUNTY
    return Scope.CITY


_OPEN_ENDED = re.compile(r"长期|持续|常态|每年|每季|每月|经常性|全年推进|逐步")
_YEAR_MONTH = re.compile(
    r"((?:19|20)\d{2})\s*[年.\-/]\s*(1[0-2]|0?[1-9])(?!\d)\s*(?:月|[.\-/](?=\d))?\s*(?:(\d{1,2})(?!\d)\s*日?)?"
)
_HALF_2 = re.compile(r"下半年|年底|年末|年内|全年|12月")


def task_deadline(written: str | None, year: int) -> date | None:
    """A task's 完成时限 as a date: 年底 → 12-31 of the plan year, 6月底 → 06-30, 第三季度 → 09-30,
    上半年 → 06-30, 2024年10月 → 2024-10-31, 2024-10-15 as written; 长期坚持/持续推进 → None.
    Several limits (one per measure, joined by ；) give the latest."""
    if not written:
        return None
    found: list[date] = []
    for part in re.split(r"[；;]", written):
        part = part.strip()
        if not part:
            continue
        m = _YEAR_MONTH.search(part)
        if m:
            y, month = int(m.group(1)), int(m.group(2))
            last = calendar.monthrange(y, month)[1]
            day = int(m.group(3)) if m.group(3) and 1 <= int(m.group(3)) <= last else last
            found.append(date(y, month, day))
            continue
        m = re.search(r"((?:19|20)\d{2})\s*年(?:底|末|内)?", part)
        y = int(m.group(1)) if m else year
        if _MONTH_END.search(part) or _QUARTER.search(part) or "上半年" in part or _HALF_2.search(part):
            found.append(infer_deadline(part, y))
        elif re.search(r"(1[0-2]|[1-9])月", part):
            month = int(re.search(r"(1[0-2]|[1-9])月", part).group(1))
            found.append(date(y, month, calendar.monthrange(y, month)[1]))
        elif m:
            found.append(date(y, 12, 31))
        elif _OPEN_ENDED.search(part):
            continue
    return max(found) if found else None


def infer_deadline(sentence: str, year: int) -> date:
    """年底/年末/年内 → 12-31; 上半年 → 6-30; N月底/N月前 → end of month N; 第N季度 → its end;
    nothing said → 12-31 of the plan year."""
    m = _MONTH_END.search(sentence)
    if m:
        token = m.group(1)
        month = int(token) if token.isdigit() else int(parse_number(token) or 12)
        return date(year, month, calendar.monthrange(year, month)[1])
    m = _QUARTER.search(sentence)
    if m:
        token = m.group(1)
        q = int(token) if token.isdigit() else int(parse_number(token) or 4)
        month = q * 3
        return date(year, month, calendar.monthrange(year, month)[1])
    if "上半年" in sentence:
        return date(year, 6, 30)
    return date(year, 12, 31)


def _unknown_numbers(
    text: str, covered: list[tuple[int, int]], limit: int = MAX_UNKNOWN, work: list[int] | None = None
) -> tuple[list[dict], int]:
    """Arabic numbers the analysis did not read as a quantity, leaving out dates, years,
    document numbers and heading numbers, which are not quantities. Returns the first `limit`
    of them and how many there are. One sweep over the numbers and the sorted covered spans
    together (linear in the text); `work`, when given, counts its steps."""
    spans = sorted(covered)
    out: list[dict] = []
    total = 0
    j = 0
    steps = 0
    for m in _NUMBER.finditer(text):
        s, e = m.span()
        steps += 1
        # Spans that end before this number can cover no later one either.
        while j < len(spans) and spans[j][1] <= s:
            j += 1
            steps += 1
        k = j
        hit = False
        # Spans starting at or before this number's end; sorted by start, they may overlap.
        while k < len(spans) and spans[k][0] < e:
            steps += 1
            a, b = spans[k]
            if a <= s < b or a < e <= b:
                hit = True
                break
            k += 1
            if k - j > 8:
                break  # figures do not nest deeper than this; keeps the sweep linear
        if hit:
            continue
        after = text[e : e + 1]
        before = text[s - 1 : s] if s else ""
        if after and after in "年月日号时":
            continue
        if before in '〔[【（(第“"' and before:
            continue
        if len(m.group()) == 4 and _YEAR_RANGE.match(text, e, e + 8):
            continue  # the first year of a range: 2016—2018年
        if after in "、．.）)" and (s == 0 or text[s - 1] in "\n（( "):
            continue
        if _LATIN.match(after or " ") or _LATIN.match(before or " "):
            continue
        if (s == 0 or text[s - 1] == "\n") and after == "\t":
            continue  # the first cell of a table row: its 序号
        total += 1
        if len(out) < limit:
            out.append({"text": m.group(), "start": s, "end": e})
    if work is not None:
        work.append(steps)
    return out, total


_YEAR_RANGE = re.compile(r"[—\-－~～至到]\s*[0-9０-９]{2,4}\s*年")
_LATIN = re.compile(r"[A-Za-z]")


def _row_number(text: str, start: int, end: int) -> bool:
    """A figure that is the whole first cell of a table row (its 序号)."""
    return (start == 0 or text[start - 1] == "\n") and text[end : end + 1] == "\t"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _title_of(text: str, year: int) -> str:
    for line in text.splitlines()[:40]:
        line = line.strip()
        if (
            6 <= len(line) <= 50
            and re.search(r"(工作要点|工作计划|工作任务|任务分解表|任务台账|台账|任务清单)$", line)
            and "《" not in line
        ):
            return line
    return f"{year}年工作要点"


def _num_from(value) -> float:
    return float(value)


def propose(text: str, year: int | None = None, analysis=None) -> dict:
    """Read the text and propose a plan as JSON: sections, tasks with owners, targets, other
    quantities and the numbers not understood. `year` overrides the document's own."""
    lexicon, names = catalogue_lexicon()
    if analysis is None:
        analysis = textmine.analyze(text, lexicon=lexicon)
    year = year or analysis.year or timezone.localdate().year

    sections = [
        {"num": s.num, "level": s.level, "title": s.title, "start": s.start} for s in analysis.sections
    ]
    top_sections = [s for s in sections if s["level"] == 1]
    tasks = []
    for i, t in enumerate(analysis.tasks):
        parent = None
        for s in top_sections:
            if s["start"] <= t.start:
                parent = s["num"]
        tasks.append(
            {
                "key": f"t{i + 1}",
                "num": t.num,
                "title": t.title,
                "section": parent,
                "leaders": list(t.leaders),
                "departments": list(t.departments),
                "lead_departments": list(t.lead_departments),
                "partners": list(t.partners),
                "deadline_text": t.deadline or "",
                "deadline": _iso(task_deadline(t.deadline, year)),
                "start": t.start,
                "end": t.end,
            }
        )
    by_start = sorted(tasks, key=lambda t: t["start"])
    task_starts = [t["start"] for t in by_start]

    def task_for(pos: int) -> str | None:
        # Tasks do not nest: the task holding `pos` is among the last few starting before it.
        i = bisect_right(task_starts, pos)
        inside = [t for t in by_start[max(0, i - 4) : i] if t["start"] <= pos < t["end"]]
        if inside:
            return min(inside, key=lambda t: t["end"] - t["start"])["key"]
        return None

    targets, others, covered = [], [], []
    paired = _paired_counts(text, analysis.facts)
    for f in analysis.facts:
        covered.append((f.start, f.end))
        if _row_number(text, f.start, f.end):
            continue  # the 序号 cell of a table row is not a quantity of the plan
        left, right = _clause(text, f.start, f.end)
        sentence = text[left:right]
        if f.role != "target":
            others.append(
                {
                    "text": f.text,
                    "start": f.start,
                    "end": f.end,
                    "role": f.role,
                    "indicator": f.indicator,
                    "value": _num_from(f.value),
                    "unit": f.unit,
                    "cmp": f.cmp,
                    "task": task_for(f.start),
                }
            )
            continue
        if id(f) in paired:
            # “不少于20个专业250个病种”: each count with its own noun, not the other's words.
            phrase = paired[id(f)]
            code = lexicon.link(phrase) or _link_by_counted_noun(text, f.start, f.end, f.unit, names)
        else:
            code = (
                f.code
                or _link(f.indicator, text[left : f.start], lexicon)
                or _link_by_counted_noun(text, f.start, f.end, f.unit, names)
            )
            phrase = _distribute_new(clean_phrase(f.indicator) or sentence[:30], text[left : f.start])
        scope_text = _scope_context(text, f.start)
        phrase = _growth_phrase(phrase, _scope_context(text, f.start), f.unit)
        for shared_phrase, shared_code in _shared_tail(text[left : f.start], phrase, code, names):
            targets.append(
                _target_item(
                    len(targets) + 1,
                    f,
                    task_for(f.start),
                    shared_phrase,
                    shared_code,
                    sentence,
                    year,
                    scope_text,
                )
            )
        targets.append(
            _target_item(len(targets) + 1, f, task_for(f.start), phrase, code, sentence, year, scope_text)
        )
    unknown, unknown_total = _unknown_numbers(text, covered)
    return {
        "version": 1,
        "year": year,
        "region": analysis.region,
        "title": _title_of(text, year),
        "text": text,
        "sections": sections,
        "tasks": tasks,
        "targets": targets,
        "facts": others,
        "unknown": unknown,
        "unknown_total": unknown_total,
        "doc_year": analysis.year,
    }


_PAIR_NOUN = re.compile(r"[\u4e00-\u9fff]{1,4}")
_PAIR_STEM_TAIL = re.compile(r"(?:不少于|不低于|至少|达到|超过|覆盖|新增|达|到|共|累计)+$")
_PAIR_STEM_HEAD = re.compile(r"^(?:开展|推进|实施|覆盖|完成|确保|力争|全面|扩大|推行|落实)+")


def _paired_counts(text: str, facts: list) -> dict[int, str]:
    """Counts written back to back, each followed by what it counts (“20个专业250个病种”): the
    phrase of each is the words before the pair and its own noun (临床路径管理专业数). Returns
    id(fact) → phrase."""
    out: dict[int, str] = {}
    targets = [f for f in facts if f.role == "target"]
    for f, g in zip(targets, targets[1:], strict=False):
        between = text[f.end : g.start]
        if f.unit not in ("个", "") or g.unit not in ("个", "") or not _PAIR_NOUN.fullmatch(between):
            continue
        after = _PAIR_NOUN.match(text, g.end)
        if not after:
            continue
        stem = _pair_stem(text, f.start)
        for fact, noun in ((f, between), (g, after.group())):
            if id(fact) not in out:
                out[id(fact)] = stem + noun + ("" if noun.endswith("数") else "数")
    return out


def _pair_stem(text: str, start: int) -> str:
    """The words that name what a pair of counts is about: the comma clause before the first
    count without its verb and comparator, or the clause before that when nothing is left."""
    right = start
    for _ in range(2):
        left = right
        while left > 0 and not _CLAUSE_END.match(text[left - 1]):
            left -= 1
        stem = _PAIR_STEM_HEAD.sub("", _PAIR_STEM_TAIL.sub("", text[left:right].strip()))
        if len(stem) >= 2:
            return stem
        if left == 0 or text[left - 1] not in "，,":
            break
        right = left - 1
    return ""


_GROWTH_WORDS = re.compile(r"新增|新建|增加|增设|扩增|扩充")
_RATE_UNITS = {"%", "‰", "百分点", "1/万", "1/10万", "1/1000"}


def _growth_phrase(phrase: str, clause: str, unit: str) -> str:
    """A count stated as growth (新增/增加 in its clause) keeps 新增 in its phrase, so tracking
    counts the growth over the year before, not the stock, when the indicator is a stock."""
    if unit in _RATE_UNITS or "新增" in phrase or not _GROWTH_WORDS.search(clause + phrase):
        return phrase
    return "新增" + re.sub(r"^(?:增加|新建|增设|扩增|扩充)", "", phrase)


def _target_item(
    n: int, f, task_key: str | None, phrase: str, code: str | None, sentence: str, year: int, scope_text: str
) -> dict:
    return {
        "key": f"g{n}",
        "task": task_key,
        "text": f.text,
        "phrase": phrase,
        "code": code,
        "cmp": f.cmp if f.cmp in Comparator.values else "=",
        "value": _num_from(f.value),
        "unit": f.unit,
        "scope": infer_scope(scope_text),
        "org_code": None,
        "deadline": infer_deadline(sentence, year).isoformat(),
        "include": True,
        "increase": "新增" in phrase and f.unit not in _RATE_UNITS,
        "start": f.start,
        "end": f.end,
    }


def _shared_tail(before: str, phrase: str, code: str | None, names: dict[str, str]) -> list[tuple[str, str]]:
    """“高血压、糖尿病患者规范管理率达到75%” sets one figure for two indicators: the heads listed
    with 、 before the phrase share its tail. Returns (phrase, code) for each other catalogue
    indicator so named, in the order written."""
    pos = before.rfind(phrase)
    if pos <= 0 or before[pos - 1] != "、":
        return []
    found: list[tuple[str, str]] = []
    end = pos - 1
    while end > 0:
        m = re.search(r"([\u4e00-\u9fff0-9A-Za-zⅡ]+)$", before[:end])
        if not m:
            break
        head = m.group(1)
        for i in range(1, len(phrase)):
            candidate = head + phrase[i:]
            if candidate in names and names[candidate] != code:
                found.insert(0, (candidate, names[candidate]))
                break
        else:
            break
        end = m.start() - 1
        if end < 0 or before[end] != "、":
            break
    return found


def summary(proposal: dict, *, include_dropped: bool = False) -> dict:
    """The proposal without the text and offsets: what `plan import --format json` prints."""
    nums = {t["key"]: t["num"] for t in proposal["tasks"]}
    return {
        "year": proposal["year"],
        "region": proposal.get("region"),
        "title": proposal.get("title"),
        "tasks": [
            {
                "num": t["num"],
                "title": t["title"],
                "leaders": t["leaders"],
                "departments": t["departments"],
                "lead_departments": t["lead_departments"],
                "partners": t.get("partners", []),
                "deadline": t.get("deadline"),
            }
            for t in proposal["tasks"]
        ],
        "targets": [
            {
                "task": nums.get(g["task"]),
                "indicator": g["code"],
                "phrase": g["phrase"],
                "text": g["text"],
                "cmp": g["cmp"],
                "value": g["value"],
                "unit": g["unit"],
                "scope": g["scope"],
                "org_unit": g.get("org_code"),
                "deadline": g["deadline"],
            }
            for g in proposal["targets"]
            if g.get("include", True) or include_dropped
        ],
        "unknown_numbers": [u["text"] for u in proposal.get("unknown", [])],
    }


def create_draft(user, data: bytes, name: str, year: int | None, plan: Plan | None = None) -> PlanDraft:
    """Read the file into a draft for review; with no year given, the document's own year
    (or this year, when it names none)."""
    text = read_text(data, name)
    proposal = propose(text, year)
    return PlanDraft.objects.create(
        user=user, plan=plan, file_name=name[:255], year=proposal["year"], proposal=proposal
    )


# --- Owners ---------------------------------------------------------------------------------


def is_generic_leader(name: str) -> bool:
    """“各相关分管领导”, “各位挂点领导”: a role, not a person to file tasks under."""
    return bool(_GENERIC_LEADER.search(name))


@dataclass
class OwnerIndex:
    leaders: dict[str, Leader]
    departments: dict[str, Department]

    @classmethod
    def load(cls) -> OwnerIndex:
        depts: dict[str, Department] = {}
        for d in Department.objects.all():
            depts.setdefault(d.name, d)
            for alias in d.aliases or []:
                depts.setdefault(alias, d)
        return cls({leader.name: leader for leader in Leader.objects.all()}, depts)

    def leader(self, name: str, create: bool = False) -> Leader | None:
        found = self.leaders.get(name)
        if found is None and create:
            found = self.leaders[name] = Leader.objects.get_or_create(name=name[:20])[0]
        return found

    def department(self, name: str, create: bool = False, choices: dict | None = None) -> Department | None:
        found = self.departments.get(name)
        chosen = (choices or {}).get(name)
        if found is None and chosen:
            # The user said this name is an existing department: file it there, and keep the
            # name as an alias so the next import matches it at once.
            found = self.departments.get(chosen)
            if found is not None and create and name not in (found.aliases or []):
                found.aliases = [*(found.aliases or []), name[:50]]
                found.save(update_fields=["aliases"])
                self.departments[name] = found
        if found is None and create:
            found = self.departments[name] = Department.objects.get_or_create(name=name[:50])[0]
        return found

    def similar_department(self, name: str) -> Department | None:
        """The existing department a new name most likely means (中医科教科 → 中医药与科教科), by
        name and alias similarity, or None when none is close."""
        best: tuple[float, Department] | None = None
        for known, dept in self.departments.items():
            ratio = difflib.SequenceMatcher(None, name, known, autojunk=False).ratio()
            if ratio >= SIMILAR_DEPARTMENT and (best is None or ratio > best[0]):
                best = (ratio, dept)
        return best[1] if best else None


def _department_names(proposal: dict) -> list[str]:
    names: list[str] = []
    for t in proposal["tasks"]:
        for n in t["departments"] + t["lead_departments"]:
            if n not in names:
                names.append(n)
    return names


def owner_matches(proposal: dict) -> dict[str, dict[str, str | None]]:
    """For the preview: each named leader/department → the existing one it matches, or None
    (new); and under "similar", each new department name that resembles an existing one and
    has not been decided yet → that department's name (the preview asks)."""
    index = OwnerIndex.load()
    choices = proposal.get("department_choices", {})
    leaders, depts, similar = {}, {}, {}
    for t in proposal["tasks"]:
        for n in t["leaders"]:
            leaders[n] = "—" if is_generic_leader(n) else (index.leader(n).name if index.leader(n) else None)
    for n in _department_names(proposal):
        d = index.department(n) or (index.departments.get(choices[n]) if choices.get(n) else None)
        depts[n] = d.name if d else None
        if d is None and n not in choices:
            near = index.similar_department(n)
            if near is not None:
                similar[n] = near.name
    return {"leaders": leaders, "departments": depts, "similar": similar}


def pending_departments(proposal: dict) -> dict[str, str]:
    """New department names that resemble an existing department and are not decided yet."""
    return owner_matches(proposal)["similar"]


def decide_department(draft: PlanDraft, name: str, existing: str) -> None:
    """Record the user's answer for a new department name: `existing` is the department it is
    (its name), or "" for a new department of its own."""
    if name not in _department_names(draft.proposal):
        raise CorrectionError(f"科室“{name}”不在草稿的任务中（草稿可能已被修改，请刷新页面）。")
    if existing:
        index = OwnerIndex.load()
        if existing not in index.departments:
            raise CorrectionError(f"已有科室“{existing}”不存在。")
        existing = index.departments[existing].name
    draft.proposal.setdefault("department_choices", {})[name] = existing
    draft.save(update_fields=["proposal"])


def import_warnings(proposal: dict, year: int, area: OrgUnit | None, today: date | None = None) -> list[str]:
    """What the preview must say before a plan is saved: a document issued for another region
    than the plan's area, a document about another year than the plan year, a plan year already
    past (every task would be overdue at once)."""
    today = today or timezone.localdate()
    out = []
    region = (proposal.get("region") or "").strip()
    if region and area is not None and not _same_region(region, area):
        out.append(
            f"文件的发文地区是“{region}”，与本系统的计划区域“{area.name}”不一致：请确认这不是其他地区的计划。"
        )
    doc_year = proposal.get("doc_year")
    if doc_year and doc_year != year:
        out.append(f"文件写的是 {doc_year} 年，而计划年度选的是 {year} 年：请确认年度。")
    if year < today.year:
        out.append(f"计划年度 {year} 年已经过去：导入后所有任务的完成时限都已过，请确认是要补录往年的计划。")
    return out


def _same_region(region: str, area: OrgUnit) -> bool:
    """Whether a document's region is the area or lies inside it (its name, a unit below it)."""
    if area.name in region or region in area.name:
        return True
    names = OrgUnit.objects.filter(path__startswith=area.path).values_list("name", flat=True)
    return any(n and (n in region or (len(region) >= 2 and region in n)) for n in names.iterator())


# --- Corrections on the draft -------------------------------------------------------------------


class CorrectionError(ValueError):
    """A correction that cannot be applied; the message names the field and the reason."""


def _find(items: list[dict], key: str, what: str) -> dict:
    for item in items:
        if item["key"] == key:
            return item
    raise CorrectionError(f"{what}“{key}”不存在（草稿可能已被修改，请刷新页面）。")


def _split_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[、，,；;\s]+", value or "") if n.strip()]


def correct_target(draft: PlanDraft, key: str, data: dict) -> dict:
    """Change one proposed target: indicator code, comparator, value, unit, scope, deadline,
    task. Nothing is changed when any field is wrong."""
    target = _find(draft.proposal["targets"], key, "目标")
    changes = {}
    if "code" in data:
        code = (data.get("code") or "").strip()
        if code and not Indicator.objects.filter(code=code).exists():
            raise CorrectionError(f"指标编码“{code}”不在指标目录中。")
        changes["code"] = code or None
    if "cmp" in data:
        if data["cmp"] not in Comparator.values:
            raise CorrectionError(f"比较方式“{data['cmp']}”无效。")
        changes["cmp"] = data["cmp"]
    if "value" in data:
        try:
            value = Decimal(str(data["value"]).strip())
        except InvalidOperation:
            raise CorrectionError(f"目标值“{data['value']}”不是数字。") from None
        if not value.is_finite():
            raise CorrectionError(f"目标值“{data['value']}”不是数字。")
        changes["value"] = float(value)
    if "unit" in data:
        changes["unit"] = (data["unit"] or "").strip()[:20]
    if "phrase" in data:
        phrase = (data["phrase"] or "").strip()
        if not phrase:
            raise CorrectionError("指标表述不能为空。")
        changes["phrase"] = phrase[:200]
    if "scope" in data:
        if data["scope"] not in (Scope.CITY, Scope.COUNTY, Scope.TOWNSHIP):
            raise CorrectionError(f"范围“{data['scope']}”无效（应为全市、各县或各乡镇）。")
        changes["scope"] = data["scope"]
        changes["org_code"] = None
    if "deadline" in data:
        try:
            deadline = date.fromisoformat(str(data["deadline"]).strip())
        except ValueError:
            raise CorrectionError(f"完成时限“{data['deadline']}”不是有效日期（格式 2024-12-31）。") from None
        if deadline.year != draft.year:
            raise CorrectionError(f"完成时限 {deadline} 不在计划年度 {draft.year} 年内。")
        changes["deadline"] = deadline.isoformat()
    if "task" in data:
        task_key = data["task"] or None
        if task_key:
            _find(draft.proposal["tasks"], task_key, "任务")
        changes["task"] = task_key
    if "include" in data:
        changes["include"] = bool(data["include"])
    target.update(changes)
    draft.save(update_fields=["proposal"])
    return target


def split_target_by_county(draft: PlanDraft, key: str, area: OrgUnit | None) -> list[dict]:
    """Replace a target with one per county of the area (same value), for separate tracking."""
    targets = draft.proposal["targets"]
    target = _find(targets, key, "目标")
    if area is None:
        raise CorrectionError("系统中还没有组织机构，无法按县分解。")
    counties = list(OrgUnit.objects.filter(path__startswith=area.path, level=Level.COUNTY).order_by("path"))
    if not counties:
        raise CorrectionError(f"{area.name}下没有县（市、区），无法按县分解。")
    pos = targets.index(target)
    used = {t["key"] for t in targets}
    parts = []
    for county in counties:
        n = 1
        while f"{key}-{n}" in used:
            n += 1
        part = {
            **target,
            "key": f"{key}-{n}",
            "scope": Scope.UNIT,
            "org_code": county.code,
            "org_name": county.name,
        }
        used.add(part["key"])
        parts.append(part)
    targets[pos : pos + 1] = parts
    draft.save(update_fields=["proposal"])
    return parts


def promote_fact(draft: PlanDraft, index: int) -> dict:
    """Make a quantity the analysis did not read as a target into one."""
    facts = draft.proposal["facts"]
    if not 0 <= index < len(facts):
        raise CorrectionError("该数字已不在草稿中，请刷新页面。")
    f = facts.pop(index)
    text = draft.proposal["text"]
    left, right = _clause(text, f["start"], f["end"])
    sentence = text[left:right]
    used = {t["key"] for t in draft.proposal["targets"]}
    n = len(used) + 1
    while f"g{n}" in used:
        n += 1
    target = {
        "key": f"g{n}",
        "task": f.get("task"),
        "text": f["text"],
        "phrase": _growth_phrase(
            clean_phrase(f["indicator"]) or sentence[:30], _scope_context(text, f["start"]), f["unit"]
        ),
        "code": _link(f["indicator"], text[left : f["start"]], catalogue_lexicon()[0]),
        "cmp": f["cmp"] if f["cmp"] in Comparator.values else "=",
        "value": f["value"],
        "unit": f["unit"],
        "scope": infer_scope(_scope_context(text, f["start"])),
        "org_code": None,
        "deadline": infer_deadline(sentence, draft.year).isoformat(),
        "include": True,
        "start": f["start"],
        "end": f["end"],
    }
    target["increase"] = "新增" in target["phrase"] and target["unit"] not in _RATE_UNITS
    draft.proposal["targets"].append(target)
    draft.proposal["targets"].sort(key=lambda t: t["start"])
    draft.save(update_fields=["proposal"])
    return target


def correct_task(draft: PlanDraft, key: str, data: dict) -> dict:
    """Change a task's title or owners (names separated by 、 or commas)."""
    task = _find(draft.proposal["tasks"], key, "任务")
    if "title" in data:
        title = (data["title"] or "").strip()
        if not title:
            raise CorrectionError("任务标题不能为空。")
        task["title"] = title[:500]
    for fld in ("leaders", "departments", "lead_departments"):
        if fld in data:
            task[fld] = _split_names(data[fld])
    if "deadline" in data:
        value = (data["deadline"] or "").strip()
        if value:
            try:
                task["deadline"] = date.fromisoformat(value).isoformat()
            except ValueError:
                raise CorrectionError(
                    f"完成时限“{value}”不是有效日期（格式 2024-12-31），留空表示长期任务。"
                ) from None
        else:
            task["deadline"] = None
    if not task["departments"] and not task["lead_departments"]:
        raise CorrectionError(f"任务“{task['num'] or task['title']}”至少需要一个责任科室或牵头科室。")
    draft.save(update_fields=["proposal"])
    return task


# --- Confirmation ----------------------------------------------------------------------------


def _set_owners(task: Task, item: dict, index: OwnerIndex, choices: dict | None = None) -> None:
    TaskLeader.objects.filter(task=task).delete()
    TaskDepartment.objects.filter(task=task).delete()
    notes = []
    order = 0
    for name in item["leaders"]:
        if is_generic_leader(name):
            notes.append(name)
            continue
        leader = index.leader(name, create=True)
        TaskLeader.objects.get_or_create(task=task, leader=leader, defaults={"order": order})
        order += 1
    task.leader_note = "、".join(notes)[:200]
    order = 0
    for lead, names in ((False, item["departments"]), (True, item["lead_departments"])):
        for name in names:
            dept = index.department(name, create=True, choices=choices)
            TaskDepartment.objects.get_or_create(
                task=task, department=dept, defaults={"order": order, "is_lead": lead}
            )
            order += 1


def _target_fields(
    g: dict, plan: Plan, tasks: dict[str, Task], indicators: dict[str, Indicator], orgs: dict[str, OrgUnit]
) -> dict:
    return {
        "task": tasks.get(g["task"]) if g["task"] else None,
        "indicator": indicators.get(g["code"]) if g["code"] else None,
        "phrase": g["phrase"][:200],
        "text": (g["text"] or "")[:100],
        "cmp": g["cmp"],
        "value": Decimal(str(g["value"])),
        "unit": (g["unit"] or "")[:20],
        "scope": g["scope"],
        "org_unit": orgs.get(g["org_code"]) if g.get("org_code") else None,
        "deadline": date.fromisoformat(g["deadline"]),
    }


def _lookups(proposal: dict) -> tuple[dict[str, Indicator], dict[str, OrgUnit]]:
    targets = [g for g in proposal["targets"] if g.get("include", True)]
    codes = {g["code"] for g in targets if g["code"]}
    org_codes = {g["org_code"] for g in targets if g.get("org_code")}
    return (
        Indicator.objects.in_bulk(codes, field_name="code"),
        OrgUnit.objects.in_bulk(org_codes, field_name="code"),
    )


def _sections(plan: Plan, proposal: dict) -> dict[str, Section]:
    plan.sections.all().delete()
    out = {}
    for i, s in enumerate(proposal["sections"]):
        sec = Section.objects.create(
            plan=plan, num=(s["num"] or "")[:20], level=s["level"], title=s["title"][:300], order=i
        )
        if s["level"] == 1:
            out.setdefault(s["num"], sec)
    return out


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _body(proposal: dict, item: dict) -> str:
    return proposal["text"][item.get("start", 0) : item.get("end", 0)]


@transaction.atomic
def confirm(draft: PlanDraft, user, area: OrgUnit | None = None) -> Plan:
    """Save the corrected draft as a plan (or apply it to the plan it revises) and delete it.
    Refused (nothing saved) while a new department name that resembles an existing one has not
    been decided: a near-duplicate department is never created silently."""
    proposal = draft.proposal
    pending = pending_departments(proposal)
    if pending:
        listed = "、".join(f"“{n}”（是否为已有科室“{e}”）" for n, e in pending.items())
        raise ImportError_(f"请先确认以下科室：{listed}。")
    if draft.plan_id:
        plan = draft.plan
        changes = diff(plan, proposal)
        apply_revision(plan, proposal, changes, user)
        plan.source_name = draft.file_name
        plan.source_text = proposal["text"]
        plan.revised = timezone.now()
        plan.save()
        record(
            user, "update", plan, detail=f"按修订文件“{draft.file_name}”更新计划：{changes_summary(changes)}"
        )
    else:
        plan = Plan.objects.create(
            title=proposal.get("title") or f"{draft.year}年工作要点",
            year=draft.year,
            region=proposal.get("region") or "",
            org_unit=area,
            source_name=draft.file_name,
            source_text=proposal["text"],
            created_by=user,
        )
        sections = _sections(plan, proposal)
        index = OwnerIndex.load()
        tasks: dict[str, Task] = {}
        for i, item in enumerate(proposal["tasks"]):
            task = Task.objects.create(
                plan=plan,
                section=sections.get(item["section"]),
                num=(item["num"] or "")[:30],
                title=item["title"][:500],
                body=_body(proposal, item),
                order=i,
                deadline=_date_or_none(item.get("deadline")),
            )
            _set_owners(task, item, index, proposal.get("department_choices"))
            task.save(update_fields=["leader_note"])
            tasks[item["key"]] = task
        indicators, orgs = _lookups(proposal)
        Target.objects.bulk_create(
            [
                Target(plan=plan, order=i, **_target_fields(g, plan, tasks, indicators, orgs))
                for i, g in enumerate(g for g in proposal["targets"] if g.get("include", True))
            ]
        )
        who = f"（{user.department.name}）" if getattr(user, "department_id", None) else ""
        record(user, "import", plan, detail=f"导入工作要点“{draft.file_name}”{who}：{len(tasks)}项任务")
    draft.delete()
    return plan


# --- Revision -------------------------------------------------------------------------------


@dataclass
class TaskChange:
    kind: str  # added | removed | reworded | owners | renumbered | unchanged
    task: Task | None = None  # the existing task
    item: dict | None = None  # the task in the revised document
    notes: list[str] = field(default_factory=list)

    LABELS = {
        "added": "新增",
        "removed": "删除",
        "reworded": "表述修改",
        "owners": "责任调整",
        "renumbered": "编号调整",
        "unchanged": "未变",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.kind]


def _owners_of(task: Task) -> tuple[list[str], list[str]]:
    return task.leader_names(), task.department_names()


def _item_owners(item: dict) -> tuple[list[str], list[str]]:
    return item["leaders"], item["departments"] + item["lead_departments"]


def diff(plan: Plan, proposal: dict) -> list[TaskChange]:
    """Match the revised document's tasks to the plan's: by number first, then by title
    similarity; say for each whether it was added, removed, reworded or re-assigned."""
    existing = list(plan.tasks.prefetch_related("taskleader_set__leader", "taskdepartment_set__department"))
    items = proposal["tasks"]
    pairs: dict[int, Task] = {}
    by_num = {t.num: t for t in existing if t.num}
    taken: set[int] = set()
    for i, item in enumerate(items):
        t = by_num.get(item["num"] or "")
        if t is not None and t.pk not in taken and _similar(t.title, item["title"]) >= 0.3:
            pairs[i] = t
            taken.add(t.pk)
    # Renumbered or unnumbered tasks: the most similar remaining title, best pairs first.
    candidates = []
    for i, item in enumerate(items):
        if i in pairs:
            continue
        for t in existing:
            if t.pk in taken:
                continue
            ratio = _similar(t.title, item["title"])
            if ratio >= SIMILAR_TITLE:
                candidates.append((ratio, i, t))
    for _ratio, i, t in sorted(candidates, key=lambda c: -c[0]):
        if i in pairs or t.pk in taken:
            continue
        pairs[i] = t
        taken.add(t.pk)

    changes = []
    for i, item in enumerate(items):
        t = pairs.get(i)
        if t is None:
            changes.append(TaskChange("added", None, item, [f"新增任务 {item['num'] or ''} {item['title']}"]))
            continue
        notes = []
        reworded = t.title != item["title"]
        if reworded:
            notes.append(f"标题：{t.title} → {item['title']}")
        renumbered = (t.num or "") != (item["num"] or "")
        if renumbered:
            notes.append(f"编号：{t.num or '无'} → {item['num'] or '无'}")
        old_l, old_d = _owners_of(t)
        new_l, new_d = _item_owners(item)
        owner_notes = []
        if set(old_l) != set(new_l):
            owner_notes.append(f"责任领导：{'、'.join(old_l) or '无'} → {'、'.join(new_l) or '无'}")
        if set(old_d) != set(new_d):
            owner_notes.append(f"责任科室：{'、'.join(old_d) or '无'} → {'、'.join(new_d) or '无'}")
        if reworded or not t.active:
            kind = "reworded"
        elif owner_notes:
            kind = "owners"
        elif renumbered:
            kind = "renumbered"
        else:
            kind = "unchanged"
        if not t.active:
            notes.append("恢复为有效任务")
        changes.append(TaskChange(kind, t, item, notes + owner_notes))
    for t in existing:
        if t.pk not in taken and t.active:
            changes.append(TaskChange("removed", t, None, [f"删除任务 {t.num} {t.title}（已有进度保留）"]))
    return changes


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def changes_summary(changes: list[TaskChange]) -> str:
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    parts = [
        f"{TaskChange.LABELS[k]}{counts[k]}项"
        for k in ("added", "removed", "reworded", "owners", "renumbered")
        if counts.get(k)
    ]
    return "，".join(parts) or "任务无变化"


def apply_revision(plan: Plan, proposal: dict, changes: list[TaskChange], user=None) -> None:
    """Apply the difference: matched tasks keep their pk (and so their reports, 督办 items and
    manual actuals); removed tasks are kept inactive; targets are matched by phrase or indicator."""
    sections = _sections(plan, proposal)
    index = OwnerIndex.load()
    indicators, orgs = _lookups(proposal)
    key_to_task: dict[str, Task] = {}
    for order, change in enumerate(c for c in changes if c.kind != "removed"):
        item = change.item
        task = change.task or Task(plan=plan)
        task.num = (item["num"] or "")[:30]
        task.title = item["title"][:500]
        task.body = _body(proposal, item)
        task.section = sections.get(item["section"])
        task.deadline = _date_or_none(item.get("deadline"))
        task.order = order
        task.active = True
        task.save()
        _set_owners(task, item, index, proposal.get("department_choices"))
        task.save(update_fields=["leader_note"])
        key_to_task[item["key"]] = task
    for change in changes:
        if change.kind == "removed":
            change.task.active = False
            change.task.save(update_fields=["active"])

    existing = list(plan.targets.select_related("indicator", "org_unit"))
    used: set[int] = set()
    new_targets = [g for g in proposal["targets"] if g.get("include", True)]
    for order, g in enumerate(new_targets):
        fields = _target_fields(g, plan, key_to_task, indicators, orgs)
        match = next((t for t in existing if t.pk not in used and _same_target(t, fields)), None)
        if match is None:
            Target.objects.create(plan=plan, order=order, **fields)
            continue
        used.add(match.pk)
        old = _target_summary(match)
        for name, value in fields.items():
            setattr(match, name, value)
        match.order = order
        match.active = True
        match.save()
        new = _target_summary(match)
        if old != new:
            record(user, "update", match, old=old, new=new, detail="修订文件调整目标")
    Target.objects.filter(plan=plan).exclude(pk__in=used).filter(pk__in=[t.pk for t in existing]).update(
        active=False
    )


def _target_summary(t: Target) -> str:
    code = t.indicator.code if t.indicator_id else "未关联"
    return f"{t.phrase} {t.cmp} {t.value.normalize():f}{t.unit}（{t.scope}，{code}，{t.deadline}）"


def _same_target(t: Target, fields: dict) -> bool:
    same_unit = t.org_unit_id == (fields["org_unit"].pk if fields["org_unit"] else None)
    if not same_unit:
        return False
    if fields["indicator"] is not None and t.indicator_id == fields["indicator"].pk:
        return True
    return t.phrase == fields["phrase"]
