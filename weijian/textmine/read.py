"""Reading documents: bytes or a path in, one normalised text out.

This module owns everything between the file a user hands us and the text the rest of the
engine analyses: file-type sniffing, decoding plain text in any of the encodings Chinese offices
use (UTF-8 with or without BOM, GB18030/GBK, Big5), pulling paragraphs and tables out of .docx
and the text layer out of .pdf, and normalising the result (full-width digits and signs, stray
spaces inside numbers, page numbers that PDF extraction glued into the running text).

The normalised text keeps a map back to the original characters (`Document.to_raw`), so a
quantity found in `text` can be shown exactly as it was written in `raw`. Every failure a user
can cause (empty file, scanned PDF, encrypted or corrupt file, unsupported type) raises
`ReadError` with a Chinese message naming the file and the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from .model import Defect


class ReadError(Exception):
    """A document that cannot be read; `str(error)` is a Chinese sentence for the user."""


@dataclass
class Document:
    """A read document: `text` (normalised) and `raw` (as extracted), with a map between them."""

    text: str
    raw: str
    name: str | None = None
    format: str = "txt"  # txt | docx | xlsx | csv | pdf
    encoding: str | None = None
    # Copy/replace segments: (text_start, raw_start, text_len, raw_len), sorted by text_start.
    segments: list[tuple[int, int, int, int]] = field(default_factory=list, repr=False)
    # Problems met while normalising (a page number splitting a figure), in raw offsets.
    defects: list[Defect] = field(default_factory=list)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` to the span of `raw` it came from."""
        if not self.segments:
            return start, end
        a = self._map(start, at_end=False)
        b = self._map(end, at_end=True) if end > start else a
        return a, max(a, b)

    def __post_init__(self) -> None:
        self._starts = [seg[0] for seg in self.segments]

    def _map(self, pos: int, *, at_end: bool) -> int:
        if len(self._starts) != len(self.segments):  # segments replaced after construction
            self._starts = [seg[0] for seg in self.segments]
        starts = self._starts
        i = bisect_right(starts, pos - 1 if at_end and pos > 0 else pos) - 1
        if i < 0:
            return 0
        t0, r0, tl, rl = self.segments[i]
        off = pos - t0
        if tl == rl:  # copied unchanged
            return r0 + min(off, rl)
        if at_end:
            return r0 + rl if off >= tl else r0 + min(off, rl)
        return r0 if off <= 0 else r0 + min(off, rl)


# --------------------------------------------------------------------------- normalisation

# Full-width digits and signs become their ASCII twins; the length does not change, so the
# position map is unaffected.
_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update(
    {ord(a): ord(b) for a, b in zip("％．＋－＝＜＞／﹪\u3000\u00a0", "%.+-=<>/% \x20", strict=True)}
)

# (Applied by a regex over the rare characters it maps: str.translate would look up every one.)
_FULLWIDTH_RX = re.compile("[" + "".join(map(chr, _FULLWIDTH)) + "]")
_FULLWIDTH_CHARS = {chr(k): chr(v) for k, v in _FULLWIDTH.items()}

_CJK = "\u4e00-\u9fff"
# Spaces a PDF or a careless typist put inside a figure: "4.5 %", "2018 年", "12 .5" (not tabs:
# a tab separates table cells).
_STRAY_SPACE = re.compile(rf"(?<=\d)[ ]+(?=[%‰{_CJK}]|\.\d)")
_CRLF = re.compile(r"\r\n?")
# A page number printed as "N、" at the start of a line, which PDF-to-text puts in the flow.
_PAGE_MARK = re.compile(r"(?:^|\n)[ \t]*(\d{1,3})、")
_SENTENCE_END = "。！？；：!?;:”」）)"


