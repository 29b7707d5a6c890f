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
from multiprocessing.pool import ThreadPool
from pathlib import Path

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
        decisions = dedup_decide(good, candidates_for(good, job.source_id), document_index)
        counts = _write(job, decisions)
        job.rows_done += blanks + size
        job.created += counts["create"]
        job.merged += counts["merge"]
        job.review += counts["review"]
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


def candidates_for(rows: list[LeadRow], source_id: int | None) -> Candidates:
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


LEAD_COLUMNS = (
    "id",
    "full_name",
    "name_key",
    "document",
    "document_index",
    "city",
    "state",
    "budget_min",
    "budget_max",
    "currency",
    "interest_type",
    "source_id",
    "external_ref",
    "campaign_ref",
    "ad_ref",
    "stage",
    "stage_changed_at",
    "attributes",
    "recurrence_count",
    "priority",
    "last_interest_at",
    "created_at",
    "updated_at",
)
CONTACT_COLUMNS = ("lead_id", "kind", "value", "is_primary", "is_valid", "is_whatsapp", "label", "created_at")
EVENT_COLUMNS = ("lead_id", "kind", "channel", "occurred_at", "created_at", "payload")


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _contact_rows(
    lead_id: int, row: LeadRow, now, skip: set[tuple[str, str]] = frozenset(), primary: bool = True
) -> list[tuple]:
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
            out.append((lead_id, kind, value[:254], is_primary, item.is_valid, whatsapp, "", now))
    return out


