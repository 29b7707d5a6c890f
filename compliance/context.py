"""Who is acting, for the audit log: set per request by AuditContextMiddleware, empty in tasks (system)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from common.network import client_ip


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    label: str = "system"
    ip_address: str | None = None


_current: ContextVar[Actor] = ContextVar("fluxo_actor", default=Actor())  # noqa: B039 (frozen dataclass)


def current_actor() -> Actor:
    return _current.get()


def actor_set(actor: Actor):
    return _current.set(actor)


def actor_reset(token) -> None:
    _current.reset(token)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        authenticated = bool(user and user.is_authenticated)
        token = actor_set(
            Actor(
                user_id=user.pk if authenticated else None,
                label=user.get_username() if authenticated else "anonymous",
                ip_address=client_ip(request),
            )
        )
        try:
            return self.get_response(request)
        finally:
            actor_reset(token)
