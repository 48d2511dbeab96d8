"""The house style: Word documents laid out as a 公文 under GB/T 9704-2012, with python-docx.

    g = Gongwen(title="示例市卫生健康委员会2026年工作总结",
                issuer="示例市卫生健康委员会", date=date(2026, 12, 2),
                red_header="示例市卫生健康委员会文件", doc_number="示卫〔2026〕12号")  # 版头 optional
    g.heading1("总体情况")            # 一、  黑体
    g.heading2("医疗服务")            # （一） 楷体_GB2312
    g.heading3("床位建设")            # 1.   仿宋_GB2312 bold
    g.para("全年……。")               # 3号 仿宋_GB2312, first line indented two characters
    g.table(["指标", "数值"], [["…", "…"]])
    g.image(png_bytes, caption="图1 …")
    g.closing()                       # 发文机关署名 and 成文日期 (2026年12月2日), right-aligned
    g.attachment_page("附件：数据来源") # a new page headed 附件
    g.record(cc="…", printer="…", printed=date(...))   # 版记, optional
    data = g.save()                   # bytes; g.save(path) writes a file too

The page: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, so the type area is
156 mm × 225 mm; 22 lines of 28 characters (a document grid of type linesAndChars, the line
pitch and the fixed line spacing both 225 mm / 22); page numbers "— 1 —" in 4号 宋体 below the
type area, right on odd pages and left on even pages (even/odd footers).

Fonts: a 公文 names 方正小标宋简体, 仿宋_GB2312, 黑体 and 楷体_GB2312. Offices have them; many
machines (and every Linux box) do not. Every run names its East Asian font (w:eastAsia, with
hint="eastAsia") so Word and WPS pick the Chinese face rather than the Latin one, and the
font table declares, for each of these names, a free face that ships with Windows (宋体 SimSun,
仿宋 FangSong, 楷体 KaiTi; 黑体 SimHei is itself one) as its w:altName together with the GB2312
charset, so a machine without the office font substitutes a face of the same kind instead of
an arbitrary one. (LibreOffice reads the same altName; on Linux fontconfig then maps the kind
to Noto CJK.) We chose 宋体 as the title's fallback: 方正小标宋 is a heavy 宋 face, and 宋体
is the 宋 face every Windows machine has.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# --- the page (GB/T 9704-2012, 5.2) -------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
BODY_WIDTH = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)  # 156 mm
BODY_HEIGHT = Emu(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)  # 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# Fixed line spacing and grid line pitch, in twentieths of a point: 225 mm / 22 ≈ 29 pt.
LINE_PITCH_TWIPS = round(BODY_HEIGHT.twips / LINES_PER_PAGE)
# Character pitch: 156 mm / 28 ≈ 15.8 pt.
CHAR_PITCH_PT = BODY_WIDTH.pt / CHARS_PER_LINE

# --- type sizes (号) in points ------------------------------------------------------------------

SIZE_2 = Pt(22)  # 二号: title
SIZE_3 = Pt(16)  # 三号: body, headings
SIZE_4 = Pt(14)  # 四号: page numbers, 版记
SIZE_SMALL_4 = Pt(12)  # 小四: table cells

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
# Office font → the free face declared as its substitute (see the module docstring).
FALLBACKS = {
    FONT_TITLE: ("宋体", "roman"),
    FONT_BODY: ("仿宋", "modern"),
    FONT_H2: ("楷体", "script"),
    FONT_H1: ("SimHei", "modern"),
    FONT_PAGE_NUMBER: ("SimSun", "auto"),
    "仿宋": ("FangSong", "modern"),
}
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of the 版头

CN_DIGITS = "〇一二三四五六七八九"


def cn_ordinal(n: int) -> str:
    """一 … 九十九, for heading numbers (一、 … 十二、)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def cn_date(d: date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 asks: 2026年12月2日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def set_run_font(run: Run, east_asia: str, size: Pt | None = None, bold: bool | None = None) -> Run:
    """Name the font for every script of `run` (w:ascii, w:hAnsi, w:eastAsia, w:cs), with the
    East Asian hint, so Word and WPS do not fall back to a Latin face for Chinese text."""
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        run.font.size = size
        run.font.complex_script = False
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = OxmlElement("w:szCs")
            rpr.append(szcs)
        szcs.set(qn("w:val"), str(int(size.pt * 2)))
    if bold is not None:
        run.bold = bold
    return run


def _exact_spacing(paragraph: Paragraph) -> None:
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Twips(LINE_PITCH_TWIPS)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _first_line_chars(paragraph: Paragraph, chars: int, size: Pt = SIZE_3) -> None:
    """Indent the first line by `chars` characters (in character units, so WPS agrees)."""
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        paragraph._p.get_or_add_pPr().append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * size.pt * 20)))


