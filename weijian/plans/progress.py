"""What a responsible department records against its tasks: progress reports (进度填报) with
attachments, and the achieved value of a target that no catalogue indicator measures."""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from weijian.accounts.models import record
from weijian.data import periods

from . import scope
from .models import ProgressAttachment, ProgressReport, Target, Task

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_SUFFIXES = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".jpg",
    ".jpeg",
    ".png",
    ".txt",
    ".zip",
    ".ofd",
}


class ProgressError(ValueError):
    """A report that cannot be saved; the message names the field and the reason."""


def _check_attachments(files) -> None:
    for f in files:
        suffix = os.path.splitext(f.name)[1].lower()
        if suffix not in ATTACHMENT_SUFFIXES:
            raise ProgressError(
                f"附件“{f.name}”的格式不支持（可上传 PDF、Word、Excel、图片、TXT、ZIP、OFD）。"
            )
        if f.size > MAX_ATTACHMENT_BYTES:
            raise ProgressError(f"附件“{f.name}”超过 20MB。")
        if f.size == 0:
            raise ProgressError(f"附件“{f.name}”是空文件。")


@transaction.atomic
def submit_report(user, task: Task, *, period_code: str, percent, text: str, files=()) -> ProgressReport:
    """Save a department's progress report on its task for a reporting period."""
    if not scope.can_change_task(user, task):
        raise ProgressError("只有该任务的责任科室可以填报进度。")
    if not task.active:
        raise ProgressError("该任务已在修订后的计划中删除，不再填报进度。")
    try:
        p = periods.parse(period_code)
    except periods.PeriodError as exc:
        raise ProgressError(f"填报期间：{exc}") from None
    if p.year != task.plan.year:
        raise ProgressError(f"填报期间 {periods.label(p.code)} 不在计划年度 {task.plan.year} 年内。")
    if p.start > timezone.localdate():
        raise ProgressError(f"填报期间 {periods.label(p.code)} 尚未开始。")
    try:
        pct = int(str(percent).strip())
    except (TypeError, ValueError):
        raise ProgressError(f"完成进度“{percent}”不是整数。") from None
    if not 0 <= pct <= 100:
        raise ProgressError(f"完成进度 {pct} 应在 0 到 100 之间。")
    text = (text or "").strip()
    if not text:
        raise ProgressError("请填写进展情况。")
    files = list(files)
    _check_attachments(files)
    report = ProgressReport.objects.create(
        task=task, period_code=p.code, percent=pct, text=text, reported_by=user, department=user.department
    )
    for f in files:
        ProgressAttachment.objects.create(report=report, file=f, name=f.name[:255], size=f.size)
    record(user, "create", report, detail=f"进度填报 {task.num} {periods.label(p.code)} {pct}%")
    return report


@transaction.atomic
def set_manual_actual(user, target: Target, value) -> Target:
    """The achieved value of a target without a catalogue indicator, entered by its department."""
    if target.task_id is None or not scope.can_change_task(user, target.task):
        raise ProgressError("只有该任务的责任科室可以填报目标完成值。")
    if target.indicator_id is not None:
        raise ProgressError("该目标关联了指标，完成值由数据自动汇总，不能手工填报。")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ProgressError(f"完成值“{value}”不是数字。") from None
    if not number.is_finite():
        raise ProgressError(f"完成值“{value}”不是数字。")
    old = target.manual_actual
    target.manual_actual = number
    target.manual_actual_at = timezone.now()
    target.manual_actual_by = user
    target.save(update_fields=["manual_actual", "manual_actual_at", "manual_actual_by"])
    record(user, "update", target, old=old, new=number, detail=f"目标完成值 {target.phrase}")
    return target
