"""Data entry: choose a data set, a unit the user may report for, and a period; the form shows
the set's elements with their current values and saves through `data.entry.save_values`,
showing each field's problem in Chinese. Also the Excel template for offline filling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from weijian.data import periods
from weijian.data.conflicts import Change
from weijian.data.models import DataSet, DataValue, DataValueAudit, PeriodType
from weijian.indicators.models import DataElement
from weijian.orgs.models import OrgUnit

from .common import indent, writable_org_or_404

_RECENT = {PeriodType.MONTH: 24, PeriodType.QUARTER: 8, PeriodType.HALF: 6, PeriodType.YEAR: 5}
_PER_YEAR = {PeriodType.MONTH: 12, PeriodType.QUARTER: 4, PeriodType.HALF: 2, PeriodType.YEAR: 1}


def recent_periods(ptype: str, today: date | None = None) -> list[str]:
    """The latest periods of a type that have begun, newest first (the one just ended is the
    usual one to report, so it comes second only to the running one)."""
    today = today or date.today()
    per_year = _PER_YEAR[ptype]
    index = (today.month - 1) * per_year // 12 + 1
    year, codes = today.year, []
    for _step in range(_RECENT[ptype]):
        codes.append(periods.code_for(ptype, year, index))
        index -= 1
        if index == 0:
            year, index = year - 1, per_year
    return codes


def _units_for(user, dataset: DataSet | None):
    units = OrgUnit.objects.writable_by(user).filter(active=True)
    if dataset is not None and dataset.org_levels:
        units = units.filter(level__in=dataset.org_levels)
    if dataset is not None and dataset.inst_types:
        units = units.filter(inst_type__in=dataset.inst_types)
    return units.order_by("path")


@dataclass
class Field:
    element: DataElement
    name: str
    current: Decimal | None
    text: str
    error: str = ""
    # The value the form showed when it was opened (sent back hidden as s_<pk>): a field is
    # saved only when the user changed it, and is a conflict when the stored value moved since.
    shown_text: str = ""
    conflict: Change | None = None

    @property
    def shown_name(self) -> str:
        return f"s_{self.element.pk}"

    @property
    def choice_name(self) -> str:
        return f"c_{self.element.pk}"

    @property
    def current_text(self) -> str:
        return _plain(self.current)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def parse_number(text: str) -> Decimal | None:
    """A number as typed: blank → None (clears the value). The one parser of every door
    (`data.clean.parse_decimal`): full-width digits, "1,234", precision checked."""
    from weijian.data.clean import parse_decimal

    return parse_decimal(text, blank=True)


def _selection(request: HttpRequest, params) -> dict:
    """Read data set, unit and period from the request. A unit the user may not report for is
    a 404. When the data set changes, a unit that does not report it, or a period of another
    type, gives way to the first unit or the usual period, with a note saying so; a form posted
    for them is refused."""
    user = request.user
    posted = request.method == "POST"
    datasets = DataSet.objects.order_by("code")
    dataset = datasets.filter(code=params.get("dataset", "")).first() or datasets.first()
    units = _units_for(user, dataset)
    notes = []
    org = writable_org_or_404(user, params["org_unit"]) if params.get("org_unit") else units.first()
    if org is not None and dataset is not None and not units.filter(pk=org.pk).exists():
        if posted:
            raise Http404("该机构不填报这个数据集")
        notes.append(
            _("%(org)s不填报“%(dataset)s”，已改为本数据集的填报单位")
            % {"org": org.name, "dataset": dataset.name}
        )
        org = units.first()
    ptype = dataset.period_type if dataset else PeriodType.MONTH
    type_name = PeriodType(ptype).label
    choices = recent_periods(ptype)
    usual = choices[1] if len(choices) > 1 else choices[0]
    period_code, period_error = params.get("period", "").strip().upper(), ""
    if period_code:
        try:
            parsed = periods.parse(period_code)
            if parsed.type != ptype:
                if posted:
                    period_error = _("数据集“%(dataset)s”按%(type)s填报，期间“%(period)s”不是%(type)s") % {
                        "dataset": dataset.name,
                        "type": type_name,
                        "period": period_code,
                    }
                else:
                    notes.append(
                        _("“%(dataset)s”按%(type)s填报，期间已改为%(period)s")
                        % {"dataset": dataset.name, "type": type_name, "period": periods.label(usual)}
                    )
                period_code = "" if posted else usual
            elif period_code not in choices:
                choices = [period_code, *choices]
        except periods.PeriodError as exc:
            period_error, period_code = str(exc), ""
    else:
        period_code = usual
    top = min((u.depth for u in units), default=1)
    return {
        "datasets": datasets,
        "dataset": dataset,
        "org": org,
        "period_code": period_code,
        "period_error": period_error,
        "notes": notes,
        "unit_choices": [(u.code, indent(u, top)) for u in units],
        "period_choices": [(c, periods.label(c)) for c in choices],
    }


def _fields(dataset: DataSet, org: OrgUnit, period_code: str) -> list[Field]:
    current = dict(
        DataValue.objects.filter(
            org_unit=org, period__code=period_code, element__in=dataset.elements.all()
        ).values_list("element_id", "value")
    )
    return [
        Field(
            e, f"v_{e.pk}", current.get(e.pk), _plain(current.get(e.pk)), shown_text=_plain(current.get(e.pk))
        )
        for e in dataset.elements.order_by("code")
    ]


def _last_change(org: OrgUnit, period_code: str):
    return (
        DataValueAudit.objects.filter(org_unit=org, period__code=period_code)
        .select_related("user")
        .order_by("-at")
        .first()
    )


def data_entry(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    ctx = _selection(request, params)
    dataset, org, period_code = ctx["dataset"], ctx["org"], ctx["period_code"]
    fields: list[Field] = []
    form_error = ""
    if dataset and org and period_code:
        fields = _fields(dataset, org, period_code)
        if request.method == "POST":
            form_error = _save(request, fields, org, period_code)
    ctx.update(
        {
            "fields": fields,
            "form_error": form_error,
            "period_label": periods.label(period_code) if period_code else "",
            "violations": _violations(org, period_code) if fields else [],
            "last_change": _last_change(org, period_code) if fields else None,
        }
    )
    # htmx swaps only the part it asked for: the selectors with the form, or the form alone.
    partials = {"entry-area": "web/_entry_area.html", "entry": "web/_entry_form.html"}
    template = partials.get(request.htmx.target if request.htmx else "", "web/data_entry.html")
    return render(request, template, ctx)


def _violations(org: OrgUnit, period_code: str) -> list:
    from weijian.data.validation import violations

    return violations(org, period_code)


def _save(request: HttpRequest, fields: list[Field], org: OrgUnit, period_code: str) -> str:
    """Save the fields the user changed, in one go; on any problem nothing is saved and each
    field carries its message. A field the user did not touch is never written (it would undo
    whatever another user saved meanwhile); a changed field whose stored value moved since the
    form was shown is a conflict: the user sees who changed it, when and to what, and chooses.
    Returns the message for the whole form ("" when saved)."""
    from weijian.data.entry import DataError, save_values

    rows, row_fields, shown = [], [], {}
    for f in fields:
        f.text = request.POST.get(f.name, "")
        posted_shown = request.POST.get(f.shown_name)
        # A form without the shown values (an old page) is judged against what is stored now.
        f.shown_text = f.current_text if posted_shown is None else posted_shown
        try:
            value = parse_number(f.text)
            seen = parse_number(f.shown_text)
        except ValueError as exc:
            f.error = str(exc)
            continue
        if request.POST.get(f.choice_name) == "theirs":
            # The user chose the other user's value: keep it, write nothing for this field.
            f.text = f.shown_text = f.current_text
            continue
        if value == seen:
            f.text = f.current_text  # untouched: show what is stored now
            f.shown_text = f.current_text
            continue
        if value != f.current:
            rows.append((f.element, org, period_code, value))
            row_fields.append(f)
            shown[len(rows)] = seen
    if any(f.error for f in fields):
        return _("有数据项填写有误，未保存。请按提示改正后再保存。")
    if not rows:
        messages.info(request, _("数据没有变化，无需保存"))
        return ""
    try:
        save_values(request.user, rows, source=DataValueAudit.Source.FORM, shown=shown)
    except DataError as exc:
        _mark_conflicts(row_fields, shown, org, period_code)
        for problem in exc.problems:
            target = _field_for(problem, row_fields)
            if target is not None:
                target.error = problem.reason
        unplaced = [p.reason for p in exc.problems if _field_for(p, row_fields) is None]
        conflicted = [f.element.name for f in row_fields if f.conflict is not None]
        if conflicted:
            return _(
                "以下数据项在您打开表单后已被他人修改，本次未保存：%(names)s。请逐项选择保留哪个值，再保存。"
            ) % {"names": "、".join(conflicted)}
        return (
            _("未保存：") + "；".join(unplaced)
            if unplaced
            else _("有数据项不符合要求，未保存。请按提示改正后再保存。")
        )
    for f in row_fields:
        f.current = parse_number(f.text)
        f.text = f.shown_text = f.current_text
    messages.success(
        request,
        _("已保存 %(org)s %(period)s 的 %(n)s 项数据")
        % {"org": org.name, "period": periods.label(period_code), "n": len(rows)},
    )
    return ""


def _mark_conflicts(row_fields: list[Field], shown: dict, org: OrgUnit, period_code: str) -> None:
    """Fields whose stored value is no longer the one shown: attach the latest change (who,
    when, what), and take the stored value as the new shown one, so that saving again with
    "keep mine" overwrites it knowingly."""
    from weijian.data.conflicts import last_changes
    from weijian.data.models import Period

    stale = [(i, f) for i, f in enumerate(row_fields, start=1) if f.current != shown[i]]
    period = Period.objects.filter(code=period_code).first()
    if not stale or period is None:
        return
    changes = last_changes({(f.element.pk, org.pk, period.pk) for _i, f in stale})
    for _i, f in stale:
        f.conflict = changes.get((f.element.pk, org.pk, period.pk)) or Change("其他用户", None, "", f.current)
        f.shown_text = f.current_text


def _field_for(problem, row_fields: list[Field]) -> Field | None:
    """The form field a save problem is about: problems number the rows from 1."""
    row = getattr(problem, "row", None)
    if isinstance(row, int) and 1 <= row <= len(row_fields):
        return row_fields[row - 1]
    return None


def data_template(request: HttpRequest) -> HttpResponse:
    """The Excel template of a data set for the chosen unit (and the units below it that report
    the set and that the user may fill), with current values."""
    from weijian.data.exports import excel_template

    dataset = DataSet.objects.filter(code=request.GET.get("dataset", "")).first()
    if dataset is None:
        raise Http404("没有这个数据集")
    org = writable_org_or_404(request.user, request.GET.get("org_unit", ""))
    try:
        period_code = periods.parse(request.GET.get("period", "")).code
    except periods.PeriodError as exc:
        raise Http404(str(exc)) from None
    units = list(_units_for(request.user, dataset).filter(path__startswith=org.path))
    if not units:
        raise Http404("该机构及其下级没有填报这个数据集的单位")
    content = excel_template(dataset, units, period_code)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.code}_{org.code}_{period_code}.xlsx"'
    return response
