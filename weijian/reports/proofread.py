"""Proofreading a report: what the document engine flags (textmine defects), and every figure
checked against the database for the same indicator, unit and period.

A figure is linked to a catalogue indicator through the engine's lexicon (the same one plan
import uses), to a unit by the unit names in its sentence (else the document's region, else the
user's own area), and to a period by the document's year. Only data the user may read is
compared. A figure that cannot be linked, or not compared, is listed with the reason — never
silently skipped. The findings can be written back into the .docx as Word comments.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from weijian import textmine
from weijian.accounts.scope import can_read_org
from weijian.data import aggregate
from weijian.data.formatting import RATE_UNITS
from weijian.indicators.models import Indicator
from weijian.orgs.models import Level, OrgUnit
from weijian.plans.importing import catalogue_lexicon
from weijian.web import dashboard

from .figures import analysis_link

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {".docx", ".pdf", ".txt"}
DEFECT_LABELS = {
    "duplicate_sentence": "重复语句",
    "count_mismatch": "“分别”前后数量不符",
    "malformed_number": "数字格式错误",
    "conflicting_figures": "前后数字矛盾",
    "editor_note": "残留的编辑批注",
    "anachronism": "年代不符",
    "db_mismatch": "与数据库不符",
}


class ProofreadError(Exception):
    """A file that cannot be proofread; the message (Chinese) names the file and the reason."""


@dataclass
class Finding:
    id: int
    type: str
    label: str
    text: str
    note: str
    start: int
    end: int
    link: str = ""


@dataclass
class Unlinked:
    text: str
    context: str
    reason: str
    start: int
    end: int


@dataclass
class Checked:
    text: str
    indicator: str
    unit: str
    period: str
    database: str
    link: str


@dataclass
class Result:
    name: str
    format: str
    text: str  # the document's text as read (spans index it)
    year: int | None
    region: str | None
    findings: list[Finding] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def validate(name: str, size: int) -> None:
    suffix = Path(name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise ProofreadError(
            f"文件“{name}”：只能校对 .docx、.pdf 或 .txt 文件，此文件类型为“{suffix or '无扩展名'}”。"
        )
    if size == 0:
        raise ProofreadError(f"文件“{name}”是空的。")
    if size > MAX_BYTES:
        raise ProofreadError(f"文件“{name}”大小为 {size / 1024 / 1024:.1f} MB，超过 10 MB 的上限。")


def proofread(data: bytes, name: str, user) -> Result:
    validate(name, len(data))
    if Path(name).suffix.lower() == ".docx":
        data = without_sources(data)
    try:
        doc = textmine.read(data, name=name)
    except textmine.ReadError as exc:
        raise ProofreadError(str(exc)) from exc
    lexicon, _ = catalogue_lexicon()
    analysis = textmine.analyze(doc, lexicon=lexicon)
    text = doc.raw
    result = Result(name=name, format=doc.format, text=text, year=analysis.year, region=analysis.region)
    for d in analysis.defects:
        if d.end <= d.start:
            continue
        result.findings.append(
            Finding(0, d.type, DEFECT_LABELS.get(d.type, d.type), d.text, d.note, d.start, d.end)
        )
    _compare(result, analysis, text, user)
    result.findings.sort(key=lambda f: (f.start, f.type))
    for i, f in enumerate(result.findings, start=1):
        f.id = i
    return result


SOURCES_BOOKMARK = "weijian_sources"


def without_sources(data: bytes) -> bytes:
    """A drafted report's 附件：数据来源 (marked by a bookmark) is the platform's own trace of
    its figures, a table of raw numbers and links, not prose: it is left out of proofreading."""
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - textmine.read gives the user the proper message
        return data
    body = document.element.body
    marks = [b for b in body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")) == SOURCES_BOOKMARK]
    if not marks:
        return data
    start = marks[0]
    while start.getparent() is not body:
        start = start.getparent()
    drop, el = [], start
    while el is not None:
        if el.tag != qn("w:sectPr"):
            drop.append(el)
        el = el.getnext()
    for el in drop:
        body.remove(el)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- figures against the database ----------------------------------------------------------------

_NUMBER = re.compile(r"(\d+(?:\.(\d+))?)\s*(万|亿)?")
_CLAUSE_END = "。；;！!？?\n"


def _precision(fact_text: str) -> Decimal:
    """Half a unit of the last digit written: 92.3% → 0.05, 1.23万 → 50."""
    m = _NUMBER.search(fact_text)
    if not m:
        return Decimal("0.5")
    decimals = len(m.group(2) or "")
    mult = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}.get(m.group(3) or "", Decimal(1))
    return Decimal(5) * Decimal(10) ** (-(decimals + 1)) * mult


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_END:
        a -= 1
    b = end
    while b < len(text) and text[b] not in _CLAUSE_END:
        b += 1
    return a, b


def _units_by_name(user) -> list[tuple[str, OrgUnit]]:
    """Administrative units (and institutions) the user may read, longest names first."""
    units = OrgUnit.objects.for_user(user).filter(active=True)
    names = [(u.name, u) for u in units]
    return sorted(names, key=lambda p: -len(p[0]))


def _unit_for(sentence: str, region: str | None, names, user) -> OrgUnit | None:
    # The last unit named before the figure is the one it belongs to (“云川县…率为…”).
    found = [(sentence.rfind(n), -len(n), u) for n, u in names if n in sentence]
    if found:
        return max(found, key=lambda f: (f[0], f[1]))[2]
    if region:
        for n, u in names:
            if n == region or (u.level <= Level.COUNTY and n.startswith(region)):
                return u
    return dashboard.home_org(user)


def _respective_unit(text: str, a: int, fact, facts, names) -> OrgUnit | None:
    """“甲县、乙区分别为92.3%、88.1%”: the k-th figure after 分别 belongs to the k-th unit named
    before it."""
    cut = text.rfind("分别", a, fact.start)
    if cut < 0:
        return None
    before = text[a:cut]
    found, taken = [], []
    for n, u in names:  # longest names first, so 甲县人民医院 is not also read as 甲县
        for m in re.finditer(re.escape(n), before):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append((m.start(), m.end()))
                found.append((m.start(), u))
    units = [u for _, u in sorted(found, key=lambda p: p[0])]
    after = [f for f in facts if cut < f.start and f.end <= fact.end and f.code == fact.code]
    k = len(after) - 1
    return units[k] if 0 <= k < len(units) and len(units) >= 2 else None


def _compare(result: Result, analysis, text: str, user) -> None:
    names = _units_by_name(user)
    indicators = {i.code: i for i in Indicator.objects.all()}
    year = analysis.year
    for f in analysis.facts:
        a, b = _sentence(text, f.start, f.end)
        context = text[a:b].strip()
        if f.code is None or f.code not in indicators:
            result.unlinked.append(Unlinked(f.text, context, "未能关联到指标目录中的指标", f.start, f.end))
            continue
        ind = indicators[f.code]
        if f.role in ("target",) or f.cmp not in ("=", "~"):
            result.unlinked.append(
                Unlinked(f.text, context, f"目标或比较值（{ind.name}），不与实际数比对", f.start, f.end)
            )
            continue
        if f.role == "change":
            _compare_change(result, f, ind, context, text, names, user, year)
            continue
        if not _units_match(f.unit, ind.unit):
            result.unlinked.append(
                Unlinked(
                    f.text,
                    context,
                    f"单位“{f.unit or '无'}”与指标“{ind.name}”的单位“{ind.unit}”不同",
                    f.start,
                    f.end,
                )
            )
            continue
        org = _respective_unit(text, a, f, analysis.facts, names) or _unit_for(
            text[a : f.start], analysis.region, names, user
        )
        if org is None or not can_read_org(user, org) or year is None:
            why = "文中没有年份" if year is None else "无法确定所属单位或不在您的权限范围内"
            result.unlinked.append(Unlinked(f.text, context, why, f.start, f.end))
            continue
        fig = aggregate.value(ind, org, str(year))
        link = analysis_link(ind, org, str(year))
        if fig.value is None:
            result.unlinked.append(
                Unlinked(f.text, context, f"数据库中没有{org.name}{year}年{ind.name}的数据", f.start, f.end)
            )
            continue
        if abs(Decimal(str(f.value)) - Decimal(fig.value)) <= _precision(f.text):
            result.checked.append(Checked(f.text, ind.name, org.name, f"{year}年", fig.text, link))
        else:
            result.findings.append(
                Finding(
                    0,
                    "db_mismatch",
                    DEFECT_LABELS["db_mismatch"],
                    f.text,
                    f"数据库中{org.name}{year}年{ind.name}为{fig.text}，文中为{f.text}",
                    f.start,
                    f.end,
                    link,
                )
            )


def _change_unit_fits(written: str, ind: Indicator) -> bool:
    """A rate changes in points of its own unit (个百分点, ‰), a count in %."""
    if ind.unit in ("%", "％"):
        return written in ("百分点", "个百分点")
    if ind.unit in RATE_UNITS:
        return _units_match(written, ind.unit)
    return written in ("%", "％")


def _compare_change(result, f, ind, context, text, names, user, year) -> None:
    if not _change_unit_fits(f.unit, ind):
        result.unlinked.append(
            Unlinked(
                f.text,
                context,
                f"同比：单位“{f.unit or '无'}”与指标“{ind.name}”的变化单位不符",
                f.start,
                f.end,
            )
        )
        return
    a, _ = _sentence(text, f.start, f.end)
    org = _unit_for(text[a : f.start], result.region, names, user)
    if org is None or not can_read_org(user, org) or year is None:
        result.unlinked.append(Unlinked(f.text, context, "同比：无法确定单位或年份", f.start, f.end))
        return
    change = aggregate.yoy(ind, org, str(year))
    link = analysis_link(ind, org, str(year))
    if change.delta is None:
        result.unlinked.append(
            Unlinked(f.text, context, f"同比：数据库中{org.name}没有可比数据", f.start, f.end)
        )
        return
    written = Decimal(str(f.value)) * (-1 if f.direction == "down" else 1)
    if abs(written - change.delta) <= _precision(f.text):
        result.checked.append(Checked(f.text, f"{ind.name}同比", org.name, f"{year}年", change.text, link))
    else:
        result.findings.append(
            Finding(
                0,
                "db_mismatch",
                DEFECT_LABELS["db_mismatch"],
                f.text,
                f"数据库中{org.name}{year}年{ind.name}同比{change.text}，文中为{f.text}",
                f.start,
                f.end,
                link,
            )
        )


def _units_match(written: str, unit: str) -> bool:
    fold = {"％": "%", "/10万": "1/10万"}
    w, u = fold.get(written, written), fold.get(unit, unit)
    return w == u or (not u and w in ("", "个"))


# --- the document with its findings ---------------------------------------------------------------


def segments(text: str, findings: list[dict]) -> list[dict]:
    """The text cut into pieces, each either plain or covered by findings (for marking in place)."""
    cuts = {0, len(text)}
    for f in findings:
        cuts.update((max(0, f["start"]), min(len(text), f["end"])))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        ids = [f["id"] for f in findings if f["start"] <= a and b <= f["end"]]
        out.append({"text": text[a:b], "ids": ids})
    return out


def commented_docx(data: bytes, fmt: str, result: dict, author: str = "卫健校对") -> bytes:
    """The uploaded .docx with one Word comment per finding on the words it concerns. A .txt or
    .pdf comes back as a .docx of its text, one paragraph a line, commented the same way."""
    import docx

    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
    else:
        document = docx.Document()
        for line in result["text"].split("\n"):
            document.add_paragraph(line)
    paragraphs = _paragraphs_in_reading_order(document)
    starts, pos = [], 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p.text) + 1
    for f in result["findings"]:
        runs = _runs_for(paragraphs, starts, f)
        if not runs:
            continue
        note = f"{f['label']}：{f['note']}" + (f"（查看：{f['link']}）" if f.get("link") else "")
        document.add_comment(runs, text=note, author=author, initials="WJ")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _paragraphs_in_reading_order(document) -> list:
    """Body paragraphs and table-cell paragraphs in document order (as the reader reads them)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    out.extend(cell.paragraphs)
    return out


