"""textmine: the document engine of Weijian, pure Python (no Django).

    read(path_or_bytes)  -> Document   (.txt in any Chinese encoding, .docx, .pdf; normalised)
    analyze(text)        -> Analysis   (kind, region, year, sections, tasks, facts, defects)
    Lexicon(entries)                    (catalogue names/aliases → codes, for Fact.code)

`analyze` never raises on a string; its spans index the string it was given (or, for a
Document, the text as extracted from the file, `Document.raw`).
"""

from __future__ import annotations

import logging
import re

from .defects import dedupe, find_defects
from .link import Lexicon
from .meta import detect_kind, detect_region, detect_year
from .model import Analysis, Defect, Fact, Section, Task
from .read import Document, ReadError, normalise, read
from .structure import find_sections, find_tasks

__all__ = [
    "Analysis",
    "Defect",
    "Document",
    "Fact",
    "Lexicon",
    "ReadError",
    "Section",
    "Task",
    "analyze",
    "read",
]

log = logging.getLogger(__name__)


def _extract_facts(text: str, kind: str) -> tuple[list[Fact], list[Defect]]:
    """Quantities from the facts module, and the malformed numbers it notices, if it offers them."""
    try:
        from . import facts as facts_module
    except ImportError:
        return [], []
    found: list[Fact] = []
    extra: list[Defect] = []
    try:
        found = list(facts_module.extract_facts(text, kind=kind))
    except Exception:  # noqa: BLE001 - one faulty extractor must not cost the user the analysis
        log.exception("extract_facts failed")
    malformed = getattr(facts_module, "malformed_numbers", None)
    if malformed is None:
        try:
            from . import numbers as numbers_module

            malformed = getattr(numbers_module, "malformed_numbers", None)
        except ImportError:
            malformed = None
    if malformed is not None:
        try:
            for d in malformed(text):
                if isinstance(d, Defect):
                    extra.append(d)
                elif isinstance(d, dict):
                    extra.append(
                        Defect(
                            d.get("type", "malformed_number"),
                            d.get("text", ""),
                            d.get("note", ""),
                            d.get("start", 0),
                            d.get("end", 0),
                        )
                    )
        except Exception:  # noqa: BLE001
            log.exception("malformed_numbers failed")
    return found, extra


_CLAUSE_BACK = re.compile(r"[。；;！？!?\n]")


def _link(facts: list[Fact], text: str, lexicon: Lexicon) -> None:
    for f in facts:
        code = lexicon.link(f.indicator) if f.indicator else None
        if code is None:
            # The words just before the figure, back to the start of its sentence.
            a = max(0, f.start - 40)
            window = text[a : f.start]
            ends = [m.end() for m in _CLAUSE_BACK.finditer(window)]
            if ends:
                window = window[ends[-1] :]
            code = lexicon.link(window + text[f.start : f.end])
        f.code = code


def analyze(
    text: str | Document, *, lexicon: Lexicon | None = None, doc: str | Document | None = None
) -> Analysis:
    """Analyse a document text (or a read Document) into the annotation format.

    `doc` is the document name written into the result, or the Document `text` was read into.
    """
    if isinstance(text, Document):
        document = text
    elif isinstance(doc, Document) and text in (doc.raw, doc.text):
        document = doc if text == doc.raw else normalise(text)
    else:
        document = normalise(text if isinstance(text, str) else str(text or ""))
    name = doc.name if isinstance(doc, Document) else doc
    if name is None:
        name = document.name
    norm, raw = document.text, document.raw

    kind = detect_kind(norm)
    sections = find_sections(norm)
    tasks = find_tasks(norm, sections)
    facts, fact_defects = _extract_facts(norm, kind)
    if lexicon is not None and len(lexicon):
        _link(facts, norm, lexicon)
    headings = []
    for s in sections:
        t = norm.find(s.title, s.start, s.start + len(s.title) + 12)
        headings.append((s.start, (t if t >= 0 else s.start) + len(s.title)))
    defects = find_defects(norm, kind=kind, headings=headings) + fact_defects

    # Report every span in the caller's coordinates, and quantities/defects as written there.
    for item in (*sections, *tasks):
        item.start, item.end = document.to_raw(item.start, item.end)
    kept: list[Fact] = []
    for f in facts:
        if not (0 <= f.start <= f.end <= len(norm)):
            continue
        f.start, f.end = document.to_raw(f.start, f.end)
        f.text = raw[f.start : f.end]
        kept.append(f)
    for d in defects:
        if not (0 <= d.start <= d.end <= len(norm)):
            d.start = d.end = 0
            continue
        d.start, d.end = document.to_raw(d.start, d.end)
        d.text = raw[d.start : d.end]
    defects = dedupe(defects + list(document.defects))
    return Analysis(
        kind=kind,
        region=detect_region(norm),
        year=detect_year(norm),
        sections=sections,
        tasks=tasks,
        facts=kept,
        defects=defects,
        doc=name,
    )
