"""Report pages: draft a 工作总结 or a 排名通报, look at a draft (text, figures and their sources,
what changed since the previous draft), download it as Word or preview it as PDF; proofread an
uploaded report and download it back with the findings as Word comments."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from weijian.data import periods
from weijian.orgs.models import OrgUnit
from weijian.web import dashboard

from . import services
from .document import Draft, labelled
from .figures import diff
from .proofread import MAX_BYTES, ProofreadError, segments

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = services.draft_units(user)
    years = dashboard.data_years()
    error = ""
    if request.method == "POST":
        code = request.POST.get("org_unit", "").strip()
        org = next((u for u in units if u.code == code), None)
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = None
        if org is None:
            error = f"不能为单位“{code}”起草：没有这个单位，或不在您的权限范围内。"
        elif year is None or str(year) not in years:
            error = f"年度“{request.POST.get('year', '')}”无效：请选择有数据的年度。"
        elif len(doc_number := request.POST.get("doc_number", "").strip()) > 40:
            error = "发文字号过长：不超过40个字。"
        else:
            report = services.make_summary(user, org, year, doc_number)
            messages.success(request, "已起草工作总结")
            return redirect("reports:detail", pk=report.pk)
    reports = services.reports_for(user)[:30]
    return render(
        request,
        "reports/index.html",
        {
            "units": units,
            "years": years,
            "reports": reports,
            "error": error,
            "can_draft": bool(units),
            "notices": services.assessment_notices(user),
        },
    )


@require_POST
def ranking(request: HttpRequest) -> HttpResponse:
    user = request.user
    code = request.POST.get("org_unit", "").strip()
    org = OrgUnit.objects.for_user(user).filter(code=code).first()
    target = dashboard.resolve_target(request.POST.get("target", ""))
    try:
        period_code = periods.parse(request.POST.get("period", "")).code
    except periods.PeriodError as exc:
        messages.error(request, f"期间有误：{exc}")
        return redirect("reports:index")
    if org is None or not services.can_draft_for(user, org):
        messages.error(request, f"不能为单位“{code}”起草排名通报：没有这个单位，或不在您的权限范围内。")
        return redirect("reports:index")
    if target is None:
        messages.error(request, "请选择要通报的指标。")
        return redirect("reports:index")
    report = services.make_ranking(user, target, org, period_code)
    messages.success(request, "已起草排名通报")
    return redirect("reports:detail", pk=report.pk)


@require_POST
def assessment_notice(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        report = services.make_assessment_notice(request.user, pk)
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("reports:index")
    messages.success(request, "已生成考核结果通报")
    return redirect("reports:detail", pk=report.pk)


def _report(request: HttpRequest, pk: int):
    return get_object_or_404(services.reports_for(request.user), pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    draft = Draft.from_json(report.content)
    previous = report.previous()
    changes = diff(previous.figures, report.figures) if previous else None
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "draft": draft,
            "blocks": labelled(draft.blocks),
            "previous": previous,
            "changes": changes,
        },
    )


def download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return _attachment(report.docx, f"{report.title}.docx", DOCX)


def chart(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A chart of the draft as the PNG embedded in its Word file."""
    from . import charts

    report = _report(request, pk)
    blocks = [b for b in report.content["blocks"] if b["kind"] == "chart"]
    if number >= len(blocks):
        raise Http404("没有这张图")
    return HttpResponse(charts.png(blocks[number]["chart"]), content_type="image/png")


def preview(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        pdf = services.pdf_preview(bytes(report.docx))
    except services.PreviewUnavailable as exc:
        return render(request, "reports/no_preview.html", {"report": report, "message": str(exc)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(report.title)}.pdf"
    return response


def proofread_page(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            error = "请选择要校对的文件（.docx、.pdf 或 .txt）。"
        elif f.size > MAX_BYTES:
            error = f"文件“{f.name}”大小为 {f.size / 1024 / 1024:.1f} MB，超过 10 MB 的上限。"
        else:
            try:
                item = services.proofread_upload(request.user, f.name, f.read())
            except ProofreadError as exc:
                error = str(exc)
            else:
                return redirect("reports:proofread_result", pk=item.pk)
    items = services.proofreadings_for(request.user)[:20]
    return render(
        request, "reports/proofread.html", {"error": error, "items": items}, status=400 if error else 200
    )


def _proofreading(request: HttpRequest, pk: int):
    item = services.proofreadings_for(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("没有这份校对记录，或它不属于您")
    return item


def proofread_result(request: HttpRequest, pk: int) -> HttpResponse:
    item = _proofreading(request, pk)
    result = item.result
    notes = {f["id"]: f for f in result["findings"]}
    pieces = []
    for seg in segments(result["text"], result["findings"]):
        pieces.append({**seg, "notes": [notes[i] for i in seg["ids"]]})
    return render(
        request, "reports/proofread_result.html", {"item": item, "result": result, "pieces": pieces}
    )


def proofread_download(request: HttpRequest, pk: int) -> HttpResponse:
    from .proofread import commented_docx

    item = _proofreading(request, pk)
    data = commented_docx(bytes(item.data), item.format, item.result)
    stem = item.name.rsplit(".", 1)[0]
    return _attachment(data, f"{stem}（校对意见）.docx", DOCX)
