"""The audit log: one writer that chains every entry to the previous one with a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from compliance.context import current_actor
from compliance.models import AuditCategory, AuditEntry

GENESIS = "0" * 64


def _content(entry: AuditEntry) -> str:
    return json.dumps(
        [
            entry.occurred_at.isoformat(),
            entry.actor_id,
            entry.actor_label,
            entry.category,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.ip_address,
            entry.details,
            entry.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def entry_hash(entry: AuditEntry) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), _content(entry).encode(), hashlib.sha256).hexdigest()


# Two statements and no parameters, so psycopg sends them in one round trip. 7201881 is the pg_advisory_xact_lock key
# that serialises appends to the chain.
_TAIL_SQL = "SELECT pg_advisory_xact_lock(7201881); SELECT hash FROM compliance_auditentry ORDER BY id DESC LIMIT 1"


def _chain_tail() -> str:
    """Take the chain's lock (held until the transaction ends), then read the newest hash. One round trip: two
    statements, the second with its own snapshot taken after the lock was granted, so no append is missed."""
    with connection.cursor() as cursor:
        cursor.execute(_TAIL_SQL)
        cursor.nextset()
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def audit_record(
    *,
    action: str,
    category: AuditCategory,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    details: dict | None = None,
    actor=None,
) -> AuditEntry:
    """Append one entry. ``actor`` (a user) overrides the request's actor from AuditContextMiddleware."""
    context = current_actor()
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_label = actor.pk, actor.get_username()
    else:
        actor_id, actor_label = context.user_id, context.label
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    # No savepoint: the entry belongs to the caller's transaction (and the lock is held until it ends).
    with transaction.atomic(savepoint=False):
        entry = AuditEntry(
            actor_id=actor_id,
            actor_label=actor_label[:150],
            category=category,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            ip_address=context.ip_address,
            details=details or {},
            prev_hash=_chain_tail(),
        )
        entry.hash = entry_hash(entry)
        entry.save()
    return entry


def audit_change(*, action: str, obj, details: dict | None = None, actor=None) -> AuditEntry:
    """A change other apps record explicitly (e.g. an import's totals, where rows were written with COPY)."""
    return audit_record(action=action, category=AuditCategory.CHANGE, obj=obj, details=details, actor=actor)


def audit_personal_data_read(*, obj, actor) -> AuditEntry:
    """A person's data was shown (a lead 360° page, an API detail)."""
    return audit_record(action=f"{obj._meta.model_name}.viewed", category=AuditCategory.READ, obj=obj, actor=actor)


def audit_access_denied(*, object_type: str, object_id, actor) -> AuditEntry:
    """Someone asked for an object they may not see (answered with 404)."""
    model = object_type.rsplit(".", 1)[-1]
    return audit_record(
        action=f"{model}.access_denied",
        category=AuditCategory.SECURITY,
        object_type=object_type,
        object_id=object_id,
        actor=actor,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    broken_id: int | None = None
    problem: str = ""


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in id order: an edited entry fails its own hash; a deleted or inserted one breaks the
    link (``prev_hash``) of the entry after it. Reports the first broken entry."""
    expected_prev, checked, last_id = GENESIS, 0, 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked, ok=True)
        for entry in batch:
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, False, entry.pk, "link broken: an entry before it was deleted or inserted")
            if not hmac.compare_digest(entry.hash, entry_hash(entry)):
                return ChainReport(checked, False, entry.pk, "content does not match its hash: the entry was edited")
            expected_prev, checked, last_id = entry.hash, checked + 1, entry.pk
