import json
import time

from django.core.management.base import BaseCommand

from qualification import services
from qualification.models import Trigger


class Command(BaseCommand):
    help = "Score leads under the active scoring config: the given ids, or every open lead with --open."

    def add_arguments(self, parser):
        parser.add_argument("lead_ids", nargs="*", type=int)
        parser.add_argument("--open", action="store_true", help="Every open lead.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, lead_ids, open, json: bool, **options):
        started = time.perf_counter()
        if open:
            run = services.leads_score_open(trigger=Trigger.MANUAL)
        else:
            run = services.leads_score(lead_ids=lead_ids, trigger=Trigger.MANUAL)
        result = {
            "scored": run.scored,
            "classes": dict(run.classes),
            "history_rows": run.history,
            "tags_changed": run.tags_changed,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(_dumps(result) if json else " ".join(f"{k}={v}" for k, v in result.items()))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
