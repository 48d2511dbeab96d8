"""Reading the commission's own 考核细则 table (Word .docx, Excel .xlsx or .csv) into plain data:
categories (一级指标) → items (二级 / 三级指标) with points, content, the 评分标准 text and its
`criteria.Reading`, and the row each came from. Pure Python (python-docx, openpyxl; no Django).

```python
read_scheme_file(source: str | Path | bytes, name: str | None = None) -> SchemeTable
# raises SchemeFileError (a ValueError) whose .errors are Chinese messages naming the file,
# the row, the column and the reason; nothing is half-read.
```

What is understood:
- Columns by keywords in the header (一级指标 / 二级指标 / 三级指标 / 分值 / 考核内容 / 评分标准 /
  考核方式 / 数据来源 / 备注, and the usual variants: 考核项目, 指标名称, 分数, 评分细则 …).
  The header is the first row that names a points column and a criterion column.
- A merged cell spanning rows (a 一级指标 over several items) and an indicator cell left blank
  under the one above both continue it. A 分值 cell merged over several rows is an error: the
  points of each item would be a guess.
- A header repeated on every page (or at the top of each Word table of a split table) is skipped.
- A 合计 / 总计 / 总分 row is checked against the sum of the items' points (an error when they
  differ); a category written with its points (公共卫生（30分）) is checked too (a warning).
- Points written as 10, 10分, １０, 十分; a veto or bonus item may carry no points (一票否决, —).
- A row with only a 一级指标 filled is a category heading; a row with a name and neither points
  nor 评分标准 is an error (an empty item).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from weijian.textmine.numbers import parse_number, to_halfwidth
from weijian.textmine.read import ReadError, decode_text

from .criteria import Reading, read_criterion


class SchemeFileError(ValueError):
    """A table that cannot be read; `errors` lists every problem found, in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass
class SchemeItem:
    code: str  # "2.3": category number . item number
    name: str
    points: Decimal | None
    content: str
    criterion: str
    reading: Reading
    row: int  # the row in the sheet (Excel / CSV) or in the Word table
    group: str = ""  # the 二级指标 when the item is a 三级指标
    method: str = ""  # 考核方式
    source: str = ""  # 数据来源
    note: str = ""  # 备注
    table: int = 1  # the Word table (1-based) or sheet number


@dataclass
class SchemeCategory:
    name: str
    points: Decimal | None  # as written with the category, else None
    row: int
    items: list[SchemeItem] = field(default_factory=list)

    @property
    def item_points(self) -> Decimal:
        return sum((i.points for i in self.items if i.points is not None), Decimal(0))


@dataclass
class SchemeTable:
    name: str  # the file's name
    categories: list[SchemeCategory]
    total: Decimal  # sum of the items' points
    declared_total: Decimal | None  # the 合计 row, when there is one
    warnings: list[str]
    sheet: str = ""

    @property
    def items(self) -> list[SchemeItem]:
        return [i for c in self.categories for i in c.items]


# --- columns ----------------------------------------------------------------------------------

# Tried in this order on each header cell: the first kind whose pattern matches takes the column.
_COLUMNS: tuple[tuple[str, re.Pattern], ...] = (
    ("serial", re.compile(r"^(?:序号|编号|No\.?)$", re.I)),
    ("level3", re.compile(r"三级")),
    ("level2", re.compile(r"二级|考核指标|指标名称|评价指标|具体指标|^指标$")),
    ("level1", re.compile(r"一级|考核类别|类别|考核项目|项目|维度|领域")),
    ("points", re.compile(r"分值|分数|标准分|满分|权重|^分$")),
    ("criterion", re.compile(r"评分标准|评分细则|评分办法|评分方法|计分方法|计分标准|扣分标准|评分|赋分")),
    ("content", re.compile(r"考核内容|指标内容|工作内容|考核要点|考核要求|内容|要求|指标说明|指标定义")),
    ("method", re.compile(r"考核方式|考核方法|评价方式|核查方式|检查方式|方式|方法")),
    ("source", re.compile(r"数据来源|资料来源|来源|责任科室|牵头科室")),
    ("note", re.compile(r"备注|说明")),
)
_TOTAL_ROW = re.compile(r"^(?:合计|总计|总分|小计合计|合\s*计)$")
_COLUMN_NAMES = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "points": "分值",
    "criterion": "评分标准",
    "content": "考核内容",
}


