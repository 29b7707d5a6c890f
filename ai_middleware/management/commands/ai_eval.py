"""``python manage.py ai_eval --provider local --json``: scores each field on the held-out part of the dataset."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ai_middleware import engine
from ai_middleware.evaluation import evaluate
from ai_middleware.local import dataset_split, local_engine
from ai_middleware.providers import provider as provider_for

# The targets the local engine must reach on the held-out set.
TARGETS = {"intent_macro_f1": 0.85, "budget_exact_match": 0.90}


class Command(BaseCommand):
    help = "Evaluate an extractor on the held-out messages of the labeled dataset (accuracy / F1 per field)."

    def add_arguments(self, parser):
        parser.add_argument("--provider", default="local", help="local, llm or fallback.")
        parser.add_argument("--json", action="store_true", help="Print only the JSON report.")
        parser.add_argument("--mistakes", action="store_true", help="List the intent mistakes too.")

    def handle(self, *args, provider: str, json: bool, mistakes: bool, **options):
        train, test = dataset_split()
        if provider == "local":
            extractor = local_engine().warm()

            def extract(text):
                return extractor.extract(text)

            model = extractor.model
        else:
            try:
                model = provider_for(provider).model
            except Exception as exc:
                raise CommandError(getattr(exc, "message", str(exc))) from exc

            def extract(text):
                return engine.extract(text, provider_name=provider).value

        report = evaluate(extract, test)
        fields = report["fields"]
        report = {
            "provider": provider,
            "model": model,
            "train_examples": len(train),
            **report,
            "targets": {
                "intent_macro_f1": {
                    "target": TARGETS["intent_macro_f1"],
                    "value": fields["intent"]["macro_f1"],
                    "met": fields["intent"]["macro_f1"] >= TARGETS["intent_macro_f1"],
                },
                "budget_exact_match": {
                    "target": TARGETS["budget_exact_match"],
                    "value": fields["budget"]["exact_match"],
                    "met": fields["budget"]["exact_match"] >= TARGETS["budget_exact_match"],
                },
            },
        }
        if not mistakes:
            report.pop("intent_mistakes")
        self.stdout.write(_dumps(report, indent=None if json else 2))


def _dumps(payload, indent=None) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=indent)
