"""Import and export of the org-unit hierarchy by code, as Excel (.xlsx) or CSV.

Columns (Chinese headers, labels as in the model choices):

    编码 | 名称 | 上级编码 | 层级 | 机构类型 | 等级 | 所有制 | 床位
    990121001 | 云川县人民医院 | 990121 | 机构 | 综合医院 | 二级 | 公立 | 680

Import is all or nothing: every row is checked first and every problem is reported with the
file name, row number, column and reason; only a file without any problem is applied. Existing
codes are updated (and moved when their parent changed); new codes are created parents first,
whatever the row order.

    import_orgs(data: bytes, file_name: str, user=None) -> OrgImportResult
    export_orgs(fmt: str = "xlsx", queryset=None) -> bytes
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from weijian import sheets
from weijian.textmine.read import ReadError, decode_whole

from .models import Grade, InstitutionType, Level, OrgUnit, Ownership

COLUMNS = ["编码", "名称", "上级编码", "层级", "机构类型", "等级", "所有制", "床位"]
REQUIRED_COLUMNS = ["编码", "名称", "上级编码", "层级"]
# Other headers people write for the same column.
HEADER_ALIASES = {
    "机构编码": "编码",
    "代码": "编码",
    "机构代码": "编码",
    "机构名称": "名称",
    "单位名称": "名称",
    "上级机构编码": "上级编码",
    "上级代码": "上级编码",
    "上级机构代码": "上级编码",
    "级别": "层级",
    "类型": "机构类型",
    "机构类别": "机构类型",
    "医院等级": "等级",
    "机构等级": "等级",
    "所有制形式": "所有制",
    "经济类型": "所有制",
    "床位数": "床位",
    "编制床位": "床位",
    "编制床位数": "床位",
}
MAX_CODE, MAX_NAME = 32, 100


@dataclass(frozen=True)
class OrgImportError:
    """One problem: where (file, row, column) and why, in Chinese. Row 0 is the file as a whole."""

    file_name: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"文件“{self.file_name}”"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.reason}"


@dataclass
class OrgImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[OrgImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"文件“{self.file_name}”有 {len(self.errors)} 处问题，未导入任何数据。"
        return (
            f"文件“{self.file_name}”已导入：共 {self.rows} 行，新增 {self.created} 个，更新 {self.updated} 个"
            f"（其中调整上级 {self.moved} 个），未变 {self.unchanged} 个。"
        )


@dataclass
class _Row:
    row: int
    code: str
    name: str
    parent_code: str
    level: int
    fields: dict  # inst_type, grade, ownership, beds: only the columns present in the file


def import_orgs(data: bytes, file_name: str, user=None) -> OrgImportResult:
    """Read an org hierarchy file and apply it whole, or report every problem and change nothing.

    `user` is the person importing (None from the command line); only a system administrator may
    import, anyone else gets PermissionDenied.
    """
    from weijian.accounts.scope import is_admin

    if user is not None and not is_admin(user):
        raise PermissionDenied("只有系统管理员可以导入组织机构")
    result = OrgImportResult(file_name=file_name)

    def problem(row: int, column: str, reason: str) -> None:
        result.errors.append(OrgImportError(file_name, row, column, reason))

    table = _read_table(data, file_name, problem)
    if table is None:
        return result
    rows, result.rows = _parse_rows(table, problem)
    if not result.rows and not result.errors:
        problem(0, "", "文件中没有数据行")
    if not rows:
        return result
    # Checked even after cell errors, so the user sees every problem at once.
    plan = _check_hierarchy(rows, problem)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            _apply(plan, rows, result)
    except DatabaseError as exc:
        result.created = result.updated = result.moved = result.unchanged = 0
        problem(0, "", f"写入数据库失败，未导入任何数据（{exc.__class__.__name__}）")
        return result
    if user is not None:
        from weijian.accounts.models import AuditEvent, record

        record(user, AuditEvent.Action.IMPORT, object_type="orgs.orgunit", detail=result.summary())
    return result


def export_orgs(fmt: str = "xlsx", queryset=None) -> bytes:
    """The hierarchy (or `queryset` of it) in the import format, parents before children."""
    qs = OrgUnit.objects.all() if queryset is None else queryset
    units = list(
        qs.order_by("path").values(
            "code", "name", "path", "depth", "level", "inst_type", "grade", "ownership", "beds"
        )
    )
    parent_paths = {u["path"][: -OrgUnit.steplen] for u in units if u["depth"] > 1}
    code_by_path = dict(OrgUnit.objects.filter(path__in=parent_paths).values_list("path", "code"))
    code_by_path.update({u["path"]: u["code"] for u in units})
    level_labels = dict(Level.choices)
    type_labels, grade_labels, own_labels = (
        dict(InstitutionType.choices),
        dict(Grade.choices),
        dict(Ownership.choices),
    )
    table = [COLUMNS]
    for u in units:
        parent = code_by_path.get(u["path"][: -OrgUnit.steplen], "") if u["depth"] > 1 else ""
        table.append(
            [
                u["code"],
                u["name"],
                parent,
                level_labels.get(u["level"], ""),
                type_labels.get(u["inst_type"], ""),
                grade_labels.get(u["grade"], ""),
                own_labels.get(u["ownership"], ""),
                "" if u["beds"] is None else u["beds"],
            ]
        )
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(sheets.csv_row(r) for r in table)
        # The BOM lets Excel open the UTF-8 file without garbling the Chinese.
        return out.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"不支持的导出格式“{fmt}”（应为 xlsx 或 csv）")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "组织机构"
    for r in table:
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (14, 30, 14, 12, 16, 8, 8, 8), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    sheets.protect_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading -----------------------------------------------------------------------------


def _read_table(data: bytes, file_name: str, problem) -> list[tuple[int, list]] | None:
    """The file as (row number, cells) pairs; None after reporting when it cannot be read."""
    if not data:
        problem(0, "", "文件为空")
        return None
    lower = file_name.lower()
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        problem(0, "", "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
        return None
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, problem)
    return _read_csv(data, problem)


def _read_xlsx(data: bytes, problem) -> list[tuple[int, list]] | None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        table = [(n, list(values)) for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, EOFError):
        problem(0, "", "无法读取 Excel 文件：文件已损坏、不完整或不是 .xlsx 格式")
        return None
    except Exception:  # openpyxl raises many kinds of errors on a damaged archive; none may become a 500
        problem(0, "", "无法读取 Excel 文件：文件已损坏、不完整或不是 .xlsx 格式")
        return None
    return table


def _read_csv(data: bytes, problem) -> list[tuple[int, list]] | None:
    try:
        text, cut_short = decode_whole(data, "")
    except ReadError:
        problem(0, "", "无法识别文件编码（支持 UTF-8、GBK、GB18030），或文件不是文本格式的 CSV")
        return None
    if cut_short:
        problem(0, "", "文件在最后一个字的中间结束，文件不完整（可能上传或复制时被截断），请使用完整的文件")
    if "\x00" in text:
        problem(0, "", "文件不是文本格式的 CSV（含有二进制内容），可能已损坏")
        return None
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        return [(reader.line_num, [sheets.from_csv_cell(v) for v in row]) for row in reader]
    except csv.Error as exc:
        problem(0, "", f"CSV 格式有误（{exc}），文件可能不完整")
        return None


# --- checking ----------------------------------------------------------------------------

_LEVELS = {
    "省": Level.PROVINCE,
    "省级": Level.PROVINCE,
    "市": Level.CITY,
    "市级": Level.CITY,
    "地市": Level.CITY,
    "县(市、区)": Level.COUNTY,
    "县(市,区)": Level.COUNTY,
    "县市区": Level.COUNTY,
    "县区": Level.COUNTY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "县级": Level.COUNTY,
    "县(区)": Level.COUNTY,
    "乡镇(街道)": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP,
    "街道": Level.TOWNSHIP,
    "乡": Level.TOWNSHIP,
    "乡镇街道": Level.TOWNSHIP,
    "机构": Level.INSTITUTION,
    "医疗卫生机构": Level.INSTITUTION,
}
_LEVEL_HINT = "、".join(label for _, label in Level.choices)


def _norm(text: str) -> str:
    return (
        text.replace("（", "(").replace("）", ")").replace("，", ",").replace(" ", "").replace("\u3000", "")
    )


# Other words people write for the same choice.
_SYNONYMS = {
    "inst_type": {
        "中医医院": "tcm",
        "中西医结合医院": "tcm",
        "妇幼保健计划生育服务中心": "mch",
        "妇幼保健所": "mch",
        "疾病预防控制中心": "cdc",
        "疾控": "cdc",
        "卫生院": "township_hc",
        "中心卫生院": "township_hc",
        "社区卫生服务中心(站)": "community_hc",
        "村卫生所": "village",
        "村卫生站": "village",
        "专科": "specialty",
        "综合": "general",
    },
    "grade": {
        "三甲": "3",
        "三乙": "3",
        "三级甲等": "3",
        "三级乙等": "3",
        "二甲": "2",
        "二乙": "2",
        "二级甲等": "2",
        "二级乙等": "2",
        "一甲": "1",
        "一级甲等": "1",
        "未评级": "0",
        "无": "0",
    },
    "ownership": {
        "公办": "public",
        "政府办": "public",
        "国有": "public",
        "私立": "private",
        "社会办": "private",
        "非公立": "private",
        "民办": "private",
    },
}


def _choice(value: str, choices, attr: str) -> str | None:
    """The stored value for a label, a common synonym, or the stored value itself."""
    for stored, label in choices:
        if value in (label, stored):
            return stored
    return _SYNONYMS.get(attr, {}).get(value)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_rows(table: list[tuple[int, list]], problem) -> tuple[list[_Row], int]:
    """Rows that passed the cell checks (rows with bad cells but a usable code are kept, marked
    `_bad`, so that their children are not reported as orphans), and the number of data rows."""
    # The header is the first non-empty row.
    start = 0
    while start < len(table) and not any(_cell_text(c) for c in table[start][1]):
        start += 1
    if start == len(table):
        problem(0, "", "文件中没有内容")
        return [], 0
    header_row, header = table[start]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _norm(_cell_text(cell)).lstrip("\ufeff")
        name = HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in columns:
            columns[name] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        for c in missing:
            problem(header_row, c, f"表头缺少“{c}”列（表头应为：{'、'.join(COLUMNS)}）")
        return [], 0
    rows: list[_Row] = []
    data_rows = 0
    first_row_of: dict[str, int] = {}
    for number, cells in table[start + 1 :]:
        if not any(_cell_text(c) for c in cells):
            continue
        data_rows += 1
        cut = [c for c in REQUIRED_COLUMNS if columns[c] >= len(cells)]
        if cut:
            # A row that stops before the required columns is the usual sign of a truncated file.
            problem(number, cut[0], f"该行只有 {len(cells)} 列，缺少“{'、'.join(cut)}”，文件可能不完整")
            continue
        get = {c: _cell_text(cells[i]) if i < len(cells) else "" for c, i in columns.items()}
        ok = True

        code = get["编码"]
        if not code:
            problem(number, "编码", "编码不能为空")
            ok = False
        elif len(code) > MAX_CODE:
            problem(number, "编码", f"编码“{code}”超过 {MAX_CODE} 个字符")
            ok = False
        elif any(ch.isspace() for ch in code):
            problem(number, "编码", f"编码“{code}”中不能有空格")
            ok = False
        elif code in first_row_of:
            problem(number, "编码", f"编码“{code}”与第{first_row_of[code]}行重复")
            ok = False
        else:
            first_row_of[code] = number

        name = get["名称"]
        if not name:
            problem(number, "名称", "名称不能为空")
            ok = False
        elif len(name) > MAX_NAME:
            problem(number, "名称", f"名称超过 {MAX_NAME} 个字")
            ok = False

        parent_code = get["上级编码"]
        if parent_code and parent_code == code:
            problem(number, "上级编码", "上级编码不能是本机构自己的编码")
            ok = False

        level_text = _norm(get["层级"])
        level = None
        if not level_text:
            problem(number, "层级", f"层级不能为空（应为：{_LEVEL_HINT}）")
            ok = False
        elif level_text.isdigit() and int(level_text) in Level.values:
            level = int(level_text)
        else:
            level = _LEVELS.get(level_text)
            if level is None:
                problem(number, "层级", f"层级“{get['层级']}”无法识别（应为：{_LEVEL_HINT}）")
                ok = False

        fields: dict = {}
        for column, attr, choices in (
            ("机构类型", "inst_type", InstitutionType.choices),
            ("等级", "grade", Grade.choices),
            ("所有制", "ownership", Ownership.choices),
        ):
            if column not in columns:
                continue
            text = _norm(get[column])
            if not text:
                fields[attr] = ""
                continue
            stored = _choice(text, choices, attr)
            if stored is None:
                labels = "、".join(label for _, label in choices)
                problem(number, column, f"{column}“{get[column]}”无法识别（应为：{labels}）")
                ok = False
            else:
                fields[attr] = stored
        if "床位" in columns:
            beds = _parse_beds(get["床位"])
            if beds is False:
                problem(number, "床位", f"床位“{get['床位']}”不是不小于0的整数")
                ok = False
            else:
                fields["beds"] = beds
        if ok:
            rows.append(_Row(number, code, name, parent_code, level, fields))
        elif code and code in first_row_of and first_row_of[code] == number:
            # Keep the code known so later rows naming it as parent are not reported twice.
            rows.append(_Row(number, code, name, parent_code, level or Level.INSTITUTION, {"_bad": True}))
    return rows, data_rows


def _parse_beds(text: str) -> int | None | bool:
    """An integer ≥ 0, None for blank, False for anything else."""
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return False
    if not value.is_finite() or value < 0 or value != value.to_integral_value() or value > 2_000_000_000:
        return False
    return int(value)


@dataclass
class _Plan:
    order: list[_Row]  # rows in the order to apply: parents first
    final_parent: dict[str, str]  # code → parent code ("" for a root) after the import


def _check_hierarchy(rows: list[_Row], problem) -> _Plan:
    """Check parents, levels and cycles against the file and the database together."""
    existing = {u["code"]: u for u in OrgUnit.objects.values("code", "path", "depth", "level", "name")}
    code_by_path = {u["path"]: code for code, u in existing.items()}
    final_parent = {
        code: (code_by_path.get(u["path"][: -OrgUnit.steplen], "") if u["depth"] > 1 else "")
        for code, u in existing.items()
    }
    final_level = {code: u["level"] for code, u in existing.items()}
    names = {code: u["name"] for code, u in existing.items()}
    for r in rows:
        final_parent[r.code] = r.parent_code
        final_level[r.code] = r.level
        names[r.code] = r.name

    level_labels = dict(Level.choices)
    bad = {r.code for r in rows if r.fields.get("_bad")}
    for r in rows:
        if not r.parent_code:
            continue
        if r.parent_code not in final_level:
            problem(r.row, "上级编码", f"上级编码“{r.parent_code}”不存在（文件和系统中都没有这个编码）")
            continue
        if r.code in bad or r.parent_code in bad:
            continue
        parent_level = final_level[r.parent_code]
        if not (r.level > parent_level or r.level == parent_level == Level.INSTITUTION):
            problem(
                r.row,
                "层级",
                f"层级为“{level_labels[r.level]}”的单位不能设在"
                f"“{names[r.parent_code]}”（{level_labels[parent_level]}）之下",
            )

    # Every row's chain of parents must end at a root, not come back to itself.
    depth: dict[str, int] = {}
    reported: set[str] = set()
    for r in rows:
        chain, code = [], r.code
        while code and code not in depth and code not in chain:
            chain.append(code)
            code = final_parent.get(code, "")
        if code and code in chain:
            cycle = chain[chain.index(code) :]
            if not reported.intersection(cycle):
                path = " → ".join([*cycle, code])
                problem(r.row, "上级编码", f"上级关系形成循环：{path}")
            reported.update(cycle)
            for c in chain:
                depth[c] = -1
            continue
        base = depth.get(code, 0) if code else 0
        if base == -1:
            for c in chain:
                depth[c] = -1
            continue
        for offset, c in enumerate(reversed(chain), start=1):
            depth[c] = base + offset
    order = sorted((r for r in rows if not r.fields.get("_bad")), key=lambda r: (depth.get(r.code, 0), r.row))
    return _Plan(order=order, final_parent=final_parent)


# --- applying ----------------------------------------------------------------------------


def _apply(plan: _Plan, rows: list[_Row], result: OrgImportResult) -> None:
    for r in plan.order:
        values = {"name": r.name, "level": r.level, **r.fields}
        node = OrgUnit.objects.filter(code=r.code).first()
        parent = OrgUnit.objects.get(code=r.parent_code) if r.parent_code else None
        if node is None:
            if parent is None:
                OrgUnit.objects.add_root({"code": r.code, **values})
            else:
                OrgUnit.objects.add_child(parent, {"code": r.code, **values})
            result.created += 1
            continue
        changed = [k for k, v in values.items() if getattr(node, k) != v]
        current_parent = OrgUnit.objects.get_parent(node, update=True)
        moved = (current_parent.code if current_parent else "") != r.parent_code
        if changed:
            OrgUnit.objects.filter(pk=node.pk).update(**values)
        if moved:
            # treebeard re-reads both paths, which earlier moves in this import may have changed.
            if parent is None:
                OrgUnit.objects.move(node, OrgUnit.objects.get_first_root_node(), "sorted-sibling")
            else:
                OrgUnit.objects.move(node, parent, "sorted-child")
            result.moved += 1
        if changed or moved:
            result.updated += 1
        else:
            result.unchanged += 1