def _write(job: ImportJob, decisions: list[Decision]) -> dict[str, int]:
    """Write one chunk's decisions; the caller's transaction makes the chunk all in or all out.
    ``counts["lead_of_row"]`` maps ``id(row)`` to the lead created for it."""
    now = timezone.now()
    source = job.source
    creating = [d for d in decisions if d.action in ("create", "review")]
    counts = {"create": sum(d.action == "create" for d in decisions), "merge": 0, "review": 0}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('leads_lead', 'id')) FROM generate_series(1, %s)", [len(creating)]
        )
        ids = [r[0] for r in cursor.fetchall()]
        lead_of_row: dict[int, int] = {}
        lead_rows, contact_rows, event_rows = [], [], []
        for decision, lead_id in zip(creating, ids, strict=True):
            row = decision.row
            lead_of_row[id(row)] = lead_id
            lead_rows.append(
                (
                    lead_id,
                    row.full_name,
                    row.name_key,
                    encrypt(row.document) if row.document else "",
                    document_index(row.document) if row.document else "",
                    row.city[:120],
                    row.state,
                    row.budget_min,
                    row.budget_max,
                    "BRL",
                    row.interest_type,
                    source.pk,
                    row.external_ref,
                    row.campaign_ref,
                    row.ad_ref,
                    "new",
                    now,
                    _json(row.attributes),
                    1,
                    0,
                    now,
                    now,
                    now,
                )
            )
            contact_rows += _contact_rows(lead_id, row, now)
            payload = {"source": source.name, "source_kind": source.kind, "import": job.pk, "line": row.line}
            if row.flags:
                payload["flags"] = row.flags
            event_rows.append((lead_id, EventKind.CREATED, EventChannel.IMPORT, now, now, _json(payload)))
            if row.notes:
                event_rows.append((lead_id, EventKind.NOTE, EventChannel.IMPORT, now, now, _json({"text": row.notes})))
        rows_copy("leads_lead", LEAD_COLUMNS, lead_rows)

        merges = [d for d in decisions if d.action == "merge"]
        targets = {d.target_id or lead_of_row[id(d.target_row)] for d in merges}
        existing_contacts: dict[int, set] = defaultdict(set)
        if targets:
            cursor.execute(
                "SELECT lead_id, kind, value FROM leads_contactpoint"
                " WHERE lead_id = ANY(string_to_array(%s, chr(31))::bigint[])",
                [_array(str(t) for t in sorted(targets))],
            )
            for lead_id, kind, value in cursor.fetchall():
                existing_contacts[lead_id].add((kind, value))
        for contact in contact_rows:  # the contacts of leads created in this chunk
            existing_contacts[contact[0]].add((contact[1], contact[2]))
        per_target: dict[int, dict] = {}
        merge_records = []
        for decision in merges:
            row, target = decision.row, decision.target_id or lead_of_row[id(decision.target_row)]
            added = _contact_rows(target, row, now, skip=existing_contacts[target], primary=False)
            existing_contacts[target] |= {(c[1], c[2]) for c in added}
            contact_rows += added
            agg = per_target.setdefault(
                target,
                {
                    "n": 0,
                    "attributes": {},
                    "city": "",
                    "state": "",
                    "budget_min": None,
                    "budget_max": None,
                    "interest_type": "",
                },
            )
            agg["n"] += 1
            agg["attributes"] = {**row.attributes, **agg["attributes"]}  # the earliest value of a key wins
            for key in ("city", "state", "budget_min", "budget_max", "interest_type"):
                agg[key] = agg[key] or getattr(row, key)
            event_rows.append(
                (
                    target,
                    EventKind.INTEREST_AGAIN,
                    EventChannel.IMPORT,
                    now,
                    now,
                    _json(
                        {
                            "source": source.name,
                            "source_kind": source.kind,
                            "import": job.pk,
                            "line": row.line,
                            "reason": decision.reason,
                            "confidence": round(decision.confidence, 3),
                            "raw": row.raw,
                        }
                    ),
                )
            )
            merge_records.append(
                (
                    target,
                    0,
                    decision.reason,
                    round(decision.confidence, 3),
                    _json(
                        {
                            "kind": "row",
                            "source_id": source.pk,
                            "import": job.pk,
                            "line": row.line,
                            "full_name": row.full_name,
                            "city": row.city,
                            "state": row.state,
                            "budget_min": str(row.budget_min) if row.budget_min is not None else None,
                            "budget_max": str(row.budget_max) if row.budget_max is not None else None,
                            "interest_type": row.interest_type,
                            "attributes": row.attributes,
                            "contacts": [[c[1], c[2]] for c in added],
                        }
                    ),
                    now,
                )
            )
        rows_copy("leads_contactpoint", CONTACT_COLUMNS, contact_rows)
        if per_target:  # one set-based UPDATE for the whole chunk
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS leads_merge_batch (id bigint, n int, attributes jsonb, city text,"
                " state text, budget_min numeric, budget_max numeric, interest_type text) ON COMMIT DELETE ROWS"
            )
            rows_copy(
                "leads_merge_batch",
                ("id", "n", "attributes", "city", "state", "budget_min", "budget_max", "interest_type"),
                [
                    (
                        t,
                        a["n"],
                        _json(a["attributes"]),
                        a["city"][:120],
                        a["state"],
                        a["budget_min"],
                        a["budget_max"],
                        a["interest_type"],
                    )
                    for t, a in per_target.items()
                ],
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
        rows_copy("leads_leadevent", EVENT_COLUMNS, event_rows)
        rows_copy(
            "leads_leadmerge",
            ("into_id", "merged_lead_id", "reason", "confidence", "snapshot", "created_at"),
            merge_records,
        )
    counts["merge"] = len(merges)
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
    counts["review"] = len(reviews)
    _link_existing(decisions, lead_of_row)
    leads_created_notify(ids)
    counts["lead_of_row"] = lead_of_row
    return counts


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


BATCH_STATUS = {"create": "created", "merge": "merged", "review": "review"}
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
    decisions = dedup_decide(good, candidates_for(good, source.pk), document_index)
    counts = _write(job, decisions)
    lead_of_row = counts.pop("lead_of_row")
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
        created=counts["create"],
        merged=counts["merge"],
        review=counts["review"],
        rejected=len(rejected),
        finished_at=timezone.now(),
        errors=[{"line": r.line, "column": r.column, "reason": r.reason} for r in rejected],
    )
    return [{"index": line - 1, **results[line]} for line in sorted(results)]


def _api_value(value) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)
