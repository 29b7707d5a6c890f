"""``python manage.py ai_backfill --days 30``: extract every inbound message not extracted yet, in batches on the
``ai`` queue (or here and now with ``--now``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ai_middleware import services, tasks


class Command(BaseCommand):
    help = "Extract the inbound messages of the last N days that have no extraction yet (batch mode)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--batch", type=int, default=200)
        parser.add_argument("--now", action="store_true", help="Run in this process instead of the ai queue.")

    def handle(self, *args, days: int, batch: int, now: bool, **options):
        event_ids = services.extraction_backfill(days=days)
        if now:
            done = sum(services.extraction_for_event(event_id=event_id) is not None for event_id in event_ids)
            self.stdout.write(f"{done} messages extracted.")
            return
        for start in range(0, len(event_ids), batch):
            tasks.extract_batch_task.delay(event_ids[start : start + batch])
        self.stdout.write(f"{len(event_ids)} messages queued on the ai queue in batches of {batch}.")
