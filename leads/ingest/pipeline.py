"""The import pipeline: parse → normalize → dedup → write, in chunks that are each all in or all out.

Writes use PostgreSQL COPY (psycopg 3) for new leads, contact points and timeline events; merges are a few
set-based UPDATEs per chunk. ``ImportJob.rows_done`` is committed with each chunk, so a crash resumes where it
stopped and nothing already accepted is lost or written twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from multiprocessing.pool import ThreadPool
from pathlib import Path
from typing import NamedTuple

import billiard
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import rows_copy
from compliance.crypto import encrypt
from compliance.security import xlsx_export
from compliance.services.audit import audit_change
from leads.ingest.dedup import Candidates, Decision, Existing, dedup_decide
from leads.ingest.mapping import TARGETS, mapping_recognizes_anything, mapping_suggest
from leads.ingest.reader import FileRejected, file_inspect, rows_count, rows_read
from leads.ingest.rows import LeadRow, RowRejected, row_normalize
from leads.models import (
    DuplicateReview,
    EventChannel,
    EventKind,
    ImportJob,
    ImportStatus,
    Lead,
    LeadSource,
)
from leads.normalization import document_index
from leads.services.lead import leads_created_notify
from leads.services.merge import MergeError, leads_merge

ERROR_SAMPLE = 5000  # rejected rows kept on the job (all of them go to the report)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_job_create(
    *,
    path: Path,
    original_name: str,
    source: LeadSource,
    actor=None,
    mapping: dict | None = None,
    allow_repeat: bool = False,
) -> ImportJob:
    """Inspect the file and its header, settle the mapping, store the file. Raises FileRejected with the reason."""
    kind = file_inspect(path)
    content_hash = file_hash(path)
    if not allow_repeat:
        previous = ImportJob.objects.filter(source=source, content_hash=content_hash, status=ImportStatus.DONE).first()
        if previous:
            raise FileRejected(
                _("This exact file was already imported on %(date)s (%(name)s).")
                % {"date": previous.created_at.strftime("%d/%m/%Y %H:%M"), "name": previous.original_name}
            )
    header = next(iter(rows_read(path, kind)), None)
    if not header or not any(header):
        raise FileRejected(_("The file has no header row."))
    mapping = mapping or mapping_suggest(header, source.column_mapping)
    if not mapping_recognizes_anything(mapping):
        raise FileRejected(
            _(
                "No column looks like a phone or an e-mail (headers: %(headers)s). Rename the columns"
                " or set the mapping."
            )
            % {"headers": ", ".join(h for h in header if h)[:200]}
        )
    job = ImportJob(
        rows_total=rows_count(path, kind),
        source=source,
        original_name=original_name[:255],
        file_kind=kind,
        content_hash=content_hash,
        mapping=mapping,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with open(path, "rb") as handle:
        job.file.save(f"{content_hash[:16]}.{kind}", File(handle), save=False)  # streamed, not read into memory
    job.save()
    LeadSource.objects.filter(pk=source.pk).update(column_mapping={**source.column_mapping, **mapping})
    return job


def import_job_mapping_set(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """The supervisor's corrections to the suggested mapping, before the import starts."""
    if job.status != ImportStatus.PENDING:
        raise FileRejected(_("The import already started: its mapping can no longer change."))
    unknown = sorted({v for v in mapping.values() if v not in TARGETS})
    if unknown:
        raise FileRejected(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    if not mapping_recognizes_anything(mapping):
        raise FileRejected(_("Map at least one column to a phone or an e-mail."))
    job.mapping = mapping
    job.save(update_fields=["mapping"])
    source = job.source
    LeadSource.objects.filter(pk=source.pk).update(column_mapping={**source.column_mapping, **mapping})
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run (or resume) an import. Idempotent: a finished job is returned untouched."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ImportStatus.DONE:
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    path = Path(job.file.path)
    started = time.perf_counter()
    try:
        rows = rows_read(path, job.file_kind)
        header = next(rows)
        # Normalizing is pure Python and CPU-bound; dedup and writing keep this process and PostgreSQL busy. So
        # chunks are normalized ahead in worker processes while earlier ones are written; they commit in order.
        workers = settings.FLUXO_IMPORT_WORKERS
        with _normalizer_pool(workers) as pool:
            pending: deque = deque()
            for blanks, chunk in _raw_chunks(rows, header, job.rows_done, settings.FLUXO_IMPORT_CHUNK_ROWS):
                pending.append((blanks, len(chunk), pool.apply_async(_normalize, (chunk, job.mapping))))
                if len(pending) > max(workers, 1):
                    _chunk_write(job, *pending.popleft())
            while pending:
                _chunk_write(job, *pending.popleft())
        job.rows_total = job.rows_done
        _report_write(job)
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
        job.save()
    except FileRejected as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error_message=exc.message)
        raise
    audit_change(
        action="import.done",
        obj=job,
        details={
            "created": job.created,
            "merged": job.merged,
            "review": job.review,
            "rejected": job.rejected,
            "seconds": round(time.perf_counter() - started, 2),
        },
    )
    return job


