"""Integrator API tokens: scoped, expiring, revocable; only a hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from compliance.models import ApiToken, AuditCategory
from compliance.services.audit import audit_record

# Every scope an API view can require. Keep in step with the views' ``required_scopes``.
SCOPES = {
    "leads:read": "Read leads, their contact points and timelines",
    "leads:write": "Create and change leads, add notes, change stages",
    "privacy:write": "Open data-subject requests on a person's behalf",
    "whatsapp:read": "Read WhatsApp number health and anti-ban metrics",
    "whatsapp:write": "Send WhatsApp messages to leads (through the anti-ban outbox)",
}
TOKEN_PREFIX = "fx"  # noqa: S105 (a public marker, not a secret)


class TokenScopeInvalid(ApplicationError):
    code = "token_scope_invalid"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user, name: str, scopes: list[str], expires_in_days: int | None = 90) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is never retrievable again."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise TokenScopeInvalid(
            _("Unknown scopes: %(unknown)s. Valid scopes: %(valid)s.")
            % {"unknown": ", ".join(unknown), "valid": ", ".join(SCOPES)}
        )
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=_hash(key),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(
        action="api_token.issued",
        category=AuditCategory.SECURITY,
        obj=token,
        actor=user,
        details={"scopes": token.scopes},
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="api_token.revoked", category=AuditCategory.SECURITY, obj=token, actor=actor)
    return token


def api_tokens_revoke_named(*, user, name: str) -> int:
    """Revoke the user's active tokens called ``name`` (e.g. the demo token, re-issued on each seed)."""
    tokens = list(ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True))
    for token in tokens:
        api_token_revoke(token=token)
    return len(tokens)


def api_token_authenticate(key: str) -> ApiToken | None:
    """The usable token for ``key`` (active user, not revoked, not expired), or None."""
    parts = key.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # throttled: not a write per request
    return token
