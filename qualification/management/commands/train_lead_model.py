import json

from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from qualification import services


class Command(BaseCommand):
    help = (
        "Train a calibrated gradient-boosting model on won vs lost leads, report it next to the rules on a "
        "time-ordered hold-out, store it, and let it serve only if it beats the rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the training report as JSON.")

    def handle(self, *args, json: bool = False, **options):
        try:
            _model, report = services.lead_model_train()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if json:
            self.stdout.write(_dumps(report))
            return
        m, r = report["model"], report["rules"]
        self.stdout.write(
            f"model v{report['version']}: AUC {m['auc']} (rules {r['auc']}), precision@10% "
            f"{m['precision_top_decile']} (rules {r['precision_top_decile']}), Brier {m['calibration']['brier']} "
            f"(rules {r['calibration']['brier']}) on {report['holdout']} hold-out leads → "
            + ("SERVING" if report["serving"] else "not serving; the rules keep serving")
        )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
