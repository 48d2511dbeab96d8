"""The site's 403 and 404 pages (400, 500 and the CSRF failure page are Django's own handlers
rendering our templates). They say what our views said in Chinese when they refused, never
the name of an exception; the 500 page needs no request and no database."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404


def _reason(exception) -> str:
    """The message a view gave when it raised (Http404("没有这个数据集")); "" for Django's own
    404 of an unknown address, whose argument is the resolver's report."""
    if exception is None or isinstance(exception, Resolver404):
        return ""
    message = exception.args[0] if exception.args else ""
    return message if isinstance(message, str) else ""


def page_not_found(request: HttpRequest, exception: Http404 | None = None) -> HttpResponse:
    return render(request, "404.html", {"exception": _reason(exception)}, status=404)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"exception": _reason(exception)}, status=403)