def _raw_chunks(rows, header: list[str], resume_from: int, size: int):
    """(blank lines skipped, [(line, {header: value})]) per chunk, from the resume point on."""
    chunk: list[tuple[int, dict]] = []
    blanks = 0
    for line, values in enumerate(rows, start=2):
        if line - 2 < resume_from:
            continue
        if not any(values):
            blanks += 1  # nothing to import, but counted so a resume stays aligned with the file
            continue
        chunk.append((line, dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))))
        if len(chunk) >= size:
            yield blanks, chunk
            chunk, blanks = [], 0
    if chunk or blanks:
        yield blanks, chunk


@contextmanager
def _normalizer_pool(workers: int):
    """``workers`` forked processes (billiard's, which a Celery prefork child may start, unlike multiprocessing's),
    or one thread when 0. Normalization touches no database connection, so forking after Django set up is safe."""
    pool = billiard.get_context("fork").Pool(workers) if workers > 0 else ThreadPool(1)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def _normalize(chunk: list[tuple[int, dict]], mapping: dict) -> tuple[list[LeadRow], list[RowRejected]]:
    good: list[LeadRow] = []
    rejected: list[RowRejected] = []
    for line, raw in chunk:
        result = row_normalize(line, raw, mapping)
        (rejected if isinstance(result, RowRejected) else good).append(result)
    return good, rejected


def _chunk_write(job: ImportJob, blanks: int, size: int, normalized) -> None:
    good, rejected = normalized.get()
    with transaction.atomic():
        decisions = dedup_decide(good, dedup_candidates_find(good, job.source_id), document_index)
        written = _write(job, decisions)
        job.rows_done += blanks + size
        job.created += written.created
        job.merged += written.merged
        job.review += written.review
        job.rejected += len(rejected)
        space = ERROR_SAMPLE - len(job.errors)
        job.errors = job.errors + [
            {"line": r.line, "column": r.column, "reason": r.reason, "raw": r.raw} for r in rejected[: max(space, 0)]
        ]
        if space < len(rejected):
            _overflow_errors(job, rejected[max(space, 0) :])
        job.save(update_fields=["rows_done", "created", "merged", "review", "rejected", "errors"])


def _overflow_errors(job: ImportJob, rejected: list[RowRejected]) -> None:
    """Past the sample kept on the job, rejections go to a side file so the report still lists every one."""
    path = Path(job.file.path).with_suffix(".rejected.jsonl")
    with open(path, "a", encoding="utf-8") as handle:
        for r in rejected:
            handle.write(json.dumps({"line": r.line, "column": r.column, "reason": r.reason, "raw": r.raw}) + "\n")


SEP = "\x1f"  # unit separator: never inside a phone, an e-mail or a key


def _array(values) -> str:
    """One text parameter for ``= ANY(string_to_array(%s, chr(31)))``: binding a 5,000-item list through the
    driver's client-side quoting costs more than the query itself."""
    return SEP.join(values)


