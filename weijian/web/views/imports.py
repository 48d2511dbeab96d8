"""Data import: upload a CSV, the Excel template, or DHIS2 dataValueSets (JSON or CSV), all or
only the valid rows. A small file is imported during the request; a big one becomes a
background job whose page shows a progress bar (htmx polling) until it ends. The result page
lists the first rejected rows (行号, 列, 原因) and counts the rest by reason; the history lists
the user's own imports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weijian.accounts.scope import is_admin
from weijian.data.models import ImportJob

_ACCEPTED = (".csv", ".xlsx", ".json")


def _history(user):
    from weijian.data.imports import recover_interrupted

    recover_interrupted()
    return ImportJob.objects.filter(user=user).order_by("-at")[:20]


def data_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        from weijian.data.imports import import_file
        from weijian.data.tasks import start_import

        upload = request.FILES.get("file")
        partial = bool(request.POST.get("partial"))
        if upload is None:
            messages.error(request, _("请选择要导入的文件（CSV、Excel 模板或 DHIS2 JSON/CSV）"))
        elif not upload.name.lower().endswith(_ACCEPTED):
            messages.error(
                request,
                _("文件“%(file)s”的格式不支持：请上传 .csv、.xlsx 或 .json 文件") % {"file": upload.name},
            )
        elif upload.size > settings.IMPORT_BACKGROUND_BYTES:
            job = start_import(upload, upload.name, request.user, partial=partial)
            return redirect("import_result", pk=job.pk)
        else:
            result = import_file(upload.read(), upload.name, request.user, partial=partial)
            return redirect("import_result", pk=result.job.pk)
    return render(request, "web/data_import.html", {"history": _history(request.user)})


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk).select_related("user").first()
    # Another user's import is not shown (its rows may name units outside this user's scope).
    if job is None or not (job.user_id == request.user.pk or is_admin(request.user)):
        raise Http404("没有这条导入记录")
    return job


def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(
        request,
        "web/import_result.html",
        {"job": job, "errors": job.errors or [], "history": _history(request.user)},
    )


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the result page polls while the job runs; once the job has
    ended it asks the browser to load the full result."""
    from weijian.data.imports import recover_interrupted

    recover_interrupted()
    job = _own_job(request, pk)
    response = render(request, "web/_import_progress.html", {"job": job})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response
