from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from compliance.backup import backup_restore, database_url


class Command(BaseCommand):
    help = "Restore an encrypted backup into a database (default: this one). Existing objects are replaced."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-url", help="Target database (e.g. a scratch database to inspect first)")
        parser.add_argument("--yes", action="store_true", help="Confirm replacing the target's contents")

    def handle(self, *args, file: Path, database_url_arg=None, yes: bool = False, **options):
        target = options.get("database_url") or database_url()
        if not yes:
            raise CommandError("Restoring replaces the target database's contents: add --yes to confirm.")
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        try:
            report = backup_restore(file, url=target)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {file.name} (dumped from PostgreSQL {report['source_server']} by pg_dump "
                f"{report['pg_dump']}) into PostgreSQL {report['target_major']} with {report['pg_restore']}."
            )
        )
