"""Demo data: a supervisor, five consultants, an admin, an integrator and 2,000 leads with timelines.

Idempotent: users, team and sources are looked up by name, leads by their ``demo-NNNNN`` reference, so a
second run creates nothing. Deterministic: each lead comes from a Faker seeded with its number.

The command sits at the top of the map (assignment is the highest app) and only orchestrates: each app writes its
own tables in its ``demo`` module, from plain data (ids, phones, users) the command reads from the app above.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from antiban.health import number_states
from assignment.demo import consultants_demo_ensure
from compliance.demo import consent_demo_records_create, users_demo_ensure
from compliance.services.tokens import SCOPES, api_token_issue, api_tokens_revoke_named
from leads.demo import (
    lead_chats_demo_choose,
    lead_contacts_demo_list,
    lead_message_events_demo_create,
    leads_demo_create,
)
from whatsapp.demo import whatsapp_demo_chats_create
from whatsapp.services import whatsapp_demo_number_ensure, whatsapp_demo_warmed_number_ensure

CHATS_PER_CONSULTANT = 12


class Command(BaseCommand):
    help = "Create demo users, a team, sources and 2,000 leads with timelines (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=2000, help="How many demo leads should exist.")
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            help="How many closed (won/lost) historical leads should exist, with an outcome that depends on the "
            "lead's facts the way real sales do (something a model can learn).",
        )
        parser.add_argument("--force", action="store_true", help="Allow running with DEBUG off.")

    def handle(self, *args, leads: int, force: bool, history: int = 0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password; use --force to run it with DEBUG off."
            )
        with transaction.atomic():
            people = users_demo_ensure()
            team = consultants_demo_ensure(supervisor=people["supervisor"], consultants=people["consultants"])
            created, total = leads_demo_create(
                total=leads, history=history, consultants=people["consultants"], team_id=team.pk
            )
            numbers = self._numbers()
            # The legal basis of the demo leads' contacts: a few opted out, some never ticked marketing.
            consent_demo_records_create(contacts=lead_contacts_demo_list())
            # The demo inbox: conversations on the warmed-up number (the one the team talks on) for the consultants'
            # open leads, and the same messages on the leads' timelines.
            chats = lead_chats_demo_choose(per_owner=CHATS_PER_CONSULTANT)
            messages = whatsapp_demo_chats_create(number_id=numbers[1].pk, chats=chats)
            lead_message_events_demo_create(messages=messages)
        self._print_logins(people, created, total)

    def _numbers(self):
        """The fresh demo number (in warm-up from its first day) and a warmed-up one with a month of history behind
        its 1K tier, so a small bulk send goes green and a large one is held back with its reasons."""
        fresh = whatsapp_demo_number_ensure()
        warmed = whatsapp_demo_warmed_number_ensure(account=fresh.account)
        number_states([fresh, warmed])  # first sight: a number registered in the last days starts its warm-up
        return fresh, warmed

    def _print_logins(self, people, created: int, total: int) -> None:
        password = settings.FLUXO_DEMO_PASSWORD
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo data ready: {created} new leads ({total} in total)."))
        out.write(f"Demo logins (password for all: {password}):")
        out.write("  admin        — Django admin and everything")
        site = f"http://{os.environ.get('FLUXO_HOST', '127.0.0.1')}:{os.environ.get('FLUXO_PORT', '8000')}"
        out.write(f"  supervisor   — team overview: {site}/supervisor/")
        out.write(f"  consultant1 … consultant5 — My leads: {site}/leads/")
        key = self._demo_token(people["integrator"])
        out.write(f"  integrator   — API token: {key}  (Authorization: Token …; docs at /api/docs/)")

    def _demo_token(self, integrator) -> str:
        """Keys are stored hashed, so each run revokes the previous demo token and prints a fresh one."""
        api_tokens_revoke_named(user=integrator, name="demo")
        _token, key = api_token_issue(user=integrator, name="demo", scopes=list(SCOPES), expires_in_days=30)
        return key
