import json

from django.core.management.base import BaseCommand, CommandError

from qualification import services
from qualification.segmentation import SegmentationRefused


class Command(BaseCommand):
    help = (
        "Find behavioural segments (KMeans, k by silhouette among the k whose every cluster holds at least "
        "QUALIFICATION_SEGMENT_MIN_SHARE of the leads), name them by value and label every open lead; says so when "
        "no meaningful segmentation exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=20000, help="How many recent leads to fit on.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, leads: int, json: bool = False, **options):
        try:
            result = services.segmentation_fit(limit=leads)
        except SegmentationRefused as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_dumps(result))
            return
        if not result["meaningful"]:
            self.stdout.write(result["reason"])
            return
        self.stdout.write(f"k={result['k']} silhouette={result['silhouette']} monotonic={result['monotonic']}")
        for s in result["segments"]:
            self.stdout.write(f"  {s['rank']}. {s['key']}: {s['size']} leads, won rate {s['outcome_rate']}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