def _header(cells: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, text in enumerate(cells):
        t = re.sub(r"[\s（(].*$", "", text.strip()) or text.strip()
        for kind, rx in _COLUMNS:
            if not rx.search(t):
                continue
            # 考核类别 | 考核项目 | 三级指标: a second level-like column is the next level down.
            while kind in ("level1", "level2") and kind in cols:
                kind = "level2" if kind == "level1" else "level3"
            if kind not in cols:
                cols[kind] = i
                break
    if "points" in cols and "criterion" in cols and ({"level1", "level2", "level3", "content"} & set(cols)):
        return cols
    return None


# --- reading rows out of each format -----------------------------------------------------------


@dataclass
class _Cell:
    text: str
    continued: bool = False  # a position covered by a merged cell that starts above


@dataclass
class _Grid:
    label: str  # "工作表“细则”" / "表1"
    number: int
    rows: list[tuple[int, list[_Cell]]]  # (row number as the user sees it, cells)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _xlsx_grids(data: bytes, name: str) -> list[_Grid]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise SchemeFileError(
            [f"文件《{name}》不是有效的 Excel 表格（.xlsx），可能已损坏，无法打开"]
        ) from exc
    grids = []
    for n, ws in enumerate(wb.worksheets, 1):
        top: dict[tuple[int, int], str] = {}
        for rng in ws.merged_cells.ranges:
            value = _cell_text(ws.cell(rng.min_row, rng.min_col).value)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        top[(r, c)] = value if r > rng.min_row else "\x00"  # across: not a continuation
        rows = []
        for r, row in enumerate(ws.iter_rows(values_only=True), 1):
            cells = []
            for c, v in enumerate(row, 1):
                if (r, c) in top:
                    t = top[(r, c)]
                    cells.append(_Cell("", False) if t == "\x00" else _Cell(t, True))
                else:
                    cells.append(_Cell(_cell_text(v)))
            rows.append((r, cells))
        grids.append(_Grid(f"工作表“{ws.title}”", n, rows))
    return grids


def _csv_grids(data: bytes, name: str) -> list[_Grid]:
    try:
        text, _ = decode_text(data, name)
    except ReadError as exc:
        raise SchemeFileError([str(exc)]) from exc
    try:
        delimiter = csv.Sniffer().sniff(text[:5000], delimiters=",\t;，").delimiter
    except csv.Error:
        delimiter = ","
    rows = [
        (i, [_Cell(" ".join(c.split())) for c in row])
        for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
    ]
    return [_Grid("", 1, rows)]


def _docx_grids(data: bytes, name: str) -> list[_Grid]:
    try:
        import docx

        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise SchemeFileError([f"文件《{name}》不是有效的 Word 文档（.docx），可能已损坏，无法打开"]) from exc
    grids = []
    for n, table in enumerate(d.tables, 1):
        rows = []
        above: list = []
        for r, row in enumerate(table.rows, 1):
            cells = []
            tcs = []
            for c, cell in enumerate(row.cells):
                tc = cell._tc
                text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                # python-docx gives the top cell again for a vertical merge, and the same cell for
                # every grid column a horizontal merge covers.
                if c > 0 and tcs and tc is tcs[-1]:
                    cells.append(_Cell(""))
                elif c < len(above) and tc is above[c]:
                    cells.append(_Cell(text, True))
                else:
                    cells.append(_Cell(text))
                tcs.append(tc)
            above = tcs
            rows.append((r, cells))
        grids.append(_Grid(f"表{n}", n, rows))
    return grids


_KINDS = tuple(k for k, _ in _COLUMNS)


def _row(cols: dict[str, int], cells: list[_Cell]) -> dict[str, _Cell]:
    """The row's cell of every column kind (an empty cell where the table has no such column)."""
    return {k: cells[cols[k]] if k in cols and cols[k] < len(cells) else _Cell("") for k in _KINDS}