def _border(paragraph: Paragraph, side: str, color: str, size_eighths: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = OxmlElement("w:pBdr")
        ppr.append(pbdr)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), color)
    pbdr.append(el)


def _add_field(paragraph: Paragraph, instruction: str, font: str, size: Pt) -> None:
    """A field (PAGE) as begin / instruction / separate / result / end runs."""

    def run_with(child) -> None:
        run = set_run_font(paragraph.add_run(), font, size)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    set_run_font(paragraph.add_run("1"), font, size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _width(text: str) -> float:
    """Width in characters: ASCII counts half."""
    return sum(0.5 if ord(c) < 128 else 1 for c in text)


@dataclass
class _Counters:
    h1: int = 0
    h2: int = 0
    h3: int = 0


class Gongwen:
    """One 公文. Build it top to bottom with the methods below, then `save()`."""

    def __init__(
        self,
        title: str,
        *,
        issuer: str = "",
        date: date | None = None,
        red_header: str = "",
        doc_number: str = "",
        addressee: str = "",
    ) -> None:
        self.title = title
        self.issuer = issuer
        self.date = date
        self.doc = Document()
        self._n = _Counters()
        self._figures = 0
        self._setup()
        if red_header:
            self._masthead(red_header, doc_number)
        self._title(title)
        if addressee:
            p = self._body_paragraph(indent=False)
            set_run_font(p.add_run(f"{addressee}："), FONT_BODY, SIZE_3)

    # --- set-up ------------------------------------------------------------------------------

    def _setup(self) -> None:
        doc = self.doc
        sec = doc.sections[0]
        sec.page_width, sec.page_height = PAGE_WIDTH, PAGE_HEIGHT
        sec.top_margin, sec.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        sec.left_margin, sec.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        # The page number's dash line sits 7 mm below the type area (GB/T 9704, 7.5): the
        # footer's 14 pt line ends about 5 mm lower, 23 mm above the page edge.
        sec.footer_distance = Mm(23)
        sec.header_distance = Mm(15)
        self._grid(sec)
        doc.settings.odd_and_even_pages_header_footer = True
        # Defaults for anything not styled explicitly: 3号 仿宋_GB2312, exact line pitch.
        normal = doc.styles["Normal"]
        normal.font.size = SIZE_3
        rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), FONT_BODY)
        rfonts.set(qn("w:hint"), "eastAsia")
        pf = normal.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(LINE_PITCH_TWIPS)
        pf.space_before = pf.space_after = Pt(0)
        pf.widow_control = False
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            drf = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
            if drf is not None:
                drf.set(qn("w:eastAsia"), FONT_BODY)
        self._page_numbers(sec)
        self._font_table()
        doc.core_properties.title = self.title
        doc.core_properties.author = self.issuer or "卫健工作平台"

    @staticmethod
    def _grid(sec) -> None:
        """22 lines × 28 characters: w:docGrid of type linesAndChars. w:charSpace is the
        pitch added to the 3号 default font size, in 1/4096 pt (negative: narrower)."""
        sect = sec._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(round((CHAR_PITCH_PT - SIZE_3.pt) * 4096)))

    def _page_numbers(self, sec) -> None:
        # Odd pages: right, one character in from the edge; even pages: left, one character in.
        for footer, align, side in (
            (sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
            (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            pf = p.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if side == "right":
                pf.right_indent = SIZE_4
            else:
                pf.left_indent = SIZE_4
            set_run_font(p.add_run("— "), FONT_PAGE_NUMBER, SIZE_4)
            _add_field(p, "PAGE", FONT_PAGE_NUMBER, SIZE_4)
            set_run_font(p.add_run(" —"), FONT_PAGE_NUMBER, SIZE_4)

    def _font_table(self) -> None:
        """Declare each office font with its free fallback (w:altName) and the GB2312 charset."""
        part = next(r.target_part for r in self.doc.part.rels.values() if r.reltype == RT.FONT_TABLE)
        from lxml import etree

        root = etree.fromstring(part.blob)
        w = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        present = {f.get(f"{{{w}}}name") for f in root.findall(f"{{{w}}}font")}
        for name, (alt, family) in FALLBACKS.items():
            if name in present:
                continue
            font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
            etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
            etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
            etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": family})
            etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # --- 版头 and title ------------------------------------------------------------------------

    def _masthead(self, red_header: str, doc_number: str) -> None:
        """发文机关标志 in red 小标宋, 发文字号 below it, then the red separator line."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.space_after = Pt(0)
        run = set_run_font(p.add_run(red_header), FONT_TITLE, Pt(36 if len(red_header) <= 10 else 28))
        run.font.color.rgb = RED
        for _ in range(2):
            self._body_paragraph(indent=False)
        num = self._body_paragraph(indent=False)
        num.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(num.add_run(doc_number or ""), FONT_BODY, SIZE_3)
        _border(num, "bottom", "E60012", 12)  # the red line, 4 mm below the number
        self._body_paragraph(indent=False)

    def _title(self, title: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf = p.paragraph_format
        # A 2号 title on the 3号 grid: a fixed line a little taller than the character.
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(35)
        pf.space_before = Pt(0)
        pf.space_after = Twips(LINE_PITCH_TWIPS)  # one blank line between title and body
        set_run_font(p.add_run(title), FONT_TITLE, SIZE_2)

    # --- body ----------------------------------------------------------------------------------

    def _body_paragraph(self, *, indent: bool = True) -> Paragraph:
        p = self.doc.add_paragraph()
        _exact_spacing(p)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            _first_line_chars(p, 2)
        return p

    def heading1(self, text: str, *, number: bool = True) -> Paragraph:
        """一、… in 黑体 (numbers the next level from （一） again)."""
        self._n.h1 += 1
        self._n.h2 = self._n.h3 = 0
        p = self._body_paragraph()
        p.paragraph_format.keep_with_next = True
        label = f"{cn_ordinal(self._n.h1)}、{text}" if number else text
        set_run_font(p.add_run(label), FONT_H1, SIZE_3)
        return p

    def heading2(self, text: str, *, number: bool = True) -> Paragraph:
        """（一）… in 楷体_GB2312."""
        self._n.h2 += 1
        self._n.h3 = 0
        p = self._body_paragraph()
        p.paragraph_format.keep_with_next = True
        label = f"（{cn_ordinal(self._n.h2)}）{text}" if number else text
        set_run_font(p.add_run(label), FONT_H2, SIZE_3)
        return p

    def heading3(self, text: str, *, number: bool = True) -> Paragraph:
        """1. … in 仿宋_GB2312 bold."""
        self._n.h3 += 1
        p = self._body_paragraph()
        p.paragraph_format.keep_with_next = True
        label = f"{self._n.h3}.{text}" if number else text
        set_run_font(p.add_run(label), FONT_BODY, SIZE_3, bold=True)
        return p

    def para(self, text: str = "", *, indent: bool = True, bold_lead: str = "") -> Paragraph:
        """A body paragraph in 3号 仿宋_GB2312; `bold_lead` starts it in bold (一是…)."""
        p = self._body_paragraph(indent=indent)
        if bold_lead:
            set_run_font(p.add_run(bold_lead), FONT_BODY, SIZE_3, bold=True)
        if text:
            set_run_font(p.add_run(text), FONT_BODY, SIZE_3)
        return p

    def run(self, paragraph: Paragraph, text: str, *, bold: bool = False) -> Run:
        """Add a run in the body font to a paragraph built by `para`."""
        return set_run_font(paragraph.add_run(text), FONT_BODY, SIZE_3, bold=bold or None)

    def table(
        self, header: list[str], rows: list[list[str]], *, widths_mm: list[float] | None = None
    ) -> None:
        """A ruled table in 小四 仿宋, header row bold, single line spacing inside the cells."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, text in enumerate(header):
            self._cell(table.rows[0].cells[i], text, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for i, text in enumerate(row):
                self._cell(cells[i], str(text))
        if widths_mm:
            table.autofit = False
            for col, width in zip(table.columns, widths_mm, strict=False):
                col.width = Mm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths_mm, strict=False):
                    cell.width = Mm(width)
        self._body_paragraph(indent=False)  # a blank line after the table

    @staticmethod
    def _cell(cell, text: str, bold: bool = False) -> None:
        """A cell: lines of `text` as paragraphs in 小四, single-spaced and off the page grid (a
        paragraph on the grid would take a whole 29 pt grid line per line of text)."""
        cell.text = ""
        for i, line in enumerate(str(text).split("\n")):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            pf = p.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            pf.space_before = pf.space_after = Pt(0)
            pf.first_line_indent = Pt(0)
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            p._p.get_or_add_pPr().append(snap)
            size = SIZE_SMALL_4 if i == 0 else Pt(9)
            set_run_font(p.add_run(line), FONT_BODY, size, bold=bold or None)

    def image(self, png: bytes, *, width_mm: float = 150, caption: str = "") -> None:
        """A chart, centred; its paragraph uses single spacing (an exact line would clip it)."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.keep_with_next = bool(caption)
        p.add_run().add_picture(io.BytesIO(png), width=Mm(min(width_mm, BODY_WIDTH.mm)))
        if caption:
            c = self._body_paragraph(indent=False)
            c.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_run_font(c.add_run(caption), FONT_H2, SIZE_4)

    def closing(self, issuer: str | None = None, when: date | None = None) -> None:
        """发文机关署名 and 成文日期: two blank lines below the body, right-aligned, the date
        four characters in from the right edge and the issuer centred over the date."""
        issuer = self.issuer if issuer is None else issuer
        when = when or self.date or date.today()
        self._body_paragraph(indent=False)
        self._body_paragraph(indent=False)
        dated = cn_date(when)
        date_indent = 4  # characters
        p = None
        if issuer:
            p = self._body_paragraph(indent=False)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # Centre the issuer over the date (digits are half as wide as a character).
            shift = (_width(dated) - _width(issuer)) / 2
            p.paragraph_format.right_indent = Pt(SIZE_3.pt * max(date_indent + shift, 0))
            set_run_font(p.add_run(issuer), FONT_BODY, SIZE_3)
        p = self._body_paragraph(indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(SIZE_3.pt * date_indent)
        set_run_font(p.add_run(dated), FONT_BODY, SIZE_3)

    def page_break(self) -> None:
        p = self.doc.add_paragraph()
        _exact_spacing(p)
        p.add_run().add_break(WD_BREAK.PAGE)

    def attachment_page(self, label: str, title: str = "", bookmark: str = "") -> None:
        """A new page for an attachment: “附件” (or 附件：…) in 黑体 at the top left, then its
        title; `bookmark` names the place (the proofreader skips the sources attachment by it)."""
        self.page_break()
        p = self._body_paragraph(indent=False)
        if bookmark:
            start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
            start.set(qn("w:id"), "1")
            start.set(qn("w:name"), bookmark)
            end.set(qn("w:id"), "1")
            p._p.append(start)
            p._p.append(end)
        set_run_font(p.add_run(label), FONT_H1, SIZE_3)
        if title:
            t = self.doc.add_paragraph()
            t.alignment = WD_ALIGN_PARAGRAPH.CENTER
            t.paragraph_format.space_after = Twips(LINE_PITCH_TWIPS)
            set_run_font(t.add_run(title), FONT_TITLE, SIZE_2)

    def record(self, *, cc: str = "", printer: str = "", printed: date | None = None) -> None:
        """版记: 抄送 and 印发机关/印发日期 between rules, at the end of the document."""
        if not (cc or printer):
            return
        self._body_paragraph(indent=False)
        rows: list[tuple[str, str]] = []
        if cc:
            rows.append((f"抄送：{cc}。", ""))
        if printer:
            rows.append((printer, f"{cn_date(printed or self.date or date.today())}印发"))
        for i, (left, right) in enumerate(rows):
            p = self.doc.add_paragraph()
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Twips(LINE_PITCH_TWIPS)
            p.paragraph_format.left_indent = SIZE_4
            p.paragraph_format.right_indent = SIZE_4
            if i == 0:
                _border(p, "top", "000000", 8)
            _border(p, "bottom", "000000", 8 if i == len(rows) - 1 else 4)
            set_run_font(p.add_run(left), FONT_BODY, SIZE_4)
            if right:
                tabs = p.paragraph_format.tab_stops
                from docx.enum.text import WD_TAB_ALIGNMENT

                tabs.add_tab_stop(Emu(BODY_WIDTH - SIZE_4 * 2), WD_TAB_ALIGNMENT.RIGHT)
                set_run_font(p.add_run("\t" + right), FONT_BODY, SIZE_4)

    # --- output ------------------------------------------------------------------------------

    def save(self, path: str | Path | None = None) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        data = out.getvalue()
        if path is not None:
            Path(path).write_bytes(data)
        return data


__all__ = ["Gongwen", "cn_date", "cn_ordinal", "set_run_font"]
