"""Importing data values from files: our CSV, our Excel template (or an Excel sheet with
the CSV columns), DHIS2 dataValueSets JSON and DHIS2 CSV; text in UTF-8 (with or without
BOM), GBK/GB18030 or Big5.

A file is read into rows of codes, the codes are resolved with one query per table, the
rows go through the same checks as web entry (`entry.check`) and are written in bulk in one
transaction (`entry.apply`). Whole or nothing by default; with `partial=True` the valid rows
are applied and every refused row is returned with its row, column and reason. Every import
is recorded as an ImportJob, whatever its outcome.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

from weijian.accounts.models import AuditEvent, record
from weijian.indicators.models import DataElement
from weijian.orgs.models import OrgUnit

from . import clean, periods
from .entry import Columns, DataError, Pending, Problem, apply, check, to_decimal
from .models import DataValueAudit, ImportJob

__all__ = ["ImportResult", "Problem", "DataError", "import_file", "FORMAT_LABELS"]

FORMAT_LABELS = {
    "csv": "CSV",
    "xlsx": "Excel 模板",
    "xlsx-table": "Excel 表格",
    "dhis2-json": "DHIS2 JSON",
    "dhis2-csv": "DHIS2 CSV",
}

# Header names (lower-cased, spaces removed) → field. Our Chinese names, our English names,
# and DHIS2's CSV names (which are the English ones in lower case).
_HEADERS = {
    "数据元编码": "element",
    "数据元代码": "element",
    "dataelement": "element",
    "de": "element",
    "机构编码": "org_unit",
    "机构代码": "org_unit",
    "orgunit": "org_unit",
    "ou": "org_unit",
    "期间": "period",
    "期间编码": "period",
    "period": "period",
    "pe": "period",
    "数值": "value",
    "值": "value",
    "value": "value",
    "备注": "comment",
    "comment": "comment",
    "categoryoptioncombo": "coc",
    "attributeoptioncombo": "aoc",
}
_REQUIRED = ("element", "org_unit", "period", "value")
_OUR_NAMES = {"element": "数据元编码", "org_unit": "机构编码", "period": "期间", "value": "数值"}
# DHIS2 CSV column order when the file has no header.
_DHIS2_POSITIONS = {"element": 0, "period": 1, "org_unit": 2, "coc": 3, "aoc": 4, "value": 5, "comment": 8}
_DHIS2_DEFAULT_COMBOS = {"", "default", "hllvx50cxc0"}

TEMPLATE_PERIOD_LABEL = "期间编码"
TEMPLATE_CODES_LABEL = "数据元编码"
TEMPLATE_ORG_LABEL = "机构编码"


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ImportResult:
    status: str  # "applied" | "partial" | "rejected"
    rows_total: int
    rows_applied: int
    errors: list[Problem]
    job: ImportJob
    file_name: str = ""
    file_format: str = ""
    changes: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != ImportJob.Status.REJECTED

    @property
    def message(self) -> str:
        """One Chinese sentence for the user."""
        name = f"文件“{self.file_name}”"
        if self.status == ImportJob.Status.APPLIED:
            return f"{name}已导入：共 {self.rows_total} 行，全部通过校验。"
        if self.status == ImportJob.Status.PARTIAL:
            return (
                f"{name}部分导入：共 {self.rows_total} 行，导入 {self.rows_applied} 行，"
                f"{len({p.row for p in self.errors})} 行有错误未导入。"
            )
        if self.rows_total == 0 and self.errors:
            return f"{name}未导入：{self.errors[0].reason}"
        return (
            f"{name}未导入：共 {self.rows_total} 行，{len({p.row for p in self.errors})} 行有错误，"
            f"所有数据均未改动。"
        )


@dataclass(slots=True)
class _Raw:
    row: int
    element: str
    org_unit: str
    period: str
    value: object
    comment: str | None = None
    value_column: str | None = None
    combo: str = ""


@dataclass
class _Parsed:
    format: str
    columns: Columns
    rows: list[_Raw]
    row_word: str = "行"


def import_file(
    data: bytes, file_name: str, user, *, partial: bool = False, system: bool = False
) -> ImportResult:
    """Import one file for `user` (scope-checked) and record it as an ImportJob.

    `system=True` (the command line without --user) imports with no scope limit and no user."""
    name = PurePath(file_name or "未命名文件").name
    if user is None and not system:
        return _finish(name, "", user, [Problem(None, "", "需要登录后才能导入数据", name)], 0, None, None)
    with _without_cycle_collection():
        try:
            parsed = _read(data, name)
        except FileProblem as exc:
            return _finish(name, "", user, [Problem(None, "", str(exc), name)], 0, None, None)
        return _import_rows(parsed, name, user, partial=partial, system=system)


@contextmanager
def _without_cycle_collection():
    """A big file makes millions of small objects that live until the import ends; the cyclic
    garbage collector would scan them all again and again (a third of the time of a 1 000 000
    row import). Reference counting still frees everything; cycles are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_rows(parsed: _Parsed, name: str, user, *, partial: bool, system: bool) -> ImportResult:
    cols, word = parsed.columns, parsed.row_word
    total = len(parsed.rows)
    if total == 0:
        return _finish(
            name, parsed.format, user, [Problem(None, "", "文件中没有数据行", name)], 0, None, None
        )
    elements = _by_code(DataElement.objects.all(), {r.element for r in parsed.rows})
    units = _by_code(
        OrgUnit.objects.only("pk", "code", "name", "path", "depth"), {r.org_unit for r in parsed.rows}
    )
    problems: list[Problem] = []
    pending: list[Pending] = []
    for r in parsed.rows:
        element = elements.get(r.element)
        unit = units.get(r.org_unit)
        row_problems = []
        if not r.element:
            row_problems.append(Problem(r.row, cols.element, "数据元编码为空", name, word))
        elif element is None:
            row_problems.append(Problem(r.row, cols.element, f"数据元编码“{r.element}”不存在", name, word))
        if not r.org_unit:
            row_problems.append(Problem(r.row, cols.org_unit, "机构编码为空", name, word))
        elif unit is None:
            row_problems.append(
                Problem(r.row, cols.org_unit, f"机构编码“{r.org_unit}”不存在或不在您的填报范围内", name, word)
            )
        if not r.period:
            row_problems.append(Problem(r.row, cols.period, "期间为空", name, word))
        if r.combo.lower() not in _DHIS2_DEFAULT_COMBOS:
            # We keep no category disaggregation; a value split by sex or age would be half a
            # figure, so it is refused rather than stored as if it were the total.
            row_problems.append(
                Problem(
                    r.row,
                    "categoryoptioncombo",
                    f"分类组合“{r.combo}”不受支持：本系统只接收合计值（default）",
                    name,
                    word,
                )
            )
        try:
            value = to_decimal(r.value)
        except ValueError as exc:
            row_problems.append(Problem(r.row, r.value_column or cols.value, str(exc), name, word))
            value = None
        if row_problems:
            problems.extend(row_problems)
            continue
        pending.append(Pending(r.row, element, unit, r.period, value, r.comment or None, r.value_column))
    checked = check(pending, user, system=system, partial=partial, columns=cols, file=name, row_word=word)
    problems = sorted(problems + checked.problems, key=lambda p: p.row or 0)
    if problems and (not partial or not checked.good):
        return _finish(name, parsed.format, user, problems, total, None, None)
    job = ImportJob.objects.create(
        file_name=name[:255],
        file_format=parsed.format,
        user=_actor(user),
        status=ImportJob.Status.PARTIAL if problems else ImportJob.Status.APPLIED,
        rows_total=total,
    )
    try:
        result = apply(checked, user, DataValueAudit.Source.IMPORT, job=job)
    except DataError as exc:  # another user stored the same values meanwhile: nothing was written
        job.delete()
        refused = [Problem(None, "", p.reason, name) for p in exc.problems]
        return _finish(name, parsed.format, user, problems + refused, total, None, None)
    return _finish(name, parsed.format, user, problems, total, job, result, applied=len(checked.good))


