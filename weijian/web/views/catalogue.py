"""Catalogue: indicators by category with definition, formula in element names and unit;
the data elements; a search over codes, names, aliases and definitions."""

from __future__ import annotations

import re
from itertools import groupby

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weijian.indicators.models import DataElement, Indicator

_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def formula_in_names(expression: str, names: dict[str, str]) -> str:
    """ "HTN_STD / HTN_ALL" → "高血压规范管理人数 / 高血压管理人数"; unknown codes stay as written."""
    return _CODE.sub(lambda m: names.get(m.group(0), m.group(0)), expression or "")


def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    indicators = Indicator.objects.all()
    elements = DataElement.objects.all()
    if q:
        text = Q(code__icontains=q) | Q(name__icontains=q) | Q(aliases__icontains=q)
        indicators = indicators.filter(text | Q(definition__icontains=q) | Q(category__icontains=q))
        elements = elements.filter(text | Q(description__icontains=q))
    names = dict(DataElement.objects.values_list("code", "name"))
    rows = []
    for ind in indicators.order_by("category", "code"):
        ind.numerator_text = formula_in_names(ind.numerator, names)
        ind.denominator_text = formula_in_names(ind.denominator, names)
        rows.append(ind)
    categories = [(cat or "未分类", list(items)) for cat, items in groupby(rows, key=lambda i: i.category)]
    return render(
        request,
        "web/catalogue.html",
        {
            "q": q,
            "categories": categories,
            "indicator_count": len(rows),
            "elements": elements.order_by("code"),
        },
    )