def _grids(source: str | Path | bytes, name: str | None) -> tuple[str, list[_Grid]]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = name or "上传的文件"
    else:
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError:
            raise SchemeFileError([f"无法打开文件《{name}》"]) from None
    if not data.strip():
        raise SchemeFileError([f"文件《{name}》是空的"])
    suffix = Path(name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        try:
            members = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError):
            raise SchemeFileError([f"文件《{name}》已损坏，无法打开"]) from None
        if "xl/workbook.xml" in members:
            return name, _xlsx_grids(data, name)
        if "word/document.xml" in members:
            return name, _docx_grids(data, name)
        raise SchemeFileError([f"文件《{name}》不是 Word（.docx）或 Excel（.xlsx）文件"])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SchemeFileError([f"文件《{name}》是旧版 .doc/.xls 格式，请另存为 .docx 或 .xlsx 后再导入"])
    if suffix in (".docx", ".xlsx"):
        raise SchemeFileError([f"文件《{name}》扩展名为{suffix}，但内容不是有效的{suffix[1:].upper()}文件"])
    if suffix in (".csv", ".txt", ""):
        return name, _csv_grids(data, name)
    raise SchemeFileError([f"文件《{name}》的类型不受支持，请导入 .docx、.xlsx 或 .csv 文件"])


# --- points -----------------------------------------------------------------------------------

_NO_POINTS = re.compile(r"^(?:[-—/／\\]|一票否决|否决|否决项|否决指标|加分项?|扣分项?|不计分)?$")
_POINTS_IN = re.compile(r"(?:最高|最多|上限)?(\d+(?:\.\d+)?)分")


def _points(text: str) -> tuple[Decimal | None, bool]:
    """(points, understood) of a 分值 cell."""
    t = to_halfwidth(text).strip().replace(" ", "")
    if _NO_POINTS.match(t):
        return None, True
    t2 = t[:-1] if t.endswith("分") else t
    try:
        d = Decimal(t2)
        return (d, True) if d.is_finite() and d >= 0 else (None, False)
    except InvalidOperation:
        pass
    v = parse_number(t2)
    if v is not None and v >= 0:
        return Decimal(repr(v)).normalize(), True
    m = _POINTS_IN.search(t)
    if m and re.search(r"加分|扣分|否决|最高|最多|上限", t):
        return Decimal(m.group(1)), True
    return None, False


_CATEGORY_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*$")


def _split_points(name: str) -> tuple[str, Decimal | None]:
    m = _CATEGORY_POINTS.search(to_halfwidth(name))
    if not m:
        return name, None
    return name[: m.start()].strip(), Decimal(m.group(1))


def _fmt(d: Decimal) -> str:
    from .rules import format_number

    return format_number(d)


# --- the table --------------------------------------------------------------------------------


