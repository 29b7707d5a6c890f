"""Errors that speak to people. Each app subclasses ApplicationError in its own errors.py."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal the user can act on: ``code`` is stable for machines, ``message`` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotFoundError(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    http_status = 403
