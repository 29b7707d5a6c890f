"""API conventions: errors as ``{"code", "message", "details"}``, page-number pagination."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, parsers, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError
from common.jsonbody import JsonBodyInvalid, json_body_loads, json_value_check


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth cap and no NUL characters (see common.jsonbody): a body nested thousands
    deep or a ``\\u0000`` anywhere is a 400 naming where, not a 500 from the parser or from PostgreSQL."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(_("The body is not valid %(encoding)s text.") % {"encoding": encoding}) from exc
        try:
            return json_body_loads(text)
        except JsonBodyInvalid as exc:
            if exc.code != JsonBodyInvalid.code:
                raise
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc.details["body"][0]}) from exc


def _form_check(data) -> None:
    for key, values in data.lists():
        for value in values:
            json_value_check({key: value})


class NulFreeFormParser(parsers.FormParser):
    """Form bodies get the same NUL check as JSON ones."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _form_check(data)
        return data


class NulFreeMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _form_check(result.data)
        return result


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(required=False)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "message": exc.message, "details": exc.details}, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": _("The request has invalid fields."), "details": response.data}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        body = {"code": getattr(detail, "code", None) or exc.default_code, "message": str(detail), "details": {}}
    response.data = body
    return response