def read_scheme_file(source: str | Path | bytes, name: str | None = None) -> SchemeTable:
    """Read a 考核细则 table; SchemeFileError with every problem (in Chinese) when it is not sound."""
    name, grids = _grids(source, name)
    errors: list[str] = []
    warnings: list[str] = []
    categories: list[SchemeCategory] = []
    declared: Decimal | None = None
    cols: dict[str, int] | None = None
    sheet = ""
    header_cells: list[str] | None = None

    def where(grid: _Grid, row: int, column: str | None = None) -> str:
        place = f"{grid.label}第{row}行" if grid.label else f"第{row}行"
        if column:
            place += f"“{column}”列"
        return f"文件《{name}》{place}"

    last = {"level1": "", "level2": ""}
    for grid in grids:
        for rownum, cells in grid.rows:
            texts = [c.text for c in cells]
            if not any(t.strip() for t in texts):
                continue
            if cols is None:
                cols = _header(texts)
                if cols is not None:
                    header_cells = [t.strip() for t in texts]
                    sheet = grid.label
                continue
            if [t.strip() for t in texts] == header_cells or _header(texts) == cols:
                continue  # the header again, on the next page
            if sheet and grid.label != sheet and grid.label.startswith("工作表"):
                break  # a workbook's other sheets are not part of the table

            row = _row(cols, cells)

            names = [row[k].text.strip() for k in ("level1", "level2", "level3")]
            if any(_TOTAL_ROW.match(n.replace(" ", "")) for n in names if n) or (
                cells and _TOTAL_ROW.match(cells[0].text.replace(" ", ""))
            ):
                p, ok = _points(row["points"].text)
                if not ok or p is None:
                    errors.append(f"{where(grid, rownum, '分值')}：合计“{row['points'].text}”不是数字")
                else:
                    declared = p
                continue
            l1, l2, l3 = (row[k] for k in ("level1", "level2", "level3"))
            has3 = "level3" in cols
            if l1.text.strip():
                last["level1"] = l1.text.strip()
            if has3 and l2.text.strip():
                last["level2"] = l2.text.strip()
            l1_name = last["level1"]
            pcell = row["points"]
            criterion = row["criterion"].text.strip()
            content = row["content"].text.strip()
            if has3:
                item_name = l3.text.strip() if not l3.continued else ""
                group = last["level2"]
            else:
                item_name = l2.text.strip() if not l2.continued else ""
                group = ""
            if "level2" not in cols and "level3" not in cols:
                item_name = content if not row["content"].continued else ""
            if (
                not item_name
                and content
                and not row["content"].continued
                and (criterion or pcell.text.strip())
            ):
                item_name = content
            starts_category = l1.text.strip() and not l1.continued
            if starts_category or not categories:
                cname, cpoints = _split_points(l1_name or "未分类")
                if not categories or categories[-1].name != cname or starts_category:
                    categories.append(SchemeCategory(cname, cpoints, rownum))
            if not item_name and not criterion and not pcell.text.strip():
                continue  # a category heading (or a continued merged row with nothing new)
            if not item_name:
                if criterion and row["criterion"].continued and not pcell.text.strip():
                    continue
                errors.append(f"{where(grid, rownum)}：有评分标准或分值，但没有指标名称")
                continue
            if pcell.continued and pcell.text.strip():
                errors.append(
                    f"{where(grid, rownum, '分值')}：分值单元格跨多行合并，无法确定“{item_name}”的分值，请逐项填写"
                )
                continue
            points, ok = _points(pcell.text)
            if not ok:
                errors.append(f"{where(grid, rownum, '分值')}：“{pcell.text}”不是数字")
                continue
            if points is None and not criterion:
                errors.append(f"{where(grid, rownum)}：“{item_name}”既没有分值也没有评分标准")
                continue
            if not criterion:
                errors.append(f"{where(grid, rownum, '评分标准')}：“{item_name}”没有评分标准")
                continue
            cat = categories[-1]
            item = SchemeItem(
                code=f"{len(categories)}.{len(cat.items) + 1}",
                name=item_name,
                points=points,
                content=content if content != item_name else "",
                criterion=criterion,
                reading=read_criterion(criterion, points),
                row=rownum,
                group=group,
                method=row["method"].text.strip(),
                source=row["source"].text.strip(),
                note=row["note"].text.strip(),
                table=grid.number,
            )
            cat.items.append(item)
    if cols is None:
        missing = "、".join(f"“{v}”" for k, v in _COLUMN_NAMES.items() if k in ("points", "criterion"))
        raise SchemeFileError(
            [f"文件《{name}》中没有找到考核细则表的表头：表头须含{missing}列，以及指标名称列"]
        )
    categories = [c for c in categories if c.items]
    if not categories and not errors:
        errors.append(f"文件《{name}》的考核细则表中没有考核项")
    total = sum((c.item_points for c in categories), Decimal(0))
    if declared is not None and declared != total:
        errors.append(f"文件《{name}》：合计为{_fmt(declared)}分，但各项分值之和为{_fmt(total)}分")
    for c in categories:
        if c.points is not None and c.points != c.item_points:
            warnings.append(
                f"文件《{name}》第{c.row}行：“{c.name}”标明{_fmt(c.points)}分，但其下各项分值之和为{_fmt(c.item_points)}分"
            )
    if errors:
        raise SchemeFileError(errors)
    return SchemeTable(name, categories, total, declared, warnings, sheet)
