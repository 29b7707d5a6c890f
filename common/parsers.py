"""The API's parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): DRF's, with a depth cap and no NUL characters.

Kept apart from ``common.api``: DRF's ``APIView`` reads the parser setting while ``rest_framework.views`` is being
imported, so the module the setting names must not import ``rest_framework.views`` itself (``common.api`` does, for
the exception handler) — that loop crashed the Celery workers at start-up."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from common.jsonbody import JsonBodyInvalid, json_body_loads, json_value_check


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
