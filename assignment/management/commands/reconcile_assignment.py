from django.core.management.base import BaseCommand

from assignment import services


class Command(BaseCommand):
    help = "Recount each consultant's open leads and conversion history from the leads (profiles created if missing)."

    def handle(self, *args, **options):
        n = services.counters_reconcile()
        self.stdout.write(f"{n} consultant profiles reconciled")