def dedup_candidates_find(rows: list[LeadRow], source_id: int | None) -> Candidates:
    """The existing leads that may be the same people as ``rows``: those sharing a phone, an e-mail, a document, an
    external reference (from ``source_id``) or a name key, indexed for ``dedup_decide``."""
    phones = sorted({p for r in rows for p in r.valid_phones})
    emails = sorted({e for r in rows for e in r.valid_emails})
    documents = sorted({document_index(r.document) for r in rows if r.document})
    externals = sorted({r.external_ref for r in rows if r.external_ref})
    name_keys = sorted({r.name_key for r in rows if r.name_key})
    candidates = Candidates()
    with connection.cursor() as cursor:
        # One query per kind: an OR across kinds makes PostgreSQL scan the whole table instead of the index.
        for kind, values, target in (("phone", phones, candidates.by_phone), ("email", emails, candidates.by_email)):
            if not values:
                continue
            cursor.execute(
                "SELECT value, lead_id FROM leads_contactpoint"
                " WHERE kind = %s AND value = ANY(string_to_array(%s, chr(31))) ORDER BY lead_id",
                [kind, _array(values)],
            )
            for value, lead_id in cursor.fetchall():
                target.setdefault(value, []).append(lead_id)
        if documents:
            cursor.execute(
                "SELECT document_index, min(id) FROM leads_lead"
                " WHERE document_index <> '' AND document_index = ANY(string_to_array(%s, chr(31)))"
                " GROUP BY document_index",
                [_array(documents)],
            )
            candidates.by_document = dict(cursor.fetchall())
        if externals:
            cursor.execute(
                "SELECT external_ref, id FROM leads_lead WHERE source_id = %s"
                " AND external_ref = ANY(string_to_array(%s, chr(31)))",
                [source_id, _array(externals)],
            )
            candidates.by_external = dict(cursor.fetchall())
        if name_keys:
            cursor.execute(
                # A join on unnest() lets the planner use the name_key index; "= ANY(...)" made it scan 1M rows.
                "SELECT l.name_key, l.id FROM unnest(string_to_array(%s, chr(31))) AS k(key)"
                " JOIN leads_lead l ON l.name_key = k.key WHERE l.name_key <> '' AND l.merged_into_id IS NULL"
                " LIMIT 20000",
                [_array(name_keys)],
            )
            grouped = defaultdict(list)
            for key, lead_id in cursor.fetchall():
                grouped[key].append(lead_id)
            candidates.by_name_key = dict(grouped)
        ids = (
            {i for ids in candidates.by_phone.values() for i in ids}
            | {i for ids in candidates.by_email.values() for i in ids}
            | {i for ids in candidates.by_name_key.values() for i in ids}
        )
        if ids:
            cursor.execute(
                "SELECT id, name_key, city, merged_into_id FROM leads_lead"
                " WHERE id = ANY(string_to_array(%s, chr(31))::bigint[])",
                [_array(str(i) for i in sorted(ids))],
            )
            merged = set()
            for lead_id, key, city, merged_into in cursor.fetchall():
                if merged_into:
                    merged.add(lead_id)  # merged leads live on in their survivor, which holds the same contacts
                else:
                    candidates.leads[lead_id] = Existing(lead_id, key, city)
            if merged:
                for index in (candidates.by_phone, candidates.by_email):
                    for value, lead_ids in list(index.items()):
                        index[value] = [i for i in lead_ids if i not in merged]
    return candidates


# COPY rows: each NamedTuple's fields are the table's columns, in the order COPY receives them.
class LeadCopyRow(NamedTuple):
    id: int
    full_name: str
    name_key: str
    document: str
    document_index: str
    city: str
    state: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    currency: str
    interest_type: str
    source_id: int
    external_ref: str | None
    campaign_ref: str
    ad_ref: str
    stage: str
    stage_changed_at: datetime
    attributes: str  # JSON
    recurrence_count: int
    priority: int
    last_interest_at: datetime
    created_at: datetime
    updated_at: datetime


class ContactCopyRow(NamedTuple):
    lead_id: int
    kind: str
    value: str
    is_primary: bool
    is_valid: bool
    is_whatsapp: bool | None
    label: str
    created_at: datetime


class EventCopyRow(NamedTuple):
    lead_id: int
    kind: str
    channel: str
    occurred_at: datetime
    created_at: datetime
    payload: str  # JSON


