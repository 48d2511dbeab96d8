"""Lost updates: a value that changed after the user (or the Excel template) last saw it is not
written over without the user knowing.

Two doors carry what their user saw:
- the entry form sends, for each field, the value it showed (`Pending.shown`): a field whose
  stored value differs from that is a conflict, told with who changed it, when, and to what;
- the Excel entry template records when it was generated (a hidden sheet, `TEMPLATE_INFO_SHEET`):
  at import, a cell whose value differs from the stored one while the stored one was changed
  after that time is a conflict (re-uploading an old template must not revert newer figures).

`entry.check` refuses such rows with these messages; the write itself (`entry.apply`) refuses
any value changed between the check and the write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from . import periods
from .models import DataValueAudit

TEMPLATE_INFO_SHEET = "模板信息"
TEMPLATE_GENERATED_LABEL = "生成时间"
UNSEEN = object()  # Pending.shown when the door does not say what its user saw


@dataclass(frozen=True)
class Change:
    """The latest change of one value: by whom, when, through what, to what."""

    who: str
    at: datetime | None
    source: str
    value: Decimal | None

    def said(self) -> str:
        when = f"于 {timezone.localtime(self.at):%Y-%m-%d %H:%M}" if self.at else ""
        how = f"（{self.source}）" if self.source else ""
        return f"{self.who}{how}{when}"


def last_changes(keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], Change]:
    """The latest audited change of each (element, org unit, period) key, in one query per
    hundred units (the keys of one form or one template)."""
    if not keys:
        return {}
    out: dict[tuple[int, int, int], Change] = {}
    labels = dict(DataValueAudit.Source.choices)
    rows = (
        DataValueAudit.objects.filter(
            element_id__in={k[0] for k in keys},
            org_unit_id__in={k[1] for k in keys},
            period_id__in={k[2] for k in keys},
        )
        .order_by("-at", "-pk")
        .values_list("element_id", "org_unit_id", "period_id", "at", "source", "new_value", "user__username")
    )
    names = _display_names({r[6] for r in rows if r[6]})
    for e, o, p, at, source, new, username in rows:
        key = (e, o, p)
        if key in keys and key not in out:
            out[key] = Change(names.get(username, username or "系统"), at, labels.get(source, source), new)
    return out


def _display_names(usernames: set[str]) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=usernames)
    return {u.username: u.display_name for u in users}


def plain(value: Decimal | None) -> str:
    if value is None:
        return "空"
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) or "0"


def form_conflict_reason(change: Change | None, shown: Decimal | None, stored: Decimal | None) -> str:
    who = change.said() if change else "其他用户"
    return (
        f"您打开表单后，{who}已把此项改为 {plain(stored)}（您打开时为 {plain(shown)}）。"
        f"为免覆盖他人的修改，本次未保存：请选择保留哪个值后再保存"
    )


def template_conflict_reason(
    unit_name: str,
    period_code: str,
    element_name: str,
    generated: datetime,
    change: Change,
    stored: Decimal | None,
    in_file: Decimal | None,
) -> str:
    return (
        f"{unit_name} {periods.label(period_code)}“{element_name}”在模板生成"
        f"（{timezone.localtime(generated):%Y-%m-%d %H:%M}）之后已由{change.said()}改为 {plain(stored)}，"
        f"文件中为 {plain(in_file)}；为免用旧模板覆盖较新的数据，本行未导入。请重新下载模板填写，或在网页上核对后修改"
    )


def read_generated_at(workbook) -> datetime | None:
    """When an Excel template was generated (its hidden info sheet), or None."""
    if TEMPLATE_INFO_SHEET not in workbook.sheetnames:
        return None
    for row in workbook[TEMPLATE_INFO_SHEET].iter_rows(min_row=1, max_row=5, values_only=True):
        if row and str(row[0] or "").strip() == TEMPLATE_GENERATED_LABEL and len(row) > 1:
            try:
                stamp = datetime.fromisoformat(str(row[1]).strip())
            except ValueError:
                return None
            return stamp if timezone.is_aware(stamp) else timezone.make_aware(stamp, UTC)
    return None


def write_generated_at(workbook, when: datetime) -> None:
    """Record in the template when it was generated, on a hidden sheet the importer reads."""
    ws = workbook.create_sheet(TEMPLATE_INFO_SHEET)
    ws.append([TEMPLATE_GENERATED_LABEL, when.isoformat(timespec="microseconds")])
    ws.append(["说明", "导入时据此判断：模板生成后被他人修改过的数据不会被文件中的旧值覆盖。"])
    ws.sheet_state = "hidden"
