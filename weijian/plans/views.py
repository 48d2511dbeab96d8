"""Pages of the live plan: the plan list, a plan's dashboard, task lists (all, mine, by
department, by county), the task page with its targets and progress reports, and exports."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weijian.accounts.models import record
from weijian.accounts.scope import is_admin
from weijian.data import periods
from weijian.orgs.models import Department, Leader, Level, OrgUnit, ancestor_paths

from . import exports, importing, progress, scope, tracking
from .forms import ReportForm
from .models import Plan, PlanDraft, ProgressAttachment, ReportInterval, Scope, SupervisionItem, Target, Task


def _plan(request: HttpRequest, pk: int, whole: bool = True) -> Plan:
    plan = get_object_or_404(Plan.objects.for_user(request.user).select_related("org_unit"), pk=pk)
    if whole and not scope.reads_whole_plan(request.user):
        raise PermissionDenied(_("县区和机构用户只能查看本单位的目标，请从“按县区”页面进入。"))
    return plan


def _visible_units(user) -> set[int] | None:
    if scope.reads_whole_plan(user):
        return None
    return set(OrgUnit.objects.for_user(user).values_list("pk", flat=True))


def index(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.for_user(request.user).select_related("org_unit")
    drafts = PlanDraft.objects.filter(user=request.user) if importing.can_import(request.user) else []
    mine = Task.objects.active().mine(request.user).filter(plan__in=plans)
    return render(
        request,
        "plans/index.html",
        {
            "plans": plans,
            "drafts": drafts,
            "my_count": mine.count(),
            "whole": scope.reads_whole_plan(request.user),
            "can_import": importing.can_import(request.user),
        },
    )


def plan_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    items = tracking.tasks_with_progress(plan.tasks.active())
    counts = tracking.status_counts(items)
    targets = [t for item in items for t in item.targets]
    target_counts = {s: sum(1 for t in targets if t.status == s) for s in tracking.Status.ORDER}
    by_dept: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in tracking.Status.ORDER})
    for item in items:
        for name in item.task.department_names() or [_("未指定")]:
            by_dept[name][item.status] += 1
    # 无数据 (a past year's plan) is charted only where it occurs; it is the last status.
    shown = [
        s for s in tracking.Status.ORDER if s != tracking.Status.NO_DATA or counts[s] or target_counts[s]
    ]
    chart = {
        "statuses": [tracking.Status.LABELS[s] for s in shown],
        "tasks": [counts[s] for s in shown],
        "targets": [target_counts[s] for s in shown],
        "departments": list(by_dept),
        "by_department": {tracking.Status.LABELS[s]: [by_dept[d][s] for d in by_dept] for s in shown},
    }
    open_items = (
        SupervisionItem.objects.for_user(request.user).filter(plan=plan).exclude(stage="closed").count()
    )
    measured = [t for t in targets if t.target.indicator_id]
    blank = bool(measured) and not any(
        t.actual is not None or any(u.actual is not None for u in t.units) for t in measured
    )
    area = tracking.plan_area(plan) if blank else None
    return render(
        request,
        "plans/dashboard.html",
        {
            "plan": plan,
            "no_data_area": (area.name if area else _("本区域")) if blank else "",
            "counts": counts,
            "target_counts": target_counts,
            "total": len(items),
            "labels": tracking.Status.LABELS,
            "chart": chart,
            "open_items": open_items,
            "lagging": [i for i in items if i.status == tracking.Status.LAGGING],
            "due_soon": [i for i in items if i.due_soon],
            "late": [i for i in items if i.late],
            "lagging_targets": [t for t in targets if t.status == tracking.Status.LAGGING],
            "can_import": importing.can_import(request.user),
            "can_raise": scope.can_raise_supervision(request.user),
            "intervals": ReportInterval.choices,
        },
    )


@require_POST
def set_interval(request: HttpRequest, pk: int) -> HttpResponse:
    """How often tasks without a measured target report progress (每月/每季度/每半年)."""
    plan = _plan(request, pk)
    if not is_admin(request.user):
        raise PermissionDenied(_("只有系统管理员可以修改进度填报周期。"))
    interval = request.POST.get("report_interval", "")
    if interval not in ReportInterval.values:
        messages.error(
            request,
            _("进度填报周期“%(interval)s”无效（应为每月、每季度或每半年）。") % {"interval": interval},
        )
    else:
        old = plan.get_report_interval_display()
        plan.report_interval = interval
        plan.save(update_fields=["report_interval"])
        record(
            request.user,
            "update",
            plan,
            old=old,
            new=plan.get_report_interval_display(),
            detail="进度填报周期",
        )
        messages.success(
            request, _("进度填报周期已改为%(interval)s。") % {"interval": plan.get_report_interval_display()}
        )
    return redirect("plans:plan", pk=plan.pk)


def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    tasks = plan.tasks.active()
    dept = request.GET.get("department") or ""
    leader = request.GET.get("leader") or ""
    status = request.GET.get("status") or ""
    if dept.isdigit():
        tasks = tasks.filter(taskdepartment__department_id=int(dept))
    if leader.isdigit():
        tasks = tasks.filter(taskleader__leader_id=int(leader))
    items = tracking.tasks_with_progress(tasks.distinct())
    if status in tracking.Status.LABELS:
        items = [i for i in items if i.status == status]
    return render(
        request,
        "plans/tasks.html",
        {
            "plan": plan,
            "items": items,
            "labels": tracking.Status.LABELS,
            "departments": Department.objects.filter(tasks__plan=plan).distinct(),
            "leaders": Leader.objects.filter(tasks__plan=plan).distinct(),
            "f": {"department": dept, "leader": leader, "status": status},
        },
    )


def my_tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in ("leader", "dept"):
        if user.org_unit_id:
            plan = Plan.objects.for_user(user).first()
            if plan:
                return redirect("plans:by_county", pk=plan.pk)
        messages.info(request, _("“我的任务”适用于委领导和科室用户。"))
        return redirect("plans:index")
    year = timezone.localdate().year
    tasks = Task.objects.active().mine(user).filter(plan__year__gte=year - 1)
    items = tracking.tasks_with_progress(tasks)
    who = (
        user.leader.name
        if user.role == "leader" and user.leader_id
        else (user.department.name if user.department_id else user.display_name)
    )
    return render(
        request,
        "plans/mine.html",
        {
            "items": items,
            "who": who,
            "labels": tracking.Status.LABELS,
            "counts": tracking.status_counts(items),
        },
    )


def by_department(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    items = tracking.tasks_with_progress(plan.tasks.active())
    rows: dict[int, dict] = {}
    for item in items:
        for td in item.task.taskdepartment_set.all():
            row = rows.setdefault(
                td.department_id,
                {
                    "department": td.department,
                    "total": 0,
                    "lead": 0,
                    **{s: 0 for s in tracking.Status.ORDER},
                    "late": 0,
                },
            )
            row["total"] += 1
            row["lead"] += td.is_lead
            row[item.status] += 1
            row["late"] += item.late
    ordered = sorted(rows.values(), key=lambda r: (r["department"].order, r["department"].name))
    return render(
        request,
        "plans/by_department.html",
        {
            "plan": plan,
            "rows": ordered,
            "labels": tracking.Status.LABELS,
            "any_no_data": any(r[tracking.Status.NO_DATA] for r in ordered),
        },
    )


def by_county(request: HttpRequest, pk: int) -> HttpResponse:
    """Per county: its result on every per-unit target (and on targets split for it), and
    which of its townships fall short. A county user sees only its own county."""
    plan = _plan(request, pk, whole=False)
    area = tracking.plan_area(plan)
    counties = OrgUnit.objects.none()
    if area is not None:
        counties = OrgUnit.objects.for_user(request.user).filter(
            path__startswith=area.path, level=Level.COUNTY
        )
    if not scope.reads_whole_plan(request.user) and request.user.org_unit_id:
        # An institution user belongs to one county: show that county's part only.
        own = request.user.org_unit
        counties = (
            OrgUnit.objects.filter(level=Level.COUNTY, path__in=ancestor_paths(own.path))
            if own.level > Level.COUNTY
            else counties
        )
    visible = _visible_units(request.user)
    targets = (
        Target.objects.for_user(request.user)
        .filter(plan=plan)
        .active()
        .filter(scope__in=[Scope.COUNTY, Scope.TOWNSHIP, Scope.UNIT])
        .select_related("indicator", "org_unit", "plan", "task")
    )
    progress_list = tracking.targets_progress(targets)
    counties = list(counties)
    blocks = []
    for county in counties:
        rows = []
        for tp in progress_list:
            t = tp.target
            if t.scope == Scope.UNIT:
                if t.org_unit_id and county.contains(t.org_unit):
                    rows.append({"tp": tp, "actual": tp.actual, "met": tp.met, "failing": [], "units": []})
                continue
            units = [
                u
                for u in tp.units
                if county.contains(u.org_unit) and (visible is None or u.org_unit.pk in visible)
            ]
            if t.scope == Scope.COUNTY:
                unit = next((u for u in units if u.org_unit.pk == county.pk), None)
                rows.append(
                    {
                        "tp": tp,
                        "actual": unit.actual if unit else None,
                        "met": unit.met if unit else None,
                        "failing": [],
                        "units": [],
                    }
                )
            else:
                failing = [u for u in units if u.met is not True]
                rows.append(
                    {
                        "tp": tp,
                        "actual": None,
                        "met": (not failing) if units else None,
                        "failing": failing,
                        "units": units,
                        "met_count": len(units) - len(failing),
                    }
                )
        items = (
            SupervisionItem.objects.for_user(request.user)
            .filter(plan=plan, assignee_org__path__startswith=county.path)
            .exclude(stage="closed")
            .count()
        )
        blocks.append(
            {
                "county": county,
                "rows": rows,
                "open_items": items,
                "failing": sum(1 for r in rows if r["met"] is False),
            }
        )
    return render(
        request,
        "plans/by_county.html",
        {"plan": plan, "blocks": blocks, "whole": scope.reads_whole_plan(request.user)},
    )


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_user(request.user).select_related("plan", "section"), pk=pk)
    visible = _visible_units(request.user)
    whole = scope.reads_whole_plan(request.user)
    if whole:
        tp = tracking.tasks_with_progress(Task.objects.filter(pk=task.pk))[0]
        targets = tp.targets
    else:
        # A county/institution user sees the targets of its subtree, with its own units' results.
        tp = None
        readable = (
            Target.objects.for_user(request.user)
            .filter(task=task)
            .select_related("indicator", "org_unit", "plan")
        )
        targets = tracking.targets_progress(
            readable, visible_units=visible, viewer_unit=request.user.org_unit
        )
    can_change = scope.can_change_task(request.user, task)
    today = timezone.localdate()
    period_choices = [(c, periods.label(c)) for c in tracking.report_periods(task.plan, today)]
    form = ReportForm(periods=period_choices) if can_change and task.active else None
    reports = (
        task.reports.select_related("reported_by", "department").prefetch_related("attachments")
        if whole
        else []
    )
    items = (
        SupervisionItem.objects.for_user(request.user)
        .filter(task=task)
        .select_related("assignee_department", "assignee_org")
    )
    return render(
        request,
        "plans/task.html",
        {
            "task": task,
            "tp": tp,
            "targets": targets,
            "reports": reports,
            "form": form,
            "can_change": can_change,
            "whole": whole,
            "items": items,
            "can_raise": scope.can_raise_supervision(request.user),
            "labels": tracking.Status.LABELS,
        },
    )


@require_POST
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_user(request.user).select_related("plan"), pk=pk)
    if not scope.can_change_task(request.user, task):
        raise PermissionDenied(_("只有该任务的责任科室可以填报进度。"))
    today = timezone.localdate()
    choices = [(c, periods.label(c)) for c in tracking.report_periods(task.plan, today)]
    form = ReportForm(request.POST, request.FILES, periods=choices)
    if form.is_valid():
        try:
            progress.submit_report(
                request.user,
                task,
                period_code=form.cleaned_data["period_code"],
                percent=form.cleaned_data["percent"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
        except progress.ProgressError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("进度已填报。"))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return redirect("plans:task", pk=task.pk)


@require_POST
def target_actual(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target.objects.for_user(request.user).select_related("task", "plan"), pk=pk)
    try:
        progress.set_manual_actual(request.user, target, request.POST.get("value", ""))
    except progress.ProgressError as exc:
        if target.task_id is None or not scope.can_change_task(request.user, target.task):
            raise PermissionDenied(str(exc)) from None
        messages.error(request, f"{target.phrase}：{exc}")
    else:
        messages.success(request, _("已填报“%(phrase)s”的完成值。") % {"phrase": target.phrase})
    if target.task_id:
        return redirect("plans:task", pk=target.task_id)
    return redirect("plans:plan", pk=target.plan_id)


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    att = get_object_or_404(ProgressAttachment.objects.select_related("report__task"), pk=pk)
    if (
        not scope.reads_whole_plan(request.user)
        or not Task.objects.for_user(request.user).filter(pk=att.report.task_id).exists()
    ):
        raise Http404(_("附件不存在"))
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已丢失")) from None
    return FileResponse(handle, as_attachment=True, filename=att.name)


def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    data = exports.plan_xlsx(plan, tracking.tasks_with_progress(plan.tasks.active()))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = exports.disposition(f"{plan.title}_进度.xlsx")
    return response


def export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    data = exports.plan_docx(plan, tracking.tasks_with_progress(plan.tasks.active()))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = exports.disposition(f"{plan.title}_进度.docx")
    return response
