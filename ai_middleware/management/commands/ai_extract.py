"""``python manage.py ai_extract --provider local --text "tenho uns 400 mil, qto ta o apto?" --json``"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ai_middleware import engine
from common.errors import ApplicationError


class Command(BaseCommand):
    help = "Extract intent, budget, urgency, objections… from one message and print the object."

    def add_arguments(self, parser):
        parser.add_argument("--text", required=True, help="The customer's message.")
        parser.add_argument(
            "--provider", default="auto", help="local, auto (local, escalating when unsure), llm or fallback."
        )
        parser.add_argument("--json", action="store_true", help="Print only the JSON object.")

    def handle(self, *args, text: str, provider: str, json: bool, **options):
        try:
            answer = engine.extract(text, provider_name=provider)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        payload = answer.value.model_dump()
        if json:
            self.stdout.write(_dumps(payload))
            return
        self.stdout.write(f"provider: {answer.provider} · model: {answer.model}")
        if answer.prompt:
            self.stdout.write(f"prompt: {answer.prompt.label}")
        for note in answer.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(_dumps(payload, indent=2))


def _dumps(payload, indent=None) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=indent)