def _page_number_edits(text: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, int]]]:
    """Find page numbers glued into the running text.

    They show up as a run of line starts "1、", "2、", "3、" … in page order, where most line
    breaks cut a sentence (or a number) in two and the "lines" are whole pages long. A genuine
    numbered list has short items that end with punctuation. Returns edits removing each mark
    (with its line break) and, for marks that split a figure, (raw_start, mark_start, mark_end).
    """
    marks = [(m.start(), m.end(), int(m.group(1))) for m in _PAGE_MARK.finditer(text)]
    if len(marks) < 3:
        return [], []
    # Longest chain of consecutive numbers in document order.
    best: list[tuple[int, int, int]] = []
    chain: list[tuple[int, int, int]] = []
    for mk in marks:
        if chain and mk[2] == chain[-1][2] + 1:
            chain.append(mk)
        else:
            if len(chain) > len(best):
                best = chain
            chain = [mk] if mk[2] in (1, 2) else []
    if len(chain) > len(best):
        best = chain
    if len(best) < 3:
        return [], []
    breaks = [s for s, _, _ in best if s > 0 and text[s] == "\n"]
    if not breaks:
        return [], []
    cut = sum(1 for s in breaks if text[s - 1] not in _SENTENCE_END and not text[s - 1].isspace())
    span = best[-1][0] - best[0][0]
    if cut * 2 < len(breaks) or span / max(len(best) - 1, 1) < 150:
        return [], []
    edits: list[tuple[int, int, str]] = []
    split_figures: list[tuple[int, int, int]] = []
    for s, e, _ in best:
        edits.append((s, e, ""))
        if (
            s > 0
            and text[s - 1].isdigit()
            and e < len(text)
            and (text[e].isdigit() or "\u4e00" <= text[e] <= "\u9fff")
        ):
            a = s
            while a > 0 and (text[a - 1].isdigit() or text[a - 1] == "."):
                a -= 1
            split_figures.append((a, s, e))
    return edits, split_figures


def normalise(text: str) -> Document:
    """Normalise `text` for analysis; the returned Document maps every position back to `text`."""
    raw = text
    text = _FULLWIDTH_RX.sub(lambda m: _FULLWIDTH_CHARS[m.group()], text)
    edits: list[tuple[int, int, str]] = [
        (m.start(), m.end(), "\n") for m in _CRLF.finditer(text) if m.group() != "\n"
    ]
    page_edits, split_figures = _page_number_edits(text)
    edits += page_edits
    edits += [(m.start(), m.end(), "") for m in _STRAY_SPACE.finditer(text)]
    defects = []
    for a, s, e in split_figures:
        b = e
        while b < len(text) and (text[b].isdigit() or text[b] == "."):
            b += 1
        units = 0
        while b < len(text) and units < 2 and "\u4e00" <= text[b] <= "\u9fff":
            b += 1
            units += 1
        defects.append(
            Defect("malformed_number", raw[a:b], "页码“" + text[s:e].strip() + "”插入数字之间，应删去", a, b)
        )
    if not edits:
        return Document(text=text, raw=raw, segments=[], defects=defects)
    edits.sort()
    pieces: list[str] = []
    segments: list[tuple[int, int, int, int]] = []
    pos = 0  # in raw
    out = 0  # in text
    for s, e, rep in edits:
        if s < pos:  # overlapping edits: the first one wins
            continue
        if s > pos:
            pieces.append(text[pos:s])
            segments.append((out, pos, s - pos, s - pos))
            out += s - pos
        pieces.append(rep)
        segments.append((out, s, len(rep), e - s))
        out += len(rep)
        pos = e
    if pos < len(text):
        pieces.append(text[pos:])
        segments.append((out, pos, len(text) - pos, len(text) - pos))
    return Document(text="".join(pieces), raw=raw, segments=segments, defects=defects)


# --------------------------------------------------------------------------- decoding

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Characters that carry most of any Chinese official text, in both scripts; a decoding whose
# characters mostly fall here is the right one (a Big5 file read as GB18030 gives rare ones).
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
    "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业"
    "本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利"
    "比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文"
    "总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
    "收证改清美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马"
    "节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断"
    "深难近千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候亲快"
    "效院查江型眼王按格养易置派层片始却专状育厂识适属圆包火住调满县局照参红细引听该价严卫健医疗病疫药康"
    "這為個國時來們對會發動過說產種後學經進還從當點業體實現兩機開關與無應問題黨員導處隊給門務報結師區"
    "強說記歷師應衛醫療藥義聯織費規劃計總從優質護幹層縣鄉鎮們療院檢達達"
)


