"""The API's JSON parser: DRF's, with bounds a hostile body cannot pass.

Python's json module recurses once per nesting level and turns a 5 000-digit literal into an
int the size of the text; both end in a server error or a CPU held for nothing. Here a body
nested deeper than `MAX_DEPTH`, or holding a number literal longer than `MAX_DIGITS`, is a
400 with a Chinese message before any view sees it. No figure Weijian stores needs more.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.parsers import JSONParser

from .errors import ApiError

MAX_DEPTH = 32
MAX_DIGITS = 40  # a DecimalField(max_digits=20) value, with room for zeros and an exponent


def _number(text: str):
    if len(text) > MAX_DIGITS:
        raise ApiError(f"请求内容中的数字“{text[:12]}…”有 {len(text)} 位，超出允许的 {MAX_DIGITS} 位")
    return text


def _integer(text: str) -> int:
    return int(_number(text))


def _float(text: str) -> float:
    return float(_number(text))


def _constant(name: str):
    raise ApiError(f"请求内容中的“{name}”不是有效的数字")


def nesting_depth(text: str, limit: int) -> int:
    """The deepest [ or { nesting of a JSON text (strings skipped), counted up to `limit` + 1."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON bodies with bounded nesting and number lengths."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError:
            raise ApiError(f"请求内容不是有效的 {encoding} 文本") from None
        if nesting_depth(text, MAX_DEPTH) > MAX_DEPTH:
            raise ApiError(f"请求内容嵌套超过 {MAX_DEPTH} 层，无法处理")
        try:
            return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
        except (ValueError, RecursionError):
            raise ApiError("请求内容无法解析：请检查 JSON 格式") from None
