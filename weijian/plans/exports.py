"""The plan with its status as an Excel workbook (openpyxl) and a Word document (python-docx)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from weijian.sheets import protect_workbook

from .models import Plan
from .tracking import TaskProgress

_FILLS = {
    "completed": "C6EFCE",
    "on_track": "DDEBF7",
    "lagging": "FFC7CE",
    "not_started": "EDEDED",
    "no_data": "EDEDED",
}


def disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _target_line(tp) -> str:
    t = tp.target
    text = f"{t.phrase} {t.get_cmp_display()}{t.value_display}（{t.scope_display}，{t.deadline:%Y-%m-%d}前）"
    actual = f"完成{tp.actual_display}" if tp.actual is not None else "暂无数据"
    failing = (
        f"，未达标：{'、'.join(u.org_unit.name for u in tp.failing_units)}"
        if tp.units and tp.failing_units
        else ""
    )
    return f"{text}：{actual}，{tp.status_label}{failing}"


def plan_xlsx(plan: Plan, items: list[TaskProgress]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务进度"
    ws.append([f"{plan.title} 任务进度（导出于 {timezone.localdate():%Y年%m月%d日}）"])
    ws["A1"].font = Font(bold=True, size=14)
    header = [
        "编号",
        "任务",
        "责任领导",
        "责任科室",
        "牵头科室",
        "状态",
        "最近进度(%)",
        "逾期未报",
        "目标完成情况",
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E2EC")
    for item in items:
        t = item.task
        ws.append(
            [
                t.num,
                t.title,
                "、".join(t.leader_names()),
                "、".join(t.department_names(lead=False)),
                "、".join(t.department_names(lead=True)),
                item.status_label,
                item.percent if item.percent is not None else "",
                "、".join(item.missing_reports),
                "\n".join(_target_line(tp) for tp in item.targets),
            ]
        )
        ws.cell(ws.max_row, 6).fill = PatternFill("solid", fgColor=_FILLS[item.status])
        ws.cell(ws.max_row, 9).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGHI", [10, 40, 16, 18, 12, 10, 12, 14, 70], strict=True):
        ws.column_dimensions[col].width = width

    ts = wb.create_sheet("目标")
    ts.append(
        [
            "任务编号",
            "指标",
            "指标编码",
            "目标",
            "范围",
            "完成时限",
            "完成值",
            "是否达标",
            "状态",
            "未达标单位",
        ]
    )
    for cell in ts[1]:
        cell.font = Font(bold=True)
    for item in items:
        for tp in item.targets:
            tg = tp.target
            ts.append(
                [
                    item.task.num,
                    tg.phrase,
                    tg.indicator.code if tg.indicator_id else "",
                    f"{tg.get_cmp_display()}{tg.value_display}",
                    tg.scope_display,
                    tg.deadline,
                    float(tp.actual) if tp.actual is not None else None,
                    "" if tp.met is None else ("是" if tp.met else "否"),
                    tp.status_label,
                    "、".join(u.org_unit.name for u in tp.failing_units) if tp.units else "",
                ]
            )
            ts.cell(ts.max_row, 6).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHIJ", [10, 36, 14, 16, 14, 12, 12, 10, 10, 40], strict=True):
        ts.column_dimensions[col].width = width
    protect_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_docx(plan: Plan, items: list[TaskProgress]) -> bytes:
    """The plan's progress as a 公文 in the house style (weijian.gongwen)."""
    from weijian.gongwen import Gongwen
    from weijian.orgs.naming import issuer_for

    issuer = issuer_for(plan.org_unit) if plan.org_unit_id else ""
    g = Gongwen(f"{plan.title}推进情况", issuer=issuer, date=timezone.localdate())
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status_label] = counts.get(item.status_label, 0) + 1
    g.para(
        f"截至{timezone.localdate().year}年{timezone.localdate().month}月{timezone.localdate().day}日，"
        f"共{len(items)}项任务，其中" + "，".join(f"{k}{v}项" for k, v in counts.items()) + "。"
    )
    rows = []
    for item in items:
        t = item.task
        rows.append(
            [
                t.num,
                t.title,
                "、".join(t.leader_names()) + "\n" + "、".join(t.department_names()),
                item.status_label + (f"\n进度{item.percent}%" if item.percent is not None else ""),
                "\n".join(_target_line(tp) for tp in item.targets) or "—",
            ]
        )
    g.table(["编号", "任务", "责任领导/科室", "状态", "目标完成情况"], rows, widths_mm=[14, 40, 30, 18, 54])
    g.closing()
    return g.save()