class MergeCopyRow(NamedTuple):
    into_id: int
    merged_lead_id: int  # 0: a row, not a lead, was merged
    reason: str
    confidence: float
    snapshot: str  # JSON
    created_at: datetime


class MergeBatchCopyRow(NamedTuple):
    """One row of the temporary ``leads_merge_batch``: what a chunk's merged rows bring to one existing lead."""

    id: int
    n: int
    attributes: str  # JSON
    city: str
    state: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    interest_type: str


@dataclass
class WriteResult:
    """What ``_write`` did with one chunk's decisions."""

    created: int
    merged: int
    review: int
    lead_of_row: dict[int, int]  # id(row) → the lead created for that row


@dataclass
class _NewLeads:
    """The rows of the leads a chunk creates (decisions "create" and "review")."""

    lead_of_row: dict[int, int] = field(default_factory=dict)
    leads: list[LeadCopyRow] = field(default_factory=list)
    contacts: list[ContactCopyRow] = field(default_factory=list)
    events: list[EventCopyRow] = field(default_factory=list)


@dataclass
class _MergedInto:
    """What a chunk's merged rows bring to one lead: how many rows, their attributes, the first value of each field."""

    n: int = 0
    attributes: dict = field(default_factory=dict)
    city: str = ""
    state: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    interest_type: str = ""

    def add(self, row: LeadRow) -> None:
        self.n += 1
        self.attributes = {**row.attributes, **self.attributes}  # the earliest value of a key wins
        self.city = self.city or row.city
        self.state = self.state or row.state
        self.budget_min = self.budget_min or row.budget_min
        self.budget_max = self.budget_max or row.budget_max
        self.interest_type = self.interest_type or row.interest_type

    def copy_row(self, lead_id: int) -> MergeBatchCopyRow:
        return MergeBatchCopyRow(
            id=lead_id,
            n=self.n,
            attributes=_json(self.attributes),
            city=self.city[:120],
            state=self.state,
            budget_min=self.budget_min,
            budget_max=self.budget_max,
            interest_type=self.interest_type,
        )


@dataclass
class _Merges:
    """The rows a chunk's merges write: new contacts and "interest again" events of the leads merged into, the
    merge records, and per lead what the rows bring to its profile."""

    contacts: list[ContactCopyRow] = field(default_factory=list)
    events: list[EventCopyRow] = field(default_factory=list)
    records: list[MergeCopyRow] = field(default_factory=list)
    into: dict[int, _MergedInto] = field(default_factory=dict)


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _contact_rows(
    lead_id: int, row: LeadRow, now, skip: set[tuple[str, str]] = frozenset(), primary: bool = True
) -> list[ContactCopyRow]:
    out, seen = [], set(skip)
    for kind, items in (("phone", row.phones), ("email", row.emails)):
        first_valid = True
        for item in items:
            value = item.e164 if kind == "phone" else item.value
            if not value or (kind, value) in seen:
                continue
            seen.add((kind, value))
            is_primary = primary and item.is_valid and first_valid
            first_valid = first_valid and not is_primary
            whatsapp = (True if item.is_valid and item.is_mobile else None) if kind == "phone" else None
            out.append(ContactCopyRow(lead_id, kind, value[:254], is_primary, item.is_valid, whatsapp, "", now))
    return out


def _write(job: ImportJob, decisions: list[Decision]) -> WriteResult:
    """Write one chunk's decisions; the caller's transaction makes the chunk all in or all out."""
    now = timezone.now()
    creating = [d for d in decisions if d.action in ("create", "review")]
    merges = [d for d in decisions if d.action == "merge"]
    with connection.cursor() as cursor:
        ids = _lead_ids_reserve(cursor, len(creating))
        new = _new_leads(job, creating, ids, now)
        rows_copy("leads_lead", LeadCopyRow._fields, new.leads)
        known = _contacts_known(cursor, merges, new)
        merged = _merges(job, merges, new.lead_of_row, known, now)
        rows_copy("leads_contactpoint", ContactCopyRow._fields, new.contacts + merged.contacts)
        _merged_into_update(cursor, merged.into, now)
        rows_copy("leads_leadevent", EventCopyRow._fields, new.events + merged.events)
        rows_copy("leads_leadmerge", MergeCopyRow._fields, merged.records)
    reviews = _reviews_create(job, decisions, new.lead_of_row)
    _link_existing(decisions, new.lead_of_row)
    leads_created_notify(ids)
    return WriteResult(
        created=sum(d.action == "create" for d in decisions),
        merged=len(merges),
        review=reviews,
        lead_of_row=new.lead_of_row,
    )


