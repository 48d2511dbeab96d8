"""API error responses: every error is JSON with a Chinese `detail` (and, for invalid input,
the fields or rows at fault); nothing leaks a traceback. DRF's own messages follow the
request language, so the summaries here are fixed Chinese whatever the client asked for."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

log = logging.getLogger(__name__)

_DETAIL = {
    "not_authenticated": "未登录：请提供有效的令牌（Authorization: Token …）或先登录",
    "authentication_failed": "身份验证失败：令牌无效或用户名、密码不正确",
    "permission_denied": "没有权限执行此操作",
    "not_found": "未找到：对象不存在或不在您的权限范围内",
    "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法按请求的格式返回结果",
    "unsupported_media_type": "不支持的请求内容类型：请以 JSON 或 multipart/form-data 提交",
    "parse_error": "请求内容无法解析：请检查 JSON 格式",
    "throttled": "请求过于频繁，请稍后再试",
    "invalid": "提交的数据有误",
}


class ApiError(exceptions.APIException):
    """An error with a Chinese detail and structured rows: `errors` = [{row, field, reason}]."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, errors: list[dict] | None = None, status_code: int | None = None):
        super().__init__(detail)
        self.errors = errors or []
        if status_code is not None:
            self.status_code = status_code


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        body = {"detail": str(exc.detail)}
        if exc.errors:
            body["errors"] = exc.errors
        if getattr(exc, "error_counts", None):
            body["error_counts"] = exc.error_counts
        return Response(body, status=exc.status_code)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": "该对象仍被其他数据引用（如已填报的数据值），不能删除；可改为停用"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OverflowError | DataError):
        # A value the database cannot hold reached a query: the request was at fault, not the server.
        log.warning("API value out of range in %s: %s", _view_name(context), exc)
        return Response(
            {"detail": "请求中的数值超出可处理的范围，请检查参数"}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads the API settings on import, and those name the
    # parser and pagination classes, which raise ApiError from this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        # An unexpected failure: logged with its traceback here, never sent to the client.
        log.exception("API error in %s", _view_name(context))
        return Response(
            {"detail": "服务器处理请求时出错，已记录，请稍后重试或联系管理员"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    code = getattr(exc, "default_code", "invalid")
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _DETAIL["invalid"], "errors": _field_errors(exc.detail)}
    else:
        detail = _DETAIL.get(code, "请求无法处理")
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            detail += f"（约 {int(exc.wait) + 1} 秒后）"
        response.data = {"detail": detail}
    return response


def _view_name(context) -> str:
    return context.get("view").__class__.__name__ if context else "?"


def _field_errors(detail, row: int | None = None) -> list[dict]:
    """DRF's nested validation detail as a flat list of {row?, field, reason}."""
    out: list[dict] = []
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        for i, item in enumerate(detail, start=1):
            out.extend(_field_errors(item, row=i))
        return out
    if isinstance(detail, dict):
        for field, messages in detail.items():
            for message in messages if isinstance(messages, list) else [messages]:
                if isinstance(message, dict | list) and not isinstance(message, str):
                    out.extend(_field_errors(message, row))
                    continue
                entry = {"field": "" if field == "non_field_errors" else field, "reason": str(message)}
                if row is not None:
                    entry = {"row": row, **entry}
                out.append(entry)
        return out
    for message in detail if isinstance(detail, list) else [detail]:
        out.append({**({"row": row} if row is not None else {}), "field": "", "reason": str(message)})
    return out


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (settings.AXES_LOCKOUT_CALLABLE): JSON for the
    API, the lockout page for the site. 429 either way, as axes itself answers."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "登录失败次数过多，该账户已暂时锁定，请15分钟后再试或联系系统管理员"}, status=429
        )
    from django.conf import settings
    from django.shortcuts import render

    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {}, status=429)


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown /api/ paths answer in JSON too."""
    return JsonResponse({"detail": "没有这个接口地址，请查看 /api/docs/"}, status=404)
