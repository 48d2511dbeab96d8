"""A drafted report before it becomes a Word file: a title, a list of blocks (headings,
paragraphs, tables, charts) and the ledger of its figures. Stored as JSON with the draft, so
the page can show it, the proofreader can read it and a re-draft can be compared with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from weijian.gongwen import Gongwen

from . import charts


@dataclass
class Draft:
    kind: str  # summary | ranking
    title: str
    issuer: str
    date: date
    blocks: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    red_header: str = ""
    doc_number: str = ""
    addressee: str = ""

    def h1(self, text: str) -> None:
        self.blocks.append({"kind": "h1", "text": text})

    def h2(self, text: str) -> None:
        self.blocks.append({"kind": "h2", "text": text})

    def p(self, text: str, lead: str = "") -> None:
        if text or lead:
            self.blocks.append({"kind": "p", "text": text, "lead": lead})

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.blocks.append({"kind": "table", "header": header, "rows": rows})

    def chart(self, chart: dict, caption: str, source: dict | None = None) -> None:
        """`source`: what the chart shows (target, org_unit, period, view), as on the analysis page."""
        self.blocks.append({"kind": "chart", "chart": chart, "caption": caption, "source": source or {}})

    @property
    def text(self) -> str:
        """The body as plain text, one block a line (headings numbered as in the Word file)."""
        return "\n".join(_numbered(self.blocks, self.title))

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date.isoformat(),
            "blocks": self.blocks,
            "figures": self.figures,
            "red_header": self.red_header,
            "doc_number": self.doc_number,
            "addressee": self.addressee,
        }

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        return cls(
            kind=data["kind"],
            title=data["title"],
            issuer=data["issuer"],
            date=date.fromisoformat(data["date"]),
            blocks=data["blocks"],
            figures=data["figures"],
            red_header=data.get("red_header", ""),
            doc_number=data.get("doc_number", ""),
            addressee=data.get("addressee", ""),
        )


def _numbered(blocks: list[dict], title: str) -> list[str]:
    from weijian.gongwen import cn_ordinal

    lines = [title]
    h1 = h2 = 0
    for b in blocks:
        if b["kind"] == "h1":
            h1, h2 = h1 + 1, 0
            lines.append(f"{cn_ordinal(h1)}、{b['text']}")
        elif b["kind"] == "h2":
            h2 += 1
            lines.append(f"（{cn_ordinal(h2)}）{b['text']}")
        elif b["kind"] == "p":
            lines.append(b.get("lead", "") + b["text"])
        elif b["kind"] == "chart":
            lines.append(b["caption"])
    return lines


def labelled(blocks: list[dict]) -> list[dict]:
    """The blocks with headings numbered as in the Word file (for the page)."""
    from weijian.gongwen import cn_ordinal

    out, h1, h2, charts = [], 0, 0, 0
    for b in blocks:
        b = dict(b)
        if b["kind"] == "chart":
            b["number"] = charts
            charts += 1
        if b["kind"] == "h1":
            h1, h2 = h1 + 1, 0
            b["label"] = f"{cn_ordinal(h1)}、{b['text']}"
        elif b["kind"] == "h2":
            h2 += 1
            b["label"] = f"（{cn_ordinal(h2)}）{b['text']}"
        out.append(b)
    return out


SOURCE_HEADER = ["序号", "表述", "指标（编码）与分析页", "单位、期间", "分子 / 分母"]
SOURCE_WIDTHS_MM = [11, 25, 55, 30, 35]


def source_rows(figures: list[dict]) -> list[list[str]]:
    """附件：数据来源 — one row per figure: what it measures (with the analysis page on a second
    line), unit and period, numerator and denominator; counts from the plans app name their source."""
    rows = []
    for i, f in enumerate(figures, start=1):
        what = f["label"] + (f"（{f['indicator']}）" if f.get("indicator") else "")
        if f.get("link"):
            what += "\n" + f["link"]
        where = "、".join(
            x for x in (f.get("unit_name") or f.get("source", ""), f.get("period_label", "")) if x
        )
        if f["kind"] == "change":
            sides = f"本期{f.get('numerator', '')}，上年同期{f.get('base', '')}"
        else:
            sides = " / ".join(x for x in (f.get("numerator", ""), f.get("denominator", "")) if x)
        rows.append([str(i), f["text"], what, where, sides])
    return rows


def render_docx(draft: Draft) -> bytes:
    """The Word file in the house style, the charts as PNG, the sources as an attachment."""
    g = Gongwen(
        draft.title,
        issuer=draft.issuer,
        date=draft.date,
        red_header=draft.red_header,
        doc_number=draft.doc_number,
        addressee=draft.addressee,
    )
    for b in draft.blocks:
        kind = b["kind"]
        if kind == "h1":
            g.heading1(b["text"])
        elif kind == "h2":
            g.heading2(b["text"])
        elif kind == "p":
            g.para(b["text"], bold_lead=b.get("lead", ""))
        elif kind == "table":
            g.table(b["header"], b["rows"])
        elif kind == "chart":
            g.image(charts.png(b["chart"]), caption=b["caption"])
    g.closing()
    if draft.figures:
        from .proofread import SOURCES_BOOKMARK

        g.attachment_page("附件", "数据来源", bookmark=SOURCES_BOOKMARK)
        g.table(SOURCE_HEADER, source_rows(draft.figures), widths_mm=SOURCE_WIDTHS_MM)
    return g.save()
