import json

from django.core.management.base import BaseCommand, CommandError

from compliance.services.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero and names the first broken entry on tampering."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        self.stdout.write(json.dumps(report.__dict__))
        if not report.ok:
            raise CommandError(f"Audit log tampered at entry #{report.broken_id}: {report.problem}.")
