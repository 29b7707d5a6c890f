import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compliance.optout_eval import optout_eval_report, optout_evaluate


class Command(BaseCommand):
    help = (
        "Opt-out decision figures: recall on stop requests (asked separately), false suppressions, per-action "
        "accuracy — on a group-aware split of the training data and on the challenge set side by side, or on --file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Score this family|expected|scope|text file instead.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        path = options.get("file")
        try:
            report = {"file": path, **optout_evaluate(path)} if path else optout_eval_report()
        except (OSError, ValueError) as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}) from error
        if options.get("json"):
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