def decode_whole(data: bytes, name: str) -> tuple[str, bool]:
    """The text of the bytes (as `decode_text`, without a byte-order mark), and whether they
    end inside a character: a file cut short in copying or uploading. Then the text is what
    precedes the broken character, so a reader can still name the rows that are whole."""
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(data, encoding):
            break
        for cut in (1, 2, 3):
            if len(data) > cut and _decodes(data[:-cut], encoding):
                return data[:-cut].decode(encoding).lstrip("\ufeff"), True
    return decode_text(data, name)[0].lstrip("\ufeff"), False


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _cjk_score(s: str) -> float:
    cjk = [c for c in s if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(1 for c in cjk if c in _COMMON) / len(cjk)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a plain-text document; returns (text, encoding)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese legacy encodings: decode with each candidate and keep the one whose characters
    # read like Chinese. charset-normalizer's guess joins the candidates; on short texts it
    # often says GBK or Big5 for GB18030 bytes, so GB18030 (a superset of GBK) wins ties.
    candidates = ["gb18030", "big5"]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding not in candidates:
            guess = best.encoding.replace("_", "-")
            if guess in ("gbk", "gb2312", "hz"):
                guess = "gb18030"
            elif guess in ("cp950", "big5hkscs"):
                guess = "big5"
            if guess not in candidates:
                candidates.append(guess)
    except Exception:  # noqa: BLE001 - the detector is advisory only
        pass
    decoded: list[tuple[float, int, str, str]] = []
    for rank, enc in enumerate(candidates):
        try:
            s = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        decoded.append((_cjk_score(s), -rank, s, enc))
    if not decoded:
        s = data.decode("gb18030", errors="replace")
        if s.count("\ufffd") > max(3, len(s) // 50):
            raise ReadError(f"无法识别文件“{name}”的文字编码，请另存为 UTF-8 文本后再上传。")
        return s, "gb18030"
    decoded.sort(reverse=True)
    _, _, s, enc = decoded[0]
    return s, enc


def _check_is_text(text: str, name: str) -> None:
    if not text.strip():
        raise ReadError(f"文件“{name}”是空的，没有可读取的文字。")
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    if "\x00" in text[:20000] or controls > max(5, len(text[:20000]) // 100):
        raise ReadError(f"文件“{name}”不是文本文件，无法读取；请上传 .docx、.xlsx、.csv、.pdf 或 .txt 文件。")


# --------------------------------------------------------------------------- formats

# Table rows reach the text as one line each, cells joined by a tab, every cell in its column
# (a merged or empty cell is an empty string). structure.find_tasks reads such lines as tables,
# and also `a | b | c` rows that a text file carries.
TABLE_SEP = "\t"
# Spreadsheets and PDF tables larger than this are cut (the rest is not read): a plan's task
# table has hundreds of rows, not hundreds of thousands.
MAX_TABLE_ROWS = 20000


def _cell_text(value) -> str:
    """A spreadsheet cell as the commission wrote it: whole numbers without “.0”, dates as
    2024-10-31, line breaks inside a cell folded to spaces."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).replace("\t", " ").split())


def _read_xlsx(data: bytes, name: str) -> str:
    """Every sheet's rows as table lines; a merged range gives its text in its top-left cell only."""
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise ReadError(f"文件“{name}”不是有效的 Excel 表格（.xlsx），可能已损坏，无法打开。") from exc
    lines: list[str] = []
    try:
        for ws in wb.worksheets:
            rows = 0
            for row in ws.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_TABLE_ROWS:
                    break
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cells):
                    lines.append(TABLE_SEP.join(cells))
            lines.append("")
    except Exception as exc:
        raise ReadError(f"Excel 表格“{name}”内容结构异常，无法读取。") from exc
    return "\n".join(lines).strip("\n")


def _read_csv(data: bytes, name: str) -> tuple[str, str]:
    """A CSV in any Chinese encoding, its rows as table lines."""
    import csv

    text, encoding = decode_text(data, name)
    sample = text[:5000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    lines = []
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if i >= MAX_TABLE_ROWS:
            break
        cells = [" ".join(c.replace("\t", " ").split()) for c in row]
        if any(cells):
            lines.append(TABLE_SEP.join(cells))
    return "\n".join(lines), encoding


def _read_docx(data: bytes, name: str) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise ReadError(f"文件“{name}”不是有效的 Word 文档（.docx），可能已损坏，无法打开。") from exc
    lines: list[str] = []

    def table_lines(table: Table) -> None:
        # Cells keep their columns. A merged cell is the same <w:tc> in every grid position it
        # covers (python-docx hands out the top cell for a vertical merge): its text is written
        # once, where it starts, and the other positions stay empty, which is how a 台账 reads
        # (an empty task cell under a task continues it).
        seen: list = []  # the <w:tc> elements met, kept alive so identity stays meaningful
        seen_ids: set[int] = set()
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                tc = cell._tc
                if id(tc) in seen_ids:
                    cells.append("")
                    continue
                seen.append(tc)
                seen_ids.add(id(tc))
                cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
            if any(cells):
                lines.append(TABLE_SEP.join(cells))

    try:
        body = d.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, d).text)
            elif tag == "tbl":
                table_lines(Table(child, d))
    except Exception as exc:
        raise ReadError(f"Word 文档“{name}”内容结构异常，无法读取。") from exc
    return "\n".join(lines)


_LONE_PAGE_NUMBER = re.compile(r"\n[ \t]*[-—－第]?[ \t]*\d{1,4}[ \t]*[-—－页]?[ \t]*$")


def _encrypted(exc: BaseException, data: bytes) -> bool:
    """pdfplumber wraps pdfminer's errors; look through the chain for a password problem."""
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        seen.extend(a for a in e.args if isinstance(a, BaseException))
        e = e.__cause__ or e.__context__
    names = " ".join(type(x).__name__.lower() for x in seen)
    return (
        "password" in names or "encrypt" in names or b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]
    )


