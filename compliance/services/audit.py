"""The audit log: appended without any lock by the business transaction, chained after commit by the sealer.

Writing (``audit_record``) is one INSERT in the caller's transaction: the id comes from a sequence and the row
carries ``content_hash`` = HMAC(key, its content), so an edit is detectable from the first moment. No global lock is
taken, so an audited change never waits on another one (the old design held one advisory lock from the first
audited statement to the end of every audited transaction, and deadlocked with tasks that lock rows in the other
order).

Sealing (``audit_seal``) runs after commit — kicked on commit (at most once a second across processes), by beat
every minute, and by ``manage.py audit_seal``. In its own short transaction it takes the sealer's lock (nobody else
takes it), reads the committed, unsealed entries in id order and links each to the entry sealed before it:
``seal_seq`` (place in the chain), ``prev_id``/``prev_hash`` (that entry) and ``hash`` = HMAC(id, place, previous id
and hash, content hash). The chain is therefore in commit order; an id never seen by the sealer belongs to a
transaction that rolled back (a gap of the sequence, normal), while a sealed entry that disappears breaks the link
of the one after it.

Verification (``audit_chain_verify``, ``manage.py audit_verify``) walks the chain by place and then the unsealed
entries: an edited entry fails its content hash, a deleted sealed entry or an inserted one breaks a link (or carries
no valid content hash). It reports unsealed entries (those older than ``AUDIT_SEAL_STALE_MINUTES`` mean the sealer
is not running) and the gaps of ids. Limits: an unsealed entry deleted before it was sealed looks like a rolled-back
one, and removing the newest sealed entries (the tail) leaves no broken link — the window is the seal delay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common.kick import Kick
from common.tasks import task_send
from compliance.context import current_actor
from compliance.models import AuditCategory, AuditEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# pg_advisory_xact_lock key held by the sealer, and only by it, for its own short transaction.
SEAL_LOCK = 7201882
SEAL_KICK_KEY = "compliance:audit:seal:kick"


def _hmac(text: str) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


CONTENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "category",
    "action",
    "object_type",
    "object_id",
    "ip_address",
    "details",
)


def _content_hmac(values) -> str:
    content = [values[name] for name in CONTENT_FIELDS]
    content[0] = content[0].isoformat()
    return _hmac(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str))


def entry_content_hash(entry: AuditEntry) -> str:
    """HMAC of what the entry says (not of its place in the chain): computed at write, checked by verify."""
    return _content_hmac({name: getattr(entry, name) for name in CONTENT_FIELDS})


def chain_hash(*, entry_id: int, seal_seq: int, prev_id: int, prev_hash: str, content_hash: str) -> str:
    """HMAC binding an entry (id and content) to its place and to the entry sealed before it."""
    return _hmac(json.dumps([entry_id, seal_seq, prev_id, prev_hash, content_hash], separators=(",", ":")))


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
    """Append one entry in the caller's transaction (one INSERT, no lock). ``actor`` (a user) overrides the
    request's actor from AuditContextMiddleware. With ``AUDIT_ENABLED`` off (benchmarks only) nothing is written."""
    context = current_actor()
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_label = actor.pk, actor.get_username()
    else:
        actor_id, actor_label = context.user_id, context.label
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label[:150],
        category=category,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=context.ip_address,
        details=details or {},
    )
    if not settings.AUDIT_ENABLED:
        return entry
    entry.content_hash = entry_content_hash(entry)
    entry.save(force_insert=True)
    transaction.on_commit(audit_seal_kick, robust=True)
    return entry


def audit_change(*, action: str, obj=None, details: dict | None = None, actor=None) -> AuditEntry:
    """A change other apps record explicitly (e.g. an import's totals, where rows were written with COPY; a
    supervisor's change to every consultant of their teams, on no one object)."""
    return audit_record(action=action, category=AuditCategory.CHANGE, obj=obj, details=details, actor=actor)


