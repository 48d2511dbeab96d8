"""Request parameters within bounds, before any view reads them.

An integer of 50 or 5 000 digits in the query string or the path (`?plan=10**50`,
`/api/plans/tasks/999…/`) is never an id, an offset or a year: Python refuses to read a
literal over 4 300 digits, and a database refuses one over 19. Every view would have to
guard its own `int()`; this middleware answers all of them at once with a 400 that says which
parameter was out of range — JSON under /api/, the error page elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MAX_DIGITS = 18  # below 2**63: every integer column takes it
_LONG_INTEGER = re.compile(rf"[+-]?\d{{{MAX_DIGITS + 1},}}")


def out_of_range(request: HttpRequest) -> tuple[str, str] | None:
    """(parameter, value) of the first integer too long to be one, or None."""
    for name, values in request.GET.lists():
        for value in values:
            if _LONG_INTEGER.fullmatch(unicodedata.normalize("NFKC", value.strip())):
                return name, value
    for segment in request.path.split("/"):
        if _LONG_INTEGER.fullmatch(segment):
            return "地址", segment
    return None


class BoundedParametersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = out_of_range(request)
        if found is None:
            return self.get_response(request)
        name, value = found
        shown = value if len(value) <= 24 else f"{value[:12]}…（共 {len(value)} 位）"
        where = "请求地址中" if name == "地址" else f"参数 {name} "
        message = f"{where}的数值“{shown}”超出范围：整数最多 {MAX_DIGITS} 位"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "errors": [{"row": None, "field": name, "reason": "数值超出范围"}]},
                status=400,
            )
        return render(request, "400.html", {"message": message}, status=400)
