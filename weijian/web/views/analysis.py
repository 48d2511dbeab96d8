"""Analysis: an indicator or data element × an org unit × a period → the figure with numerator,
denominator and 同比, the trend over the year, the children's bar chart and ranking, the
validation violations of the unit, and the same as an Excel workbook."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from weijian.data import periods
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import Level, OrgUnit
from weijian.web import dashboard

from .common import indent, readable_org_or_404


def _selection(request: HttpRequest) -> dict:
    """Target, unit and period from the query; a unit outside the user's scope is a 404, an
    unknown target or a malformed period a message naming what was wrong."""
    user, params = request.user, request.GET
    problems = []
    org = (
        readable_org_or_404(user, params["org_unit"]) if params.get("org_unit") else dashboard.home_org(user)
    )
    if org is None:
        raise Http404("您的账户没有可查看的机构")
    code = params.get("target", "").strip()
    target = (
        dashboard.resolve_target(code)
        if code
        else (
            Indicator.objects.filter(is_key=True).order_by("category", "code").first()
            or Indicator.objects.first()
        )
    )
    if code and target is None:
        problems.append(f"没有编码为“{code}”的指标或数据元")
    period_code = params.get("period", "").strip().upper()
    if params.get("year", "").strip():
        # The period picker: a year and a part of it (全年, a half, a quarter or a month).
        period_code = params["year"].strip() + params.get("part", "").strip().upper()
    if period_code:
        try:
            period_code = periods.parse(period_code).code
        except periods.PeriodError as exc:
            problems.append(str(exc))
            period_code = ""
    if not period_code:
        period_code = dashboard.latest_complete_year(org)
    return {"org": org, "target": target, "period_code": period_code, "problems": problems}


def _choices(user, org: OrgUnit) -> dict:
    # Administrative units everywhere in scope, institutions only directly under the chosen
    # unit: a city's 150 institutions (a province's 5 000) would drown the list.
    units = list(
        OrgUnit.objects.for_user(user)
        .filter(active=True)
        .filter(
            Q(level__lt=Level.INSTITUTION)
            | Q(path__startswith=org.path, depth__lte=org.depth + 1)
            | Q(pk=org.pk)
        )
    )
    top = min((u.depth for u in units), default=1)
    return {
        "unit_choices": [(u.code, indent(u, top)) for u in units],
        "indicators": Indicator.objects.order_by("category", "code"),
        "elements": DataElement.objects.order_by("code"),
        "years": dashboard.data_years(),
        "parts": PARTS,
    }


# The parts of a year the period picker offers, as the suffix of the period code.
PARTS = [
    ("", "全年"),
    ("S1", "上半年"),
    ("S2", "下半年"),
    *[(f"Q{q}", f"第{q}季度") for q in range(1, 5)],
    *[(f"{m:02d}", f"{m}月") for m in range(1, 13)],
]


def analysis(request: HttpRequest) -> HttpResponse:
    sel = _selection(request)
    code = sel["period_code"]
    ctx = {
        **sel,
        **_choices(request.user, sel["org"]),
        "period_label": periods.label(code),
        "picked_year": code[:4],
        "picked_part": code[4:],
    }
    if sel["target"] is not None and not sel["problems"]:
        result = dashboard.analyse(sel["target"], sel["org"], sel["period_code"])
        from weijian.data.validation import violations

        ctx.update(
            {
                "result": result,
                "charts": {
                    "chart-trend": result.trend.as_chart(),
                    **({"chart-children": result.children_chart.as_chart()} if result.children_chart else {}),
                },
                "violations": violations(
                    sel["org"], sel["period_code"], about=dashboard.element_codes(sel["target"])
                ),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, "web/analysis.html", ctx)


def analysis_export(request: HttpRequest) -> HttpResponse:
    sel = _selection(request)
    if sel["target"] is None or sel["problems"]:
        raise Http404("；".join(sel["problems"]) or "请选择指标或数据元")
    result = dashboard.analyse(sel["target"], sel["org"], sel["period_code"])
    response = HttpResponse(
        dashboard.analysis_workbook(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{sel['target'].code}_{sel['org'].code}_{sel['period_code']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