def _lead_ids_reserve(cursor, n: int) -> list[int]:
    """``n`` ids from the leads' sequence, so rows can name their lead before it is written."""
    cursor.execute("SELECT nextval(pg_get_serial_sequence('leads_lead', 'id')) FROM generate_series(1, %s)", [n])
    return [r[0] for r in cursor.fetchall()]


def _new_leads(job: ImportJob, creating: list[Decision], ids: list[int], now) -> _NewLeads:
    """Lead, contact and timeline rows (created, plus the row's notes) of each row that becomes a new lead."""
    source = job.source
    new = _NewLeads()
    for decision, lead_id in zip(creating, ids, strict=True):
        row = decision.row
        new.lead_of_row[id(row)] = lead_id
        new.leads.append(_lead_copy_row(lead_id, row, source.pk, now))
        new.contacts += _contact_rows(lead_id, row, now)
        payload = {"source": source.name, "source_kind": source.kind, "import": job.pk, "line": row.line}
        if row.flags:
            payload["flags"] = row.flags
        new.events.append(EventCopyRow(lead_id, EventKind.CREATED, EventChannel.IMPORT, now, now, _json(payload)))
        if row.notes:
            new.events.append(
                EventCopyRow(lead_id, EventKind.NOTE, EventChannel.IMPORT, now, now, _json({"text": row.notes}))
            )
    return new


def _lead_copy_row(lead_id: int, row: LeadRow, source_id: int, now) -> LeadCopyRow:
    return LeadCopyRow(
        id=lead_id,
        full_name=row.full_name,
        name_key=row.name_key,
        document=encrypt(row.document) if row.document else "",
        document_index=document_index(row.document) if row.document else "",
        city=row.city[:120],
        state=row.state,
        budget_min=row.budget_min,
        budget_max=row.budget_max,
        currency="BRL",
        interest_type=row.interest_type,
        source_id=source_id,
        external_ref=row.external_ref,
        campaign_ref=row.campaign_ref,
        ad_ref=row.ad_ref,
        stage="new",
        stage_changed_at=now,
        attributes=_json(row.attributes),
        recurrence_count=1,
        priority=0,
        last_interest_at=now,
        created_at=now,
        updated_at=now,
    )


def _merge_target(decision: Decision, lead_of_row: dict[int, int]) -> int:
    """The lead a "merge" decision goes into: an existing lead, or the one created for an earlier row of the chunk."""
    return decision.target_id or lead_of_row[id(decision.target_row)]


def _contacts_known(cursor, merges: list[Decision], new: _NewLeads) -> dict[int, set[tuple[str, str]]]:
    """Per lead merged into, the (kind, value) contacts it already has: stored ones, and those of leads created in
    this chunk."""
    targets = {_merge_target(d, new.lead_of_row) for d in merges}
    known: dict[int, set[tuple[str, str]]] = defaultdict(set)
    if targets:
        cursor.execute(
            "SELECT lead_id, kind, value FROM leads_contactpoint"
            " WHERE lead_id = ANY(string_to_array(%s, chr(31))::bigint[])",
            [_array(str(t) for t in sorted(targets))],
        )
        for lead_id, kind, value in cursor.fetchall():
            known[lead_id].add((kind, value))
    for contact in new.contacts:
        known[contact.lead_id].add((contact.kind, contact.value))
    return known


def _merges(
    job: ImportJob, merges: list[Decision], lead_of_row: dict[int, int], known: dict[int, set[tuple[str, str]]], now
) -> _Merges:
    """Each merged row adds the contacts its lead lacks, an "interest again" event and a merge record, and its
    profile fields to the lead's ``_MergedInto``."""
    out = _Merges()
    for decision in merges:
        row, target = decision.row, _merge_target(decision, lead_of_row)
        added = _contact_rows(target, row, now, skip=known[target], primary=False)
        known[target] |= {(c.kind, c.value) for c in added}
        out.contacts += added
        out.into.setdefault(target, _MergedInto()).add(row)
        out.events.append(_interest_again_event(job, decision, target, now))
        out.records.append(_merge_record(job, decision, target, added, now))
    return out


