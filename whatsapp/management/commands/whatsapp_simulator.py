"""``manage.py whatsapp_simulator --port 8765``: the local Cloud API counterpart for development and demos."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from whatsapp.models import BusinessAccount, PhoneNumber
from whatsapp.services import templates_sync
from whatsapp.simulator import GraphSimulator

DEMO_TEMPLATES = [
    {
        "name": "convite_visita",
        "language": "pt_BR",
        "category": "MARKETING",
        "status": "APPROVED",
        "components": [
            {"type": "BODY", "text": "Olá {{1}}! O lançamento {{2}} abre visitas esta semana. Quer agendar?"},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    },
    {
        "name": "retomar_contato",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [{"type": "BODY", "text": "Olá {{1}}, aqui é {{2}} da Fluxo. Podemos continuar a conversa?"}],
    },
]


class Command(BaseCommand):
    help = "Run the local WhatsApp Cloud API simulator (messages, media, templates, signed webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.WHATSAPP_SIMULATOR_PORT)
        parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/webhooks/whatsapp/")
        parser.add_argument("--throughput", type=int, default=80, help="messages/s per number before 130429")
        parser.add_argument("--pair-interval", type=float, default=6.0, help="seconds per recipient before 131056")
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
        parser.add_argument("--shuffle", type=float, default=0.1, help="share of messages with out-of-order statuses")
        parser.add_argument("--duplicates", type=float, default=0.05, help="share of statuses delivered twice")
        parser.add_argument("--fail-rate", type=float, default=0.0, help="share of sends failing with 131000")
        parser.add_argument("--auto-reply", type=float, default=0.3, help="share of read messages that get an answer")
        parser.add_argument(
            "--inject-limits", type=float, default=0.0, help="share of sends refused with 130429/131056 regardless"
        )
        parser.add_argument("--statuses", default="sent,delivered,read", help="the statuses each message reports")
        parser.add_argument("--status-delay", type=float, default=0.5, help="seconds between a message's statuses")

    def handle(self, *args, **options):
        accounts = list(BusinessAccount.objects.filter(is_active=True))
        token = accounts[0].access_token if accounts else "simulator-token"
        simulator = GraphSimulator(
            access_token=token,
            app_secret=settings.WHATSAPP_APP_SECRET,
            port=options["port"],
            webhook_url=options["webhook_url"],
            throughput_mps=options["throughput"],
            pair_interval_s=options["pair_interval"],
            latency_s=options["latency"],
            shuffle_statuses=options["shuffle"],
            duplicate_statuses=options["duplicates"],
            auto_reply=options["auto_reply"],
            fail_rate=options["fail_rate"],
            inject_limits=options["inject_limits"],
            status_steps=tuple(s for s in options["statuses"].split(",") if s),
            status_delay_s=options["status_delay"],
        )
        for number in PhoneNumber.objects.select_related("account"):
            simulator.number_add(number.phone_number_id, number.display_number, number.account.waba_id)
        for account in accounts:
            for template in DEMO_TEMPLATES:
                simulator.template_add(account.waba_id, template)
        simulator.start()
        self.stdout.write(
            f"WhatsApp simulator on {simulator.url} — {len(simulator.numbers)} number(s); webhooks to "
            f"{options['webhook_url']}. POST {simulator.url}/_simulator/inbound "
            '{"from": "5511…", "text": "…"} makes a customer write.'
        )
        if accounts and settings.WHATSAPP_BACKEND == "simulator":
            threading.Thread(target=self._sync_templates, args=(accounts,), daemon=True).start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            simulator.stop()

    def _sync_templates(self, accounts) -> None:
        time.sleep(0.5)
        for account in accounts:
            templates_sync(account=account)
