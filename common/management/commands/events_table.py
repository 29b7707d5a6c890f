"""Write docs/events.md: every domain signal, who sends it and who listens (see ``common.events``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from common.events import events_table_render


class Command(BaseCommand):
    help = "Write docs/events.md from the code: domain signals, their senders and receivers (--stdout: print it)."

    def add_arguments(self, parser):
        parser.add_argument("--stdout", action="store_true", help="print the table instead of writing the file")

    def handle(self, *args, **options):
        text = events_table_render()
        if options["stdout"]:
            self.stdout.write(text, ending="")
            return
        path = Path(settings.BASE_DIR) / "docs" / "events.md"
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
