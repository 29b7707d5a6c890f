"""JSON that people and platforms send us: bounded nesting and no NUL characters, refused with what and where.

PostgreSQL ``text`` and ``jsonb`` cannot hold ``\\u0000``, and Python's parser and serializers recurse: a body
nested thousands deep raises ``RecursionError``. Both used to surface as a 500 after part of the work was done;
checked here, before anything reads the data, they are a 400 naming the place in the document."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from common.errors import ApplicationError

MAX_DEPTH = 32  # objects/arrays inside each other; real payloads (Meta, Google, integrators) stay under 10


class JsonBodyInvalid(ApplicationError):
    code = "invalid_json"


class JsonTooDeep(JsonBodyInvalid):
    code = "too_deeply_nested"


class JsonNulCharacter(JsonBodyInvalid):
    code = "null_character"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_body_loads(body: bytes | str) -> Any:
    """Parse a request body; raise JsonBodyInvalid (a 400 with code and details) when it is not JSON, is nested
    deeper than MAX_DEPTH, or carries a NUL character anywhere (keys included)."""
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise _too_deep("") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonBodyInvalid(
            _("The body is not valid JSON: %(error)s.") % {"error": exc}, details={"body": [str(exc)]}
        ) from None
    json_value_check(data)
    return data


def _too_deep(path: str) -> JsonTooDeep:
    message = _("The JSON is too deeply nested: more than %(max)d levels of objects and arrays.") % {"max": MAX_DEPTH}
    if path:
        message = _("%(message)s First too deep at “%(path)s”.") % {"message": message, "path": path}
    return JsonTooDeep(message, details={"max_depth": MAX_DEPTH, **({"path": path} if path else {})})


def _nul(path: str) -> JsonNulCharacter:
    where = path or _("the body")
    message = _("“%(path)s” contains a NUL character (\\u0000), which cannot be stored: remove it.") % {"path": where}
    return JsonNulCharacter(message, details={where: [message]})


def json_value_check(data: Any, *, path: str = "") -> None:
    """Walk a parsed document without recursion: refuse nesting deeper than MAX_DEPTH and NUL characters."""
    stack: list[tuple[Any, str, int]] = [(data, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _nul(where)
        elif isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise _too_deep(where)
            for key, item in value.items():
                key = str(key)
                shown = key.replace("\x00", "\\u0000")
                child = f"{where}.{shown}" if where else shown
                if "\x00" in key:
                    raise _nul(child)
                stack.append((item, child, depth + 1))
        elif isinstance(value, list | tuple):
            if depth >= MAX_DEPTH:
                raise _too_deep(where)
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))
