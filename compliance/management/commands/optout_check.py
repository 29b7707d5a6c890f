import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from compliance.models import ConsentSource
from compliance.optout import optout_model
from compliance.semantic import semantic_model
from compliance.services.consent import inbound_text_screen

# A number nobody has: the screen runs its writes for it and they are rolled back.
PROBE_CONTACT = "+550000000000"


class Command(BaseCommand):
    help = (
        "Show what Fluxo decides for one inbound text (stop, confirm, preference, resume or none) and its evidence. "
        "Runs the same screen as a real inbound WhatsApp message, inside a transaction that is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--text", default="", help="The inbound message text.")
        parser.add_argument(
            "--warm",
            action="store_true",
            help=(
                "Only train (or load) the classifier and the second opinion and keep them on disk, so worker "
                "processes load them at start."
            ),
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        if options.get("warm"):
            model = optout_model()
            second = semantic_model()
            self.stdout.write(model.version + (f" {second.version}" if second else ""))
            return
        text = options["text"]
        if not text.strip():
            raise CommandError(_("--text is empty: give the message to check."))
        with transaction.atomic():
            decision = inbound_text_screen(
                contact=PROBE_CONTACT, kind="phone", text=text, source=ConsentSource.WHATSAPP
            )
            transaction.set_rollback(True)  # the same writes a real message makes, none kept
        result = {"action": decision.action, "scope": decision.scope, "evidence": decision.evidence}
        if options.get("json"):
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"{decision.action} {json.dumps(decision.scope)} {json.dumps(decision.evidence)}")