def _runs_for(paragraphs, starts, f) -> list:
    """The runs covering a finding: in the paragraph at its offset when the text matches there,
    else in the first paragraph holding its text; runs are split at the finding's edges."""
    import bisect

    i = max(0, bisect.bisect_right(starts, f["start"]) - 1)
    order = [i, *range(len(paragraphs))]
    for k in order:
        p = paragraphs[k]
        local = f["start"] - starts[k] if k == i else -1
        if not (0 <= local and p.text[local : local + len(f["text"])] == f["text"]):
            local = p.text.find(f["text"])
        if local >= 0 and f["text"]:
            return _split_runs(p, local, local + len(f["text"]))
    return []


def _split_runs(paragraph, a: int, b: int) -> list:
    """Split the paragraph's runs so that [a, b) is covered by whole runs; return those runs."""
    from docx.text.run import Run

    pos, covered = 0, []
    for run in list(paragraph.runs):
        t = run.text
        s, e = pos, pos + len(t)
        pos = e
        if e <= a or s >= b or not t:
            continue
        lo, hi = max(a, s) - s, min(b, e) - s
        if lo > 0:
            head = copy.deepcopy(run._r)
            run._r.addprevious(head)
            Run(head, paragraph).text = t[:lo]
        if hi < len(t):
            tail = copy.deepcopy(run._r)
            run._r.addnext(tail)
            Run(tail, paragraph).text = t[hi:]
        run.text = t[lo:hi]
        covered.append(run)
    return covered
