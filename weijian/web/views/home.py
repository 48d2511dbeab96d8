"""Home: the key indicators of the user's area for the latest complete year, with 同比 and trend."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weijian.web import dashboard


def home(request: HttpRequest) -> HttpResponse:
    org = dashboard.home_org(request.user)
    if org is None:
        return render(request, "web/home.html", {"org": None})
    return render(request, "web/home.html", {"org": org, **dashboard.home_figures(org)})