def _finish(name, fmt, user, problems, total, job, result, applied: int = 0) -> ImportResult:
    status = (
        ImportJob.Status.REJECTED
        if job is None
        else ImportJob.Status.PARTIAL
        if problems
        else ImportJob.Status.APPLIED
    )
    # The job keeps the first errors for the record; the caller gets all of them.
    stored_errors = [p.as_dict() for p in problems[:2000]]
    rejected_rows = len({p.row for p in problems})
    if job is None:
        job = ImportJob.objects.create(
            file_name=name[:255],
            file_format=fmt,
            user=_actor(user),
            status=status,
            rows_total=total,
            rows_applied=0,
            rows_rejected=rejected_rows,
            errors=stored_errors,
        )
    else:
        job.status, job.rows_applied, job.rows_rejected, job.errors = (
            status,
            applied,
            rejected_rows,
            stored_errors,
        )
        job.save(update_fields=["status", "rows_applied", "rows_rejected", "errors"])
    changes = (
        {
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
            "unchanged": result.unchanged,
        }
        if result
        else {}
    )
    out = ImportResult(status, total, applied, problems, job, name, fmt, changes)
    record(_actor(user), AuditEvent.Action.IMPORT, job, detail=out.message[:500])
    return out


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _by_code(queryset, codes: set[str]) -> dict:
    codes = [c for c in codes if c]
    found = {}
    for i in range(0, len(codes), 900):
        found.update({obj.code: obj for obj in queryset.filter(code__in=codes[i : i + 900])})
    return found