def _interest_again_event(job: ImportJob, decision: Decision, target: int, now) -> EventCopyRow:
    """On the timeline of the lead merged into: the person showed interest again, with the row as it came."""
    row, source = decision.row, job.source
    payload = {
        "source": source.name,
        "source_kind": source.kind,
        "import": job.pk,
        "line": row.line,
        "reason": decision.reason,
        "confidence": round(decision.confidence, 3),
        "raw": row.raw,
    }
    return EventCopyRow(target, EventKind.INTEREST_AGAIN, EventChannel.IMPORT, now, now, _json(payload))


def _merge_record(job: ImportJob, decision: Decision, target: int, added: list[ContactCopyRow], now) -> MergeCopyRow:
    """The merge record, with a snapshot of the row and the contacts it added, so the merge can be undone."""
    row = decision.row
    snapshot = {
        "kind": "row",
        "source_id": job.source_id,
        "import": job.pk,
        "line": row.line,
        "full_name": row.full_name,
        "city": row.city,
        "state": row.state,
        "budget_min": str(row.budget_min) if row.budget_min is not None else None,
        "budget_max": str(row.budget_max) if row.budget_max is not None else None,
        "interest_type": row.interest_type,
        "attributes": row.attributes,
        "contacts": [[c.kind, c.value] for c in added],
    }
    return MergeCopyRow(
        into_id=target,
        merged_lead_id=0,
        reason=decision.reason,
        confidence=round(decision.confidence, 3),
        snapshot=_json(snapshot),
        created_at=now,
    )


def _merged_into_update(cursor, into: dict[int, _MergedInto], now) -> None:
    """One set-based UPDATE for the whole chunk: each lead merged into gains the rows' recurrence and priority, their
    attributes (its own win) and the profile fields it lacks."""
    if not into:
        return
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS leads_merge_batch (id bigint, n int, attributes jsonb, city text,"
        " state text, budget_min numeric, budget_max numeric, interest_type text) ON COMMIT DELETE ROWS"
    )
    rows_copy(
        "leads_merge_batch",
        MergeBatchCopyRow._fields,
        [merged.copy_row(lead_id) for lead_id, merged in into.items()],
    )
    cursor.execute(
        "UPDATE leads_lead l SET attributes = b.attributes || l.attributes,"
        " city = COALESCE(NULLIF(l.city, ''), NULLIF(b.city, ''), ''),"
        " state = COALESCE(NULLIF(l.state, ''), NULLIF(b.state, ''), ''),"
        " budget_min = CASE WHEN l.budget_min IS NULL AND l.budget_max IS NULL THEN b.budget_min"
        " ELSE l.budget_min END,"
        " budget_max = CASE WHEN l.budget_min IS NULL AND l.budget_max IS NULL THEN b.budget_max"
        " ELSE l.budget_max END,"
        " interest_type = COALESCE(NULLIF(l.interest_type, ''), NULLIF(b.interest_type, ''), ''),"
        " recurrence_count = l.recurrence_count + b.n, priority = l.priority + b.n,"
        " last_interest_at = %s, updated_at = %s FROM leads_merge_batch b WHERE l.id = b.id",
        [now, now],
    )


def _reviews_create(job: ImportJob, decisions: list[Decision], lead_of_row: dict[int, int]) -> int:
    """A duplicate review for each "review" row's new lead against the lead it may repeat. Returns how many."""
    reviews = []
    for decision in decisions:
        if decision.action != "review":
            continue
        existing = decision.target_id or lead_of_row.get(id(decision.target_row))
        if existing:
            reviews.append(
                DuplicateReview(
                    lead_id=existing,
                    candidate_id=lead_of_row[id(decision.row)],
                    reason=decision.reason,
                    confidence=decision.confidence,
                    import_job=job,
                )
            )
    DuplicateReview.objects.bulk_create(reviews, ignore_conflicts=True)
    return len(reviews)