def audit_personal_data_read(*, obj, actor) -> AuditEntry:
    """A person's data was shown (a lead 360° page, an API detail)."""
    return audit_record(action=f"{obj._meta.model_name}.viewed", category=AuditCategory.READ, obj=obj, actor=actor)


def audit_export(*, object_type: str, details: dict, actor) -> AuditEntry:
    """People's data left Fluxo as a file (a lead list export): what, with which filters, how many rows."""
    model = object_type.rsplit(".", 1)[-1]
    return audit_record(
        action=f"{model}.exported", category=AuditCategory.EXPORT, object_type=object_type, details=details, actor=actor
    )


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


# --- Sealing --------------------------------------------------------------------------------------------------------
_kick = Kick(SEAL_KICK_KEY, failure="audit: sealer not kicked; beat will seal the entries")


def audit_seal_kick() -> None:
    """Ask a worker to seal, at most once a second across processes (Redis ``SET NX``) and without a Redis round trip
    per entry (a process checks its own clock first). A broker hiccup only delays: beat seals every minute."""
    _kick(lambda: task_send("compliance.audit_seal"))


_SEAL_UPDATE = """
UPDATE compliance_auditentry AS a
   SET seal_seq = v.seal_seq, prev_id = v.prev_id, prev_hash = v.prev_hash, hash = v.hash, sealed_at = now()
  FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, seal_seq, prev_id, prev_hash,
       hash)
 WHERE a.id = v.id AND a.seal_seq IS NULL
"""


