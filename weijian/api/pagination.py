"""Paging of API lists (?limit=&offset=), with bounds: a page of at most `max_limit` rows and
an offset the database can take, or a 400 in Chinese."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

from .errors import ApiError

MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    max_limit = 1000

    def get_limit(self, request):
        return self._bounded(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def _bounded(self, request, name: str, low: int, high: int, default: int | None) -> int | None:
        raw = request.query_params.get(name, "").strip()
        if not raw:
            return default
        if len(raw) > 12 or not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise ApiError(
                f"参数 {name} 应为 {low} 到 {high} 之间的整数，收到“{raw[:20]}”",
                [{"row": None, "field": name, "reason": f"应为 {low} 到 {high} 之间的整数"}],
            )
        return int(raw)