# --- reading files ----------------------------------------------------------------------------


def _read(data: bytes, name: str) -> _Parsed:
    suffix = PurePath(name).suffix.lower()
    if not data or not data.strip():
        raise FileProblem(f"文件“{name}”是空的")
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise FileProblem(f"文件“{name}”是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再上传")
    if data[:5] == b"%PDF-" or suffix in (".pdf", ".doc", ".docx", ".zip", ".png", ".jpg", ".jpeg"):
        raise FileProblem(f"文件“{name}”不是数据文件：请上传 CSV、Excel（.xlsx）或 DHIS2 JSON 文件")
    text = decode(data, name)
    if suffix == ".json" or text.lstrip()[:1] in ("{", "["):
        return _read_json(text, name)
    return _read_csv(text, name)


def decode(data: bytes, name: str) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5."""
    try:
        return clean.decode_bytes(data, name)
    except clean.DecodeError as exc:
        raise FileProblem(str(exc)) from None


def _header_fields(cells: list[str]) -> dict[str, int]:
    found = {}
    for i, cell in enumerate(cells):
        key = _HEADERS.get(str(cell or "").strip().lstrip("\ufeff").replace(" ", "").lower())
        if key and key not in found:
            found[key] = i
    return found


def _columns_named(header: list[str], fields: dict[str, int]) -> Columns:
    names = {f: str(header[i]).strip() for f, i in fields.items() if f in _OUR_NAMES}
    return Columns(**{f: names.get(f, _OUR_NAMES[f]) for f in _OUR_NAMES})


def _read_csv(text: str, name: str) -> _Parsed:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        table = list(reader)
    except csv.Error as exc:
        raise FileProblem(f"文件“{name}”不是有效的 CSV：{exc}") from None
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise FileProblem(f"文件“{name}”是空的")
    header = table[0]
    fields = _header_fields(header)
    start = 2
    if fields:
        missing = [_OUR_NAMES[f] for f in _REQUIRED if f not in fields]
        if missing:
            raise FileProblem(
                f"文件“{name}”缺少列：{'、'.join(missing)}（需要 数据元编码、机构编码、期间、数值，"
                f"或 dataElement、orgUnit、period、value）"
            )
        fmt = "dhis2-csv" if "coc" in fields or "aoc" in fields else "csv"
        columns = _columns_named(header, fields)
        body = table[1:]
    elif len(header) >= 6 and _is_period(header[1]):
        fmt, fields, columns, body, start = "dhis2-csv", _DHIS2_POSITIONS, _dhis2_columns(), table, 1
    else:
        raise FileProblem(
            f"文件“{name}”第1行不是可识别的表头：需要 数据元编码、机构编码、期间、数值 四列"
            f"（或 dataElement、orgUnit、period、value），或 DHIS2 CSV 格式"
        )
    rows = []
    width = max(fields.values()) + 1
    for offset, cells in enumerate(body):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append(
            _Raw(
                start + offset,
                cells[fields["element"]].strip(),
                cells[fields["org_unit"]].strip(),
                cells[fields["period"]].strip(),
                cells[fields["value"]],
                cells[fields["comment"]].strip() if "comment" in fields else None,
                combo=cells[fields["coc"]].strip() if "coc" in fields else "",
            )
        )
    return _Parsed(fmt, columns, rows)


def _dhis2_columns() -> Columns:
    return Columns("dataelement", "orgunit", "period", "value")


def _is_period(text: str) -> bool:
    try:
        periods.parse(text)
    except periods.PeriodError:
        return False
    return True


def _read_json(text: str, name: str) -> _Parsed:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"文件“{name}”不是有效的 JSON：第{exc.lineno}行第{exc.colno}列附近有误") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues"), list):
        raise FileProblem(f'文件“{name}”不是 DHIS2 数据值集（dataValueSet）：缺少 "dataValues" 列表')
    # A dataValueSet may give period and orgUnit once for all its values.
    default_period = str(doc.get("period") or "")
    default_unit = str(doc.get("orgUnit") or "")
    rows = []
    for i, item in enumerate(doc["dataValues"], start=1):
        if not isinstance(item, dict):
            rows.append(_Raw(i, "", "", "", "", None))
            continue
        rows.append(
            _Raw(
                i,
                str(item.get("dataElement") or "").strip(),
                str(item.get("orgUnit") or default_unit).strip(),
                str(item.get("period") or default_period).strip(),
                item.get("value", ""),
                str(item["comment"]) if item.get("comment") else None,
                combo=str(item.get("categoryOptionCombo") or "").strip(),
            )
        )
    return _Parsed("dhis2-json", Columns("dataElement", "orgUnit", "period", "value"), rows, row_word="条")


def _read_xlsx(data: bytes, name: str) -> _Parsed:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    unreadable = (
        f"文件“{name}”无法作为 Excel（.xlsx）文件打开：文件可能已损坏、未完整上传，"
        f"或不是 .xlsx 格式，请重新保存后上传"
    )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception:
        # Reading is pure parsing of the upload: whatever a damaged, truncated or disguised file
        # makes zipfile, the XML parser or openpyxl raise, the user's answer is the same.
        raise FileProblem(unreadable) from None
    table = [["" if c is None else c for c in r] for r in table]
    while table and not any(str(c).strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise FileProblem(f"文件“{name}”的第一个工作表是空的")

    # Our template: a row "期间编码 | 2024Q1", a row "数据元编码 | | CODE …", then one row per unit.
    labels = {str(r[0]).strip(): i for i, r in enumerate(table[:10]) if r}
    if TEMPLATE_PERIOD_LABEL in labels and TEMPLATE_CODES_LABEL in labels:
        period_row = table[labels[TEMPLATE_PERIOD_LABEL]]
        period = str(period_row[1]).strip() if len(period_row) > 1 else ""
        if not _is_period(period):
            raise FileProblem(
                f"文件“{name}”的期间编码“{period}”无效（第{labels[TEMPLATE_PERIOD_LABEL] + 1}行B列）"
            )
        codes_index = labels[TEMPLATE_CODES_LABEL]
        codes = [str(c).strip() for c in table[codes_index]]
        titles = table[codes_index - 1] if codes_index > 0 else codes
        rows = []
        for index in range(codes_index + 1, len(table)):
            cells = table[index]
            unit = str(cells[0]).strip() if cells else ""
            for col in range(2, len(codes)):
                if not codes[col] or col >= len(cells) or str(cells[col]).strip() == "":
                    continue  # a blank cell is a figure not reported, not a zero
                title = str(titles[col]).strip() if col < len(titles) else codes[col]
                rows.append(
                    _Raw(
                        index + 1,
                        codes[col],
                        unit,
                        period,
                        cells[col],
                        value_column=f"{get_column_letter(col + 1)}列（{title}）",
                    )
                )
        return _Parsed(
            "xlsx", Columns(element="数据元编码", org_unit="A列（机构编码）", period="期间编码"), rows
        )

    fields = _header_fields(table[0])
    missing = [_OUR_NAMES[f] for f in _REQUIRED if f not in fields]
    if missing:
        raise FileProblem(
            f"文件“{name}”不是本系统的填报模板，也不是含 数据元编码、机构编码、期间、数值 列的表格"
            f"（缺少：{'、'.join(missing)}）"
        )
    rows = []
    width = max(fields.values()) + 1
    for offset, cells in enumerate(table[1:]):
        if not any(str(c).strip() for c in cells):
            continue
        cells = cells + [""] * (width - len(cells))
        rows.append(
            _Raw(
                offset + 2,
                str(cells[fields["element"]]).strip(),
                str(cells[fields["org_unit"]]).strip(),
                _cell_period(cells[fields["period"]]),
                cells[fields["value"]],
                str(cells[fields["comment"]]).strip() if "comment" in fields else None,
            )
        )
    return _Parsed("xlsx-table", _columns_named(table[0], fields), rows)


def _cell_period(cell) -> str:
    # Excel turns 2024 or 202401 into numbers; they are still period codes.
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()
