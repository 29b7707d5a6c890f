import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compliance.services.audit import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log: the sealed hash chain and every entry's content hash. Exits non-zero and names the "
        "first edited, deleted or inserted entry; reports unsealed entries (warning when some are older than "
        "AUDIT_SEAL_STALE_MINUTES) and gaps of ids (transactions that rolled back)."
    )

    def handle(self, *args, **options):
        report = audit_chain_verify()
        self.stdout.write(json.dumps(report.as_dict()))
        if not report.ok:
            raise CommandError(f"Audit log tampered at entry #{report.broken_id}: {report.problem}.")
        if report.stale_unsealed:
            self.stderr.write(
                f"Warning: {report.stale_unsealed} audit entries (oldest #{report.oldest_unsealed_id}) are unsealed "
                f"after {settings.AUDIT_SEAL_STALE_MINUTES} minutes: is the sealer (Celery beat and a worker) "
                "running? `manage.py audit_seal` seals them now."
            )
