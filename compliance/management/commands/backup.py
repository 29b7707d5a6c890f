import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from compliance.backup import backup_create
from compliance.models import AuditCategory
from compliance.services.audit import audit_record


class Command(BaseCommand):
    help = "Encrypted pg_dump (custom format) of the database. Prints JSON with the file and sizes."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="File to write (default: .data/backups/fluxo-<time>.bak)")

    def handle(self, *args, output: Path | None, **options):
        output = output or Path(settings.BASE_DIR) / ".data" / "backups" / f"fluxo-{datetime.now():%Y%m%d-%H%M%S}.bak"
        # Recorded before the dump, so the backup carries its own audit entry and the chain stays verifiable.
        audit_record(action="backup.started", category=AuditCategory.SYSTEM, details={"file": output.name})
        try:
            report = backup_create(output)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(report))