def _seal_batch(batch_size: int) -> int:
    """One short transaction: the sealer's lock, the chain's tail, the next committed unsealed entries in id order,
    their links written with one UPDATE. The lock is taken first and nothing else is locked before it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
        # The append-only trigger lets this transaction write the seal columns, once, of unsealed entries.
        cursor.execute("SELECT set_config('fluxo.audit_sealer', 'on', true)")
        cursor.execute(
            "SELECT id, seal_seq, hash FROM compliance_auditentry WHERE seal_seq IS NOT NULL"
            " ORDER BY seal_seq DESC LIMIT 1"
        )
        tail = cursor.fetchone()
        prev_id, seq, prev_hash = tail if tail else (0, 0, GENESIS)
        cursor.execute(
            "SELECT id, content_hash FROM compliance_auditentry WHERE seal_seq IS NULL ORDER BY id LIMIT %s",
            [batch_size],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        ids, seqs, prev_ids, prev_hashes, hashes = [], [], [], [], []
        for entry_id, content_hash in rows:
            seq += 1
            digest = chain_hash(
                entry_id=entry_id, seal_seq=seq, prev_id=prev_id, prev_hash=prev_hash, content_hash=content_hash
            )
            ids.append(entry_id)
            seqs.append(seq)
            prev_ids.append(prev_id)
            prev_hashes.append(prev_hash)
            hashes.append(digest)
            prev_id, prev_hash = entry_id, digest
        cursor.execute(_SEAL_UPDATE, [ids, seqs, prev_ids, prev_hashes, hashes])
        return cursor.rowcount


def audit_seal(*, batch_size: int = 2000, max_batches: int = 1000) -> int:
    """Chain every committed, unsealed entry (in batches, each its own transaction); returns how many were sealed.
    Safe to run from any number of processes at once: the sealer's lock serialises them. Callers are the task, the
    command and tests — never a business transaction, where the lock would be held until that transaction ends."""
    sealed = 0
    for _ in range(max_batches):
        count = _seal_batch(batch_size)
        sealed += count
        if count < batch_size:
            break
    return sealed


# --- Verification ---------------------------------------------------------------------------------------------------
@dataclass
class ChainReport:
    checked: int
    ok: bool
    broken_id: int | None = None
    problem: str = ""
    sealed: int = 0
    unsealed: int = 0
    oldest_unsealed_id: int | None = None
    stale_unsealed: int = 0  # unsealed for longer than AUDIT_SEAL_STALE_MINUTES: is the sealer running?
    gap_ids: int = 0  # ids never seen committed (transactions that rolled back)
    gaps: list[list[int]] = field(default_factory=list)  # the first ranges [first, last] of missing ids

    def as_dict(self) -> dict:
        return asdict(self)


_COLUMNS = ("id", *CONTENT_FIELDS, "content_hash", "seal_seq", "prev_id", "prev_hash", "hash")

_GAPS_SQL = """
SELECT id + 1, next_id - 1 FROM (
    SELECT id, lead(id) OVER (ORDER BY id) AS next_id FROM compliance_auditentry
) s WHERE next_id > id + 1 ORDER BY id
"""


def _broken(report: ChainReport, entry_id: int, problem: str) -> ChainReport:
    report.ok, report.broken_id, report.problem = False, entry_id, problem
    return report


def audit_chain_verify(*, batch_size: int = 5000, now: datetime | None = None) -> ChainReport:
    """Walk the chain by place, then the unsealed entries by id, and report the first bad entry: an edited one
    fails its content hash; a deleted sealed entry breaks the link of the one sealed after it; an inserted one has
    no valid content hash or breaks a link. Also counts unsealed entries (and the stale ones) and the id gaps."""
    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.AUDIT_SEAL_STALE_MINUTES)
    report = ChainReport(checked=0, ok=True)
    sealed = AuditEntry.objects.filter(seal_seq__isnull=False).order_by("seal_seq").values_list(*_COLUMNS)
    expected_seq, expected_prev_id, expected_prev_hash = 1, 0, GENESIS
    last_seq = 0
    while True:
        batch = list(sealed.filter(seal_seq__gt=last_seq)[:batch_size])
        if not batch:
            break
        for row in batch:
            entry = dict(zip(_COLUMNS, row, strict=True))
            entry_id = entry["id"]
            if (entry["seal_seq"], entry["prev_id"], entry["prev_hash"]) != (
                expected_seq,
                expected_prev_id,
                expected_prev_hash,
            ):
                return _broken(report, entry_id, "link broken: an entry before it was deleted or inserted")
            if not _content_ok(entry):
                return _broken(report, entry_id, "content does not match its hash: the entry was edited")
            digest = chain_hash(
                entry_id=entry_id,
                seal_seq=entry["seal_seq"],
                prev_id=entry["prev_id"],
                prev_hash=entry["prev_hash"],
                content_hash=entry["content_hash"],
            )
            if not hmac.compare_digest(entry["hash"] or "", digest):
                return _broken(report, entry_id, "seal does not match: the entry was inserted or its seal forged")
            expected_seq, expected_prev_id, expected_prev_hash = entry["seal_seq"] + 1, entry_id, entry["hash"]
            last_seq = entry["seal_seq"]
            report.checked += 1
            report.sealed += 1

    unsealed = AuditEntry.objects.filter(seal_seq__isnull=True).order_by("id").values_list(*_COLUMNS)
    last_id = 0
    while True:
        batch = list(unsealed.filter(id__gt=last_id)[:batch_size])
        if not batch:
            break
        for row in batch:
            entry = dict(zip(_COLUMNS, row, strict=True))
            last_id = entry["id"]
            if entry["hash"] is not None or entry["prev_id"] is not None or entry["prev_hash"]:
                return _broken(report, last_id, "a seal without a place in the chain: the entry was inserted")
            if not _content_ok(entry):
                return _broken(report, last_id, "content does not match its hash: the entry was edited or inserted")
            report.checked += 1
            report.unsealed += 1
            report.oldest_unsealed_id = report.oldest_unsealed_id or last_id
            if entry["occurred_at"] < stale_before:
                report.stale_unsealed += 1

    with connection.cursor() as cursor:
        cursor.execute(_GAPS_SQL)
        for first, last in cursor.fetchall():
            report.gap_ids += last - first + 1
            if len(report.gaps) < 20:
                report.gaps.append([first, last])
    return report


def _content_ok(entry: dict) -> bool:
    return hmac.compare_digest(entry["content_hash"] or "", _content_hmac(entry))
