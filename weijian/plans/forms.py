"""Forms of the plan pages: document upload, progress report, 督办 and problem items."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weijian.orgs.models import Department, Level, OrgUnit

from .models import ProblemSource, Rectification


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _year_choices() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    # Older plans can be imported too (to compare years); the current year comes first.
    return [(y, gettext("%(year)s年") % {"year": y}) for y in range(this + 1, 2009, -1)]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("工作要点文件"),
        help_text=_("支持 .docx、.xlsx、.csv、.pdf、.txt（任意中文编码）"),
        error_messages={"required": _("请选择要上传的工作要点文件。")},
    )
    year = forms.TypedChoiceField(
        label=_("计划年度"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=lambda: [("", gettext("按文件识别")), *_year_choices()],
        help_text=_("默认取文件标题中的年度；文件未写年度时为今年"),
    )


class ReviseForm(forms.Form):
    file = forms.FileField(
        label=_("修订后的工作要点"), error_messages={"required": _("请选择修订后的文件。")}
    )


class ReportForm(forms.Form):
    period_code = forms.ChoiceField(label=_("填报期间"))
    percent = forms.IntegerField(
        label=_("完成进度(%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("请填写完成进度。"),
            "invalid": _("完成进度应为整数。"),
            "min_value": _("完成进度不能小于 0。"),
            "max_value": _("完成进度不能大于 100。"),
        },
    )
    text = forms.CharField(
        label=_("进展情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写进展情况。")},
    )
    attachments = MultipleFileField(label=_("附件"), required=False)

    def __init__(self, *args, periods: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_code"].choices = periods
        if periods:
            self.fields["period_code"].initial = periods[-1][0]


def _counties_and_units():
    return OrgUnit.objects.filter(level__gte=Level.COUNTY, active=True).order_by("path")


class _AssigneeMixin:
    def clean(self):
        data = super().clean()
        if bool(data.get(self.dept_field)) == bool(data.get(self.org_field)):
            raise forms.ValidationError(
                gettext("请选择一个%(dept)s或%(org)s（二选一）。")
                % {"dept": self.fields[self.dept_field].label, "org": self.fields[self.org_field].label}
            )
        return data


# A date input shows and sends ISO dates (2025-03-31) whatever the language: without this
# format the value is rendered in the locale's first date format and the browser drops it.
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SupervisionForm(_AssigneeMixin, forms.Form):
    dept_field, org_field = "assignee_department", "assignee_org"
    title = forms.CharField(
        label=_("督办事项"), max_length=300, error_messages={"required": _("请填写督办事项。")}
    )
    description = forms.CharField(
        label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    assignee_department = forms.ModelChoiceField(
        label=_("承办科室"), queryset=Department.objects.all(), required=False
    )
    assignee_org = forms.ModelChoiceField(
        label=_("承办单位"), queryset=OrgUnit.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("办理时限"),
        widget=_DATE,
        error_messages={"required": _("请填写办理时限。"), "invalid": _("办理时限不是有效日期。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_org"].queryset = _counties_and_units()

    def clean_deadline(self):
        d = self.cleaned_data["deadline"]
        if d < timezone.localdate():
            raise forms.ValidationError(gettext("办理时限不能早于今天。"))
        return d


class StepForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("handle", _("办理")),
            ("reply", _("反馈")),
            ("approve", _("复核通过")),
            ("reject", _("复核退回")),
            ("close", _("办结销号")),
        ]
    )
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ProblemForm(_AssigneeMixin, forms.Form):
    dept_field, org_field = "owner_department", "owner_org"
    source = forms.ChoiceField(label=_("问题来源"), choices=ProblemSource.choices)
    source_name = forms.CharField(
        label=_("检查名称"),
        max_length=200,
        required=False,
        help_text=_("如：市委第二巡察组、年度医疗质量督导"),
    )
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写问题描述。")},
    )
    owner_department = forms.ModelChoiceField(
        label=_("责任科室"), queryset=Department.objects.all(), required=False
    )
    owner_org = forms.ModelChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), required=False)
    deadline = forms.DateField(
        label=_("整改时限"),
        widget=_DATE,
        error_messages={"required": _("请填写整改时限。"), "invalid": _("整改时限不是有效日期。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = _counties_and_units()


class RectificationForm(forms.Form):
    status = forms.ChoiceField(label=_("整改状态"), choices=Rectification.choices)
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rectified_at = forms.DateField(
        label=_("完成整改日期"),
        required=False,
        widget=_DATE,
        error_messages={"invalid": _("完成整改日期不是有效日期。")},
    )

    def clean_rectified_at(self):
        d: date | None = self.cleaned_data.get("rectified_at")
        if d and d > timezone.localdate():
            raise forms.ValidationError(gettext("完成整改日期不能晚于今天。"))
        return d
