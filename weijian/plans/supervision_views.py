"""Pages of supervision: 督办 list, raising an item (from a task or on its own), the item page
with its chain of steps; problem list with completion rates, registering a problem, 整改."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import scope, supervision
from .forms import ProblemForm, RectificationForm, StepForm, SupervisionForm
from .models import Plan, ProblemItem, ProblemSource, Rectification, Stage, SupervisionItem, Task


def supervision_list(request: HttpRequest) -> HttpResponse:
    items = SupervisionItem.objects.for_user(request.user).select_related(
        "task", "plan", "assignee_department", "assignee_org", "raised_by"
    )
    stage = request.GET.get("stage") or ""
    if stage in Stage.values:
        items = items.filter(stage=stage)
    today = timezone.localdate()
    return render(
        request,
        "plans/supervision_list.html",
        {
            "items": items,
            "stages": Stage.choices,
            "stage": stage,
            "today": today,
            "can_raise": scope.can_raise_supervision(request.user),
        },
    )


def supervision_new(request: HttpRequest) -> HttpResponse:
    if not scope.can_raise_supervision(request.user):
        raise PermissionDenied("只有委领导或系统管理员可以发起督办。")
    task = None
    task_id = request.GET.get("task") or request.POST.get("task") or ""
    if task_id:
        if not task_id.isdigit():
            raise PermissionDenied("任务编号无效。")
        task = get_object_or_404(Task.objects.for_user(request.user).select_related("plan"), pk=int(task_id))
    initial = {}
    if task is not None:
        dept = task.departments.order_by("taskdepartment__order").first()
        initial = {
            "title": f"督办：{task.num} {task.title}".strip(),
            "assignee_department": dept,
            "description": "该任务进度滞后，请说明原因并提出整改措施，按期反馈。",
        }
    form = SupervisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = supervision.raise_item(
                request.user,
                title=d["title"],
                description=d["description"],
                deadline=d["deadline"],
                task=task,
                assignee_department=d["assignee_department"],
                assignee_org=d["assignee_org"],
            )
        except supervision.SupervisionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "督办事项已交办。")
            return redirect("plans:supervision", pk=item.pk)
    return render(request, "plans/supervision_new.html", {"form": form, "task": task})


def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        SupervisionItem.objects.for_user(request.user).select_related(
            "task", "plan", "assignee_department", "assignee_org", "raised_by"
        ),
        pk=pk,
    )
    steps = item.steps.select_related("user")
    can_handle = scope.can_handle_supervision(request.user, item)
    can_review = scope.can_review_supervision(request.user, item)
    actions = []
    if can_handle and Stage.HANDLING in supervision.NEXT[item.stage] and item.stage != Stage.REPLIED:
        actions.append(("handle", "办理"))
    if can_handle and Stage.REPLIED in supervision.NEXT[item.stage]:
        actions.append(("reply", "反馈"))
    if can_review and item.stage == Stage.REPLIED:
        actions += [("approve", "复核通过"), ("reject", "复核退回")]
    if can_review and item.stage == Stage.REVIEWED:
        actions.append(("close", "办结销号"))
    chain = [(value, label, any(s.stage == value for s in steps)) for value, label in Stage.choices]
    return render(
        request,
        "plans/supervision.html",
        {
            "item": item,
            "steps": steps,
            "actions": actions,
            "chain": chain,
            "overdue": supervision.is_overdue(item),
        },
    )


@require_POST
def supervision_step(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(SupervisionItem.objects.for_user(request.user), pk=pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效。")
        return redirect("plans:supervision", pk=item.pk)
    action, text = form.cleaned_data["action"], form.cleaned_data["text"]
    steps = {
        "handle": lambda: supervision.handle(request.user, item, text),
        "reply": lambda: supervision.reply(request.user, item, text),
        "approve": lambda: supervision.review(request.user, item, True, text),
        "reject": lambda: supervision.review(request.user, item, False, text),
        "close": lambda: supervision.close(request.user, item, text),
    }
    try:
        step = steps[action]()
    except supervision.SupervisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已记录“{step.get_stage_display()}”。")
    return redirect("plans:supervision", pk=item.pk)


def problem_list(request: HttpRequest) -> HttpResponse:
    # Open problems first, the nearest deadline on top; rectified ones last.
    problems = (
        ProblemItem.objects.for_user(request.user)
        .select_related("owner_department", "owner_org", "plan")
        .order_by(Case(When(status=Rectification.DONE, then=1), default=0), "deadline", "pk")
    )
    source = request.GET.get("source") or ""
    if source in ProblemSource.values:
        problems = problems.filter(source=source)
    rates = supervision.completion_rates(problems)
    return render(
        request,
        "plans/problems.html",
        {
            "problems": problems,
            "rates": rates,
            "sources": ProblemSource.choices,
            "source": source,
            "can_register": scope.can_register_problem(request.user),
            "today": timezone.localdate(),
        },
    )


def problem_new(request: HttpRequest) -> HttpResponse:
    if not scope.can_register_problem(request.user):
        raise PermissionDenied("只有委领导或系统管理员可以登记问题。")
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = Plan.objects.filter(year=d["deadline"].year).first()
        try:
            item = supervision.register_problem(
                request.user,
                source=d["source"],
                source_name=d["source_name"],
                description=d["description"],
                deadline=d["deadline"],
                owner_department=d["owner_department"],
                owner_org=d["owner_org"],
                plan=plan,
            )
        except supervision.SupervisionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "问题已登记。")
            return redirect("plans:problem", pk=item.pk)
    return render(request, "plans/problem_new.html", {"form": form})


def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ProblemItem.objects.for_user(request.user).select_related(
            "owner_department", "owner_org", "created_by"
        ),
        pk=pk,
    )
    can_update = scope.can_update_problem(request.user, item)
    form = RectificationForm(
        request.POST or None,
        initial={"status": item.status, "measures": item.measures, "rectified_at": item.rectified_at},
    )
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied("只有责任科室或责任单位可以填报整改情况。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                supervision.update_rectification(
                    request.user, item, d["status"], d["measures"], d["rectified_at"]
                )
            except supervision.SupervisionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"整改情况已更新为“{item.get_status_display()}”。")
                return redirect("plans:problem", pk=item.pk)
    return render(
        request,
        "plans/problem.html",
        {
            "item": item,
            "form": form if can_update else None,
            "overdue": item.status != Rectification.DONE and item.deadline < timezone.localdate(),
        },
    )
