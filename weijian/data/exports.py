"""Exporting data values: our CSV, DHIS2 dataValueSets JSON, DHIS2 CSV, and the Excel entry
template of a data set (which `imports.import_file` reads back). Every export of values
takes a DataValue queryset that the caller has already limited to the user's scope."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from weijian.orgs.models import OrgUnit
from weijian.sheets import csv_row, protect_workbook

from . import periods
from .conflicts import write_generated_at
from .imports import TEMPLATE_CODES_LABEL, TEMPLATE_ORG_LABEL, TEMPLATE_PERIOD_LABEL
from .models import DataSet, DataValue

CSV_HEADER = ["数据元编码", "数据元名称", "机构编码", "机构名称", "期间", "数值", "备注"]
DHIS2_CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]
_FIELDS = (
    "element__code",
    "element__name",
    "org_unit__code",
    "org_unit__name",
    "period__code",
    "value",
    "comment",
    "stored_by__username",
    "updated",
)


def _rows(queryset: QuerySet) -> Iterable[tuple]:
    return (
        queryset.order_by("element__code", "org_unit__path", "period__start", "-period__end")
        .values_list(*_FIELDS)
        .iterator(chunk_size=5000)
    )


def plain(value: Decimal | None) -> str:
    """12, 0.5, 1200 — no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def export_csv(queryset: QuerySet) -> bytes:
    """Our CSV (UTF-8 with BOM, so Excel shows the Chinese names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for el_code, el_name, ou_code, ou_name, pe, value, comment, _user, _updated in _rows(queryset):
        writer.writerow(csv_row([el_code, el_name, ou_code, ou_name, pe, plain(value), comment]))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def export_dhis2_json(queryset: QuerySet) -> bytes:
    """A DHIS2 dataValueSet with codes as identifiers (DHIS2's idScheme=CODE)."""
    values = []
    for el_code, _n, ou_code, _o, pe, value, comment, user, updated in _rows(queryset):
        item = {"dataElement": el_code, "period": pe, "orgUnit": ou_code, "value": plain(value)}
        if user:
            item["storedBy"] = user
        if updated:
            item["lastUpdated"] = updated.isoformat(timespec="seconds")
        if comment:
            item["comment"] = comment
        values.append(item)
    return json.dumps({"dataValues": values}, ensure_ascii=False, indent=1).encode("utf-8")


def export_dhis2_csv(queryset: QuerySet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DHIS2_CSV_HEADER)
    for el_code, _n, ou_code, _o, pe, value, comment, user, updated in _rows(queryset):
        writer.writerow(
            csv_row(
                [
                    el_code,
                    pe,
                    ou_code,
                    "",
                    "",
                    plain(value),
                    user or "",
                    updated.isoformat(timespec="seconds") if updated else "",
                    comment,
                    "false",
                ]
            )
        )
    return out.getvalue().encode("utf-8")


def excel_template(dataset: DataSet, org_units: Iterable[OrgUnit], period_code: str) -> bytes:
    """The entry sheet of `dataset` for `org_units` and a period: one row per unit, one column
    per element, filled with the values already stored. Upload it back to import."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    code = periods.parse(period_code).code
    units = list(org_units)
    elements = list(dataset.elements.all())
    stored = {
        (e, o): v
        for e, o, v in DataValue.objects.filter(
            org_unit__in=[u.pk for u in units], period__code=code, element__in=[e.pk for e in elements]
        ).values_list("element_id", "org_unit_id", "value")
    }

    wb = Workbook()
    ws = wb.active
    ws.title = "填报"
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    ws.append([f"{dataset.name}　{periods.label(code)}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([TEMPLATE_PERIOD_LABEL, code, "", "说明：空白单元格表示不填报；请勿改动第2、4行和A列的编码。"])
    ws.append(
        [TEMPLATE_ORG_LABEL, "机构名称", *[f"{e.name}（{e.unit}）" if e.unit else e.name for e in elements]]
    )
    ws.append([TEMPLATE_CODES_LABEL, "", *[e.code for e in elements]])
    for cell in (*ws[3], *ws[4]):
        cell.font = bold
        cell.fill = grey
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws["A2"].font = bold
    for unit in units:
        ws.append([unit.code, unit.name, *[_cell(stored.get((e.pk, unit.pk))) for e in elements]])

    last_row = max(ws.max_row, 5)
    for col, e in enumerate(elements, start=3):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 16
        if e.min_value is None and e.max_value is None and e.value_type != "int":
            continue
        rule = DataValidation(
            type="whole" if e.value_type == "int" else "decimal",
            operator="between",
            allow_blank=True,
            formula1=plain(e.min_value if e.min_value is not None else Decimal("-1E15")),
            formula2=plain(e.max_value if e.max_value is not None else Decimal("1E15")),
            showErrorMessage=True,
            errorTitle="数值不符合要求",
            error=f"“{e.name}”应为{'整数' if e.value_type == 'int' else '数值'}"
            + (f"，不小于 {plain(e.min_value)}" if e.min_value is not None else "")
            + (f"，不大于 {plain(e.max_value)}" if e.max_value is not None else ""),
        )
        rule.add(f"{letter}5:{letter}{last_row}")
        ws.add_data_validation(rule)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "C5"
    # When it was generated: importing it later, values changed since are not reverted.
    write_generated_at(wb, timezone.now())
    protect_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


__all__ = ["export_csv", "export_dhis2_json", "export_dhis2_csv", "excel_template"]
