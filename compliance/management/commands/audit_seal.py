import json

from django.core.management.base import BaseCommand

from compliance.services.audit import audit_seal


class Command(BaseCommand):
    help = (
        "Seal committed audit entries into the hash chain, in commit order (beat does this every minute and each "
        "commit kicks it; run it by hand before a verification or after a worker outage)."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps({"sealed": audit_seal()}))