def _link_existing(decisions: list[Decision], lead_of_row: dict[int, int]) -> None:
    """Rows that prove two existing leads are one person (phone on one, e-mail on the other, same name) merge them.
    Rare, so each goes through the ordinary, undoable ``leads_merge``."""
    for decision in decisions:
        for other in decision.also_merge:
            into_id = decision.target_id
            pair = {p.pk: p for p in Lead.objects.filter(pk__in=[into_id, other], merged_into__isnull=True)}
            if len(pair) != 2:
                continue  # one side was merged already in this chunk
            try:
                leads_merge(
                    into=pair[into_id],
                    other=pair[other],
                    actor=None,
                    reason="linked by an imported row",
                    confidence=round(decision.confidence, 3),
                )
            except MergeError:
                continue


def _report_write(job: ImportJob) -> None:
    """The .xlsx error report: every rejected row with its line, column and reason (formula-safe cells)."""
    rejected = list(job.errors)
    overflow = Path(job.file.path).with_suffix(".rejected.jsonl")
    if overflow.exists():
        rejected += [json.loads(line) for line in overflow.read_text(encoding="utf-8").splitlines()]
    if not rejected:
        return
    headers = sorted({h for r in rejected for h in r.get("raw", {})})
    sheet = (
        [_("line"), _("column"), _("reason"), *headers],
        [[r["line"], r["column"], r["reason"], *[r["raw"].get(h, "") for h in headers]] for r in rejected],
    )
    job.error_report.save(
        f"import-{job.pk}-errors.xlsx", ContentFile(xlsx_export({_("Rejected rows"): sheet})), save=False
    )


API_FIELDS = (
    "full_name",
    "first_name",
    "last_name",
    "phone",
    "phone2",
    "email",
    "document",
    "city",
    "state",
    "budget",
    "interest",
    "origin",
    "notes",
    "campaign_ref",
    "ad_ref",
    "external_ref",
)


@transaction.atomic
def leads_ingest_batch(*, source: LeadSource, items: list[dict], actor, label: str) -> list[dict]:
    """A batch pushed by an integrator: every item normalized, deduplicated and written like a spreadsheet row,
    in one transaction. Returns one result per item: created / merged / review (with the lead id) or rejected."""
    mapping = {field: field for field in API_FIELDS}
    job = ImportJob.objects.create(
        source=source,
        original_name=label[:255],
        file_kind="api",
        content_hash="",
        mapping=mapping,
        status=ImportStatus.RUNNING,
        rows_total=len(items),
        started_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    raws = []
    for index, item in enumerate(items):
        raw = {key: _api_value(item.get(key)) for key in API_FIELDS if item.get(key) not in (None, "", [])}
        for key, value in (item.get("attributes") or {}).items():
            raw[f"{key}"[:60]] = str(value)[:500]
        raws.append((index + 1, raw))
    good, rejected = _normalize(raws, mapping)
    decisions = dedup_decide(good, dedup_candidates_find(good, source.pk), document_index)
    written = _write(job, decisions)
    lead_of_row = written.lead_of_row
    results: dict[int, dict] = {}
    for decision in decisions:
        row = decision.row
        lead_id = lead_of_row.get(id(row)) or decision.target_id or lead_of_row.get(id(decision.target_row))
        results[row.line] = {
            "status": {"create": "created"}.get(
                decision.action, decision.action + ("d" if decision.action == "merge" else "")
            ),
            "lead_id": lead_id,
            "reason": decision.reason,
            "flags": row.flags,
        }
    for rejection in rejected:
        results[rejection.line] = {
            "status": "rejected",
            "lead_id": None,
            "reason": rejection.reason,
            "field": rejection.column,
        }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        rows_done=len(items),
        created=written.created,
        merged=written.merged,
        review=written.review,
        rejected=len(rejected),
        finished_at=timezone.now(),
        errors=[{"line": r.line, "column": r.column, "reason": r.reason} for r in rejected],
    )
    return [{"index": line - 1, **results[line]} for line in sorted(results)]


def _api_value(value) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)
