"""Pages that turn an uploaded work-plan document into a plan: upload, preview with htmx
corrections, confirm or discard; and the upload of a revised document for an existing plan."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weijian.indicators.models import Indicator

from . import importing, tracking
from .forms import ReviseForm, UploadForm
from .models import Comparator, Plan, PlanDraft, Scope


def _denied(request: HttpRequest) -> HttpResponse:
    """A page in Chinese that says who may import and whom to ask, with status 403."""
    if request.headers.get("HX-Request"):
        return HttpResponse(
            format_html('<div class="error" role="alert">{}</div>', _(importing.IMPORT_DENIED)), status=403
        )
    return render(request, "plans/import_denied.html", {"reason": _(importing.IMPORT_DENIED)}, status=403)


def importer_only(view):
    """Every import page and endpoint: only users who may import reach the view."""
    from functools import wraps

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not importing.can_import(request.user):
            return _denied(request)
        return view(request, *args, **kwargs)

    return wrapped


@importer_only
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            draft = importing.create_draft(request.user, f.read(), f.name, form.cleaned_data["year"])
        except importing.ImportError_ as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("plans:draft", pk=draft.pk)
    drafts = PlanDraft.objects.filter(user=request.user).select_related("plan")
    return render(request, "plans/upload.html", {"form": form, "drafts": drafts})


@importer_only
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    form = ReviseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            draft = importing.create_draft(request.user, f.read(), f.name, plan.year, plan=plan)
        except importing.ImportError_ as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("plans:draft", pk=draft.pk)
    return render(request, "plans/revise.html", {"form": form, "plan": plan})


def _draft(request: HttpRequest, pk: int) -> PlanDraft:
    # A draft is its uploader's alone until confirmed.
    return get_object_or_404(PlanDraft.objects.select_related("plan"), pk=pk, user=request.user)


def _highlighted(proposal: dict) -> list[tuple[str, str, str]]:
    """The text cut into (kind, text, title) pieces: targets, other quantities, unknown numbers."""
    marks = [(g["start"], g["end"], "target", g["phrase"]) for g in proposal["targets"]]
    marks += [(f["start"], f["end"], "fact", f["indicator"]) for f in proposal["facts"]]
    marks += [(u["start"], u["end"], "unknown", _("未识别的数字")) for u in proposal["unknown"]]
    marks.sort()
    text = proposal["text"]
    pieces, pos = [], 0
    for start, end, kind, title in marks:
        if start < pos:
            continue
        if start > pos:
            pieces.append(("", text[pos:start], ""))
        pieces.append((kind, text[start:end], title))
        pos = end
    pieces.append(("", text[pos:], ""))
    return pieces


def _target_context(draft: PlanDraft, target: dict, error: str = "") -> dict:
    tasks = {t["key"]: t for t in draft.proposal["tasks"]}
    names = (
        dict(Indicator.objects.filter(code=target["code"]).values_list("code", "name"))
        if target["code"]
        else {}
    )
    return {
        "draft": draft,
        "g": target,
        "task": tasks.get(target["task"]),
        "indicator_name": names.get(target["code"]),
        "error": error,
        "scopes": [
            (Scope.CITY, _("全市")),
            (Scope.COUNTY, _("各县（市、区）")),
            (Scope.TOWNSHIP, _("各乡镇（街道）")),
        ],
        "cmps": Comparator.choices,
        "tasks": draft.proposal["tasks"],
    }


@importer_only
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    d = _draft(request, pk)
    proposal = d.proposal
    matches = importing.owner_matches(proposal)
    targets = [_target_context(d, g) for g in proposal["targets"]]
    changes = importing.diff(d.plan, proposal) if d.plan_id else None
    tasks = {t["key"]: t for t in proposal["tasks"]}
    area = d.plan.org_unit if d.plan_id and d.plan.org_unit_id else tracking.plan_area(Plan(year=d.year))
    return render(
        request,
        "plans/draft.html",
        {
            "draft": d,
            "proposal": proposal,
            "matches": matches,
            "targets": targets,
            "facts": [(i, f, tasks.get(f["task"])) for i, f in enumerate(proposal["facts"])],
            "pieces": _highlighted(proposal),
            "changes": changes,
            "indicators": Indicator.objects.order_by("code").values_list("code", "name"),
            "summary": importing.changes_summary(changes) if changes is not None else "",
            "warnings": importing.import_warnings(proposal, d.year, area),
            "similar": matches["similar"],
            "unknown_total": proposal.get("unknown_total", len(proposal["unknown"])),
        },
    )


@require_POST
@importer_only
def draft_target(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    d = _draft(request, pk)
    fields = ("code", "cmp", "value", "unit", "scope", "deadline", "task", "phrase")
    if "org_code" in request.POST:
        fields = tuple(f for f in fields if f != "scope")  # a target split per unit keeps its unit
    data = {f: request.POST[f] for f in fields if f in request.POST}
    if "include" in request.POST:
        data["include"] = request.POST["include"] == "1"
    error = ""
    try:
        importing.correct_target(d, key, data)
    except importing.CorrectionError as exc:
        error = str(exc)
    d.refresh_from_db()
    target = next((g for g in d.proposal["targets"] if g["key"] == key), None)
    if target is None:
        return HttpResponse(
            format_html(
                '<tr><td colspan="9" class="error">{}</td></tr>',
                _("目标“%(key)s”不存在，请刷新页面。") % {"key": key},
            )
        )
    context = _target_context(d, target, error)
    context["saved"] = not error
    return render(request, "plans/_draft_target.html", {"t": context})


@require_POST
@importer_only
def draft_split(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    d = _draft(request, pk)
    area = d.plan.org_unit if d.plan_id and d.plan.org_unit_id else tracking.plan_area(Plan(year=d.year))
    try:
        parts = importing.split_target_by_county(d, key, area)
    except importing.CorrectionError as exc:
        target = next((g for g in d.proposal["targets"] if g["key"] == key), None)
        if target is None:
            return HttpResponse(format_html('<tr><td colspan="9" class="error">{}</td></tr>', exc))
        return render(request, "plans/_draft_target.html", {"t": _target_context(d, target, str(exc))})
    return render(request, "plans/_draft_targets.html", {"targets": [_target_context(d, g) for g in parts]})


@require_POST
@importer_only
def draft_promote(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    d = _draft(request, pk)
    try:
        importing.promote_fact(d, index)
    except importing.CorrectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已将该数字加入目标，请核对指标和范围。"))
    return redirect("plans:draft", pk=d.pk)


@require_POST
@importer_only
def draft_task(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    d = _draft(request, pk)
    data = {
        f: request.POST[f]
        for f in ("title", "leaders", "departments", "lead_departments", "deadline")
        if f in request.POST
    }
    error = ""
    before = next((dict(t) for t in d.proposal["tasks"] if t["key"] == key), None)
    try:
        importing.correct_task(d, key, data)
    except importing.CorrectionError as exc:
        error = str(exc)
        d.refresh_from_db()  # nothing half-applied
    task = next((t for t in d.proposal["tasks"] if t["key"] == key), before)
    if task is None:
        return HttpResponse(
            format_html(
                '<tr><td colspan="5" class="error">{}</td></tr>',
                _("任务“%(key)s”不存在，请刷新页面。") % {"key": key},
            )
        )
    return render(
        request,
        "plans/_draft_task.html",
        {
            "draft": d,
            "t": task,
            "error": error,
            "saved": not error,
            "matches": importing.owner_matches(d.proposal),
        },
    )


@require_POST
@importer_only
def draft_department(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer to “是否为已有科室 X？”: the name is that department, or a new one."""
    d = _draft(request, pk)
    name = request.POST.get("name", "")
    existing = request.POST.get("choice", "")
    try:
        importing.decide_department(d, name, existing)
    except importing.CorrectionError as exc:
        messages.error(request, str(exc))
    else:
        if existing:
            messages.success(
                request,
                _("已将“%(name)s”归入已有科室“%(dept)s”，并记为其别名。") % {"name": name, "dept": existing},
            )
        else:
            messages.success(request, _("“%(name)s”将在确认时新建为科室。") % {"name": name})
    return redirect(reverse("plans:draft", args=[d.pk]) + "#departments")


@require_POST
@importer_only
def draft_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    d = _draft(request, pk)
    area = tracking.plan_area(Plan(year=d.year)) if not d.plan_id else None
    revising = d.plan_id is not None
    try:
        plan = importing.confirm(d, request.user, area=area)
    except importing.ImportError_ as exc:
        messages.error(request, str(exc))
        return redirect(reverse("plans:draft", args=[d.pk]) + "#departments")
    if revising:
        messages.success(request, _("已按修订后的文件更新计划，已有进度全部保留。"))
    else:
        messages.success(
            request,
            _("已保存计划“%(title)s”：%(tasks)s项任务，%(targets)s个目标。")
            % {"title": plan.title, "tasks": plan.tasks.count(), "targets": plan.targets.count()},
        )
    return redirect("plans:plan", pk=plan.pk)


@require_POST
@importer_only
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    d = _draft(request, pk)
    d.delete()
    messages.info(request, _("已放弃导入“%(name)s”。") % {"name": d.file_name})
    return redirect("plans:index")