def _pdf_page_text(page) -> str:
    """The page's text, its ruled tables as table lines in their place (by vertical position)."""
    tables = page.find_tables()
    if not tables:
        return page.extract_text() or ""
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    blocks: list[tuple[float, str]] = []
    for line in page.filter(outside).extract_text_lines():
        blocks.append((line["top"], line["text"]))
    for table in tables:
        rows = []
        for row in table.extract():
            cells = [" ".join((c or "").split()) for c in row]
            if any(cells):
                rows.append(TABLE_SEP.join(cells))
        blocks.append((table.bbox[1], "\n".join(rows)))
    blocks.sort(key=lambda b: b[0])
    return "\n".join(text for _, text in blocks if text)


def _read_pdf(data: bytes, name: str) -> str:
    import logging

    # pdfminer logs every font quirk as a warning; the user only needs our message.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if _encrypted(exc, data):
            raise ReadError(f"PDF 文件“{name}”已加密，请解除密码保护后再上传。") from exc
        raise ReadError(f"文件“{name}”不是有效的 PDF，可能已损坏，无法打开。") from exc
    pages: list[str] = []
    images = 0
    try:
        with pdf:
            for page in pdf.pages:
                images += len(page.images)
                t = _pdf_page_text(page)
                # The printed page number sits alone on the last line of a page.
                pages.append(_LONE_PAGE_NUMBER.sub("", "\n" + t.rstrip())[1:])
    except Exception as exc:
        if _encrypted(exc, data):
            raise ReadError(f"PDF 文件“{name}”已加密，请解除密码保护后再上传。") from exc
        raise ReadError(f"PDF 文件“{name}”已损坏，读取页面内容时出错。") from exc
    text = "\n".join(pages)
    if not text.strip():
        if images or pages:
            raise ReadError(
                f"PDF 文件“{name}”没有文字层（可能是扫描件），请先进行文字识别（OCR）或上传 Word 原稿。"
            )
        raise ReadError(f"PDF 文件“{name}”没有页面内容。")
    return text


