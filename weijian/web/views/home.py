"""Home: the key indicators of the user's area for the latest complete year, with 同比 and trend."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weijian.data import periods
from weijian.web import dashboard


def home(request: HttpRequest) -> HttpResponse:
    org = dashboard.home_org(request.user)
    if org is None:
        return render(request, "web/home.html", {"org": None})
    period_code = dashboard.latest_complete_year(org)
    cards, key = dashboard.key_cards(org, period_code)
    return render(
        request,
        "web/home.html",
        {
            "org": org,
            "period_code": period_code,
            "period_label": periods.label(period_code),
            "cards": cards,
            "key": key,
            "charts": {c.chart_id: c.trend.as_chart() for c in cards},
        },
    )
