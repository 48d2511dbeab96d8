"""Data import: upload a CSV, the Excel template, or DHIS2 dataValueSets (JSON or CSV), all or
only the valid rows; the result page lists every rejected row (行号, 列, 原因); the history
lists the user's own imports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weijian.accounts.scope import is_admin
from weijian.data.models import ImportJob

_ACCEPTED = (".csv", ".xlsx", ".json")


def _history(user):
    return ImportJob.objects.filter(user=user).order_by("-at")[:20]


def data_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        from weijian.data.imports import import_file

        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的文件（CSV、Excel 模板或 DHIS2 JSON/CSV）"))
        elif not upload.name.lower().endswith(_ACCEPTED):
            messages.error(
                request,
                _("文件“%(file)s”的格式不支持：请上传 .csv、.xlsx 或 .json 文件") % {"file": upload.name},
            )
        else:
            result = import_file(
                upload.read(), upload.name, request.user, partial=bool(request.POST.get("partial"))
            )
            if result.job is not None:
                return redirect("import_result", pk=result.job.pk)
            # No job means the file could not be read at all; its problems are the message.
            messages.error(
                request,
                _("文件“%(file)s”未导入：") % {"file": upload.name}
                + "；".join(p.reason for p in result.errors),
            )
    return render(request, "web/data_import.html", {"history": _history(request.user)})


def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    job = ImportJob.objects.filter(pk=pk).select_related("user").first()
    # Another user's import is not shown (its rows may name units outside this user's scope).
    if job is None or not (job.user_id == request.user.pk or is_admin(request.user)):
        raise Http404("没有这条导入记录")
    return render(
        request,
        "web/import_result.html",
        {"job": job, "errors": job.errors or [], "history": _history(request.user)},
    )