_UNSUPPORTED = {
    ".doc": "旧版 Word 文档（.doc）暂不支持，请在 Word 中另存为 .docx 后再上传。",
    ".wps": "WPS 文档暂不支持，请另存为 .docx 后再上传。",
    ".xls": "旧版 Excel 表格（.xls）暂不支持，请在 Excel 中另存为 .xlsx 后再上传。",
    ".pptx": "演示文稿暂不支持，请上传 .docx、.xlsx、.csv、.pdf 或 .txt 文件。",
    ".ppt": "演示文稿暂不支持，请上传 .docx、.xlsx、.csv、.pdf 或 .txt 文件。",
    ".png": "图片无法读取文字，请上传 .txt、.docx 或带文字层的 .pdf 文件。",
    ".jpg": "图片无法读取文字，请上传 .txt、.docx 或带文字层的 .pdf 文件。",
    ".jpeg": "图片无法读取文字，请上传 .txt、.docx 或带文字层的 .pdf 文件。",
    ".zip": "压缩包暂不支持，请解压后上传其中的文稿。",
    ".rar": "压缩包暂不支持，请解压后上传其中的文稿。",
}


def read(source: str | Path | bytes, *, name: str | None = None) -> Document:
    """Read a .txt / .docx / .pdf document from a path or from bytes into a normalised Document.

    Raises ReadError (Chinese message) for an empty, unreadable, encrypted, scanned or
    unsupported file.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = name or "上传的文件"
    else:
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ReadError(f"找不到文件“{name}”。") from exc
        except IsADirectoryError as exc:
            raise ReadError(f"“{name}”是文件夹，不是文件。") from exc
        except OSError as exc:
            raise ReadError(f"无法打开文件“{name}”：{exc.strerror or '读取失败'}。") from exc
    if not data or not data.strip():
        raise ReadError(f"文件“{name}”是空的，没有可读取的文字。")
    suffix = Path(name).suffix.lower()
    encoding = None
    if data.startswith(b"%PDF"):
        fmt, raw = "pdf", _read_pdf(data, name)
    elif data.startswith(b"PK\x03\x04"):
        try:
            members = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(f"文件“{name}”已损坏，无法打开。") from exc
        if "xl/workbook.xml" in members:
            # .xlsx, and the .xls files that are really .xlsx (saved with the old extension).
            fmt, raw = "xlsx", _read_xlsx(data, name)
        elif "word/document.xml" not in members:
            raise ReadError(
                f"文件“{name}”："
                + _UNSUPPORTED.get(suffix, "不支持的文件类型，请上传 .docx、.xlsx、.csv、.pdf 或 .txt 文件。")
            )
        else:
            fmt, raw = "docx", _read_docx(data, name)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: an old .doc/.xls, or a password-protected .docx.
        if suffix == ".docx":
            raise ReadError(f"Word 文档“{name}”已加密，请解除密码保护后再上传。")
        raise ReadError(f"文件“{name}”：" + _UNSUPPORTED.get(suffix, _UNSUPPORTED[".doc"]))
    elif suffix in (".pdf", ".docx", ".xlsx"):
        raise ReadError(
            f"文件“{name}”扩展名为 {suffix}，但内容不是有效的 {suffix[1:].upper()} 文件，可能已损坏。"
        )
    elif suffix == ".csv":
        raw, encoding = _read_csv(data, name)
        fmt = "csv"
    elif suffix in _UNSUPPORTED:
        raise ReadError(f"文件“{name}”：" + _UNSUPPORTED[suffix])
    elif data[:8] in (b"\x89PNG\r\n\x1a\n",) or data[:3] == b"\xff\xd8\xff" or data[:4] in (b"GIF8", b"Rar!"):
        raise ReadError(
            f"文件“{name}”是图片或压缩包，无法读取文字；请上传 .docx、.xlsx、.csv、.pdf 或 .txt 文件。"
        )
    else:
        raw, encoding = decode_text(data, name)
        fmt = "txt"
    _check_is_text(raw, name)
    doc = normalise(raw)
    doc.name, doc.format, doc.encoding = name, fmt, encoding
    return doc
