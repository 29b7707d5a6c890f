"""Import a spreadsheet from the command line: ``import_leads FILE --source NAME [--mapping M.json] [--json]``."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from leads.ingest.pipeline import import_job_create, import_job_run
from leads.models import LeadSource, SourceKind


class Command(BaseCommand):
    help = "Import leads from an .xlsx or .csv file (normalize, deduplicate, merge)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="Lead source name (created as a manual import if new)")
        parser.add_argument("--mapping", type=Path, help="JSON object: column header → field")
        parser.add_argument("--json", action="store_true", help="Print one JSON object with the summary")
        parser.add_argument("--allow-repeat", action="store_true", help="Import a file already imported before")

    def handle(self, *args, file: Path, source: str, mapping: Path | None, json: bool, allow_repeat: bool, **opts):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        started = time.perf_counter()
        lead_source, _ = LeadSource.objects.get_or_create(name=source, defaults={"kind": SourceKind.MANUAL_IMPORT})
        try:
            column_mapping = _load_json(mapping) if mapping else None
            job = import_job_create(
                path=file,
                original_name=file.name,
                source=lead_source,
                mapping=column_mapping,
                allow_repeat=allow_repeat,
            )
            job = import_job_run(job_id=job.pk)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        summary = {
            "created": job.created,
            "merged": job.merged,
            "review": job.review,
            "rejected": job.rejected,
            "rows": job.rows_total,
            "seconds": round(time.perf_counter() - started, 2),
            "error_report": job.error_report.path if job.error_report else None,
            "job": job.pk,
        }
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{job.rows_total} rows: {job.created} created, {job.merged} merged, {job.review} to review, "
                    f"{job.rejected} rejected in {summary['seconds']} s."
                )
            )
            if summary["error_report"]:
                self.stdout.write(f"Rejected rows: {summary['error_report']}")


def _load_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path}: not a JSON object ({exc}).") from exc
    if not isinstance(value, dict):
        raise CommandError(f"{path}: expected a JSON object of header → field.")
    return value


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
