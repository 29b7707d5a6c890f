"""Demo data: a supervisor, five consultants, an admin, an integrator and 2,000 leads with timelines.

Idempotent: users, team and sources are looked up by name, leads by their ``demo-NNNNN`` reference, so a
second run creates nothing. Deterministic: each lead comes from a Faker seeded with its number.
"""

from __future__ import annotations

import math
import os
import random
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from antiban.health import number_states
from assignment.models import ConsultantProfile
from assignment.services import profile_for, team_ensure
from compliance.roles import Role, role_grant
from leads.models import (
    ContactKind,
    ContactPoint,
    EventChannel,
    EventKind,
    InterestType,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStage,
    SourceKind,
)
from leads.normalization import name_key
from leads.services import tag_get_or_create_path
from whatsapp.services import whatsapp_demo_number_ensure, whatsapp_demo_warmed_number_ensure

SOURCES = [
    ("Facebook Lead Ads — Lançamento Jardins", SourceKind.ADS),
    ("Google Ads — Formulário Investidor", SourceKind.ADS),
    ("Base histórica 2025", SourceKind.HISTORICAL),
    ("Formulário do site", SourceKind.WEB_FORM),
    ("Indicações de clientes", SourceKind.REFERRAL),
    ("Planilha Feira de Imóveis", SourceKind.MANUAL_IMPORT),
    ("Portal parceiro (API)", SourceKind.API),
    ("WhatsApp — número principal", SourceKind.WHATSAPP_INBOUND),
]
CITIES = [
    ("São Paulo", "SP", "11"),
    ("Campinas", "SP", "19"),
    ("Santos", "SP", "13"),
    ("Rio de Janeiro", "RJ", "21"),
    ("Niterói", "RJ", "21"),
    ("Belo Horizonte", "MG", "31"),
    ("Curitiba", "PR", "41"),
    ("Porto Alegre", "RS", "51"),
    ("Florianópolis", "SC", "48"),
    ("Salvador", "BA", "71"),
    ("Recife", "PE", "81"),
    ("Fortaleza", "CE", "85"),
    ("Brasília", "DF", "61"),
    ("Goiânia", "GO", "62"),
    ("Vitória", "ES", "27"),
]
STAGE_WEIGHTS = {
    LeadStage.NEW: 30,
    LeadStage.CONTACTED: 22,
    LeadStage.QUALIFIED: 14,
    LeadStage.MEETING: 8,
    LeadStage.PROPOSAL: 6,
    LeadStage.WON: 5,
    LeadStage.LOST: 9,
    LeadStage.NURTURING: 6,
}
STAGE_PATH = [LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.MEETING, LeadStage.PROPOSAL, LeadStage.WON]
INBOUND = [
    "Oi, vi o anúncio do lançamento, ainda tem unidade de 2 quartos?",
    "Qual o valor da entrada? Consigo financiar pela Caixa?",
    "Tenho uns 350 mil pra investir, o que vcs recomendam?",
    "Pode me mandar a planta e a tabela de preços?",
    "Agora não é um bom momento, me chama mês que vem",
    "Preciso conversar com minha esposa antes de decidir",
    "Qto fica o condomínio?",
    "Quero agendar uma visita no sábado de manhã",
    "Vcs aceitam meu apartamento como parte do pagamento?",
    "Achei caro, tem algo mais em conta na zona sul?",
]
OUTBOUND = [
    "Olá! Aqui é da Fluxo Investimentos, obrigado pelo interesse. Posso te ajudar com alguma dúvida?",
    "Segue a tabela atualizada e a planta do 2 dormitórios.",
    "Temos horários no sábado às 10h ou às 11h30. Qual prefere?",
    "Consigo simular o financiamento pra você, qual sua renda familiar aproximada?",
]
NOTES = [
    "Cliente investidor, já tem dois imóveis na planta. Prefere contato à noite.",
    "Ligou pedindo retorno sobre a simulação de financiamento.",
    "Visita agendada com a esposa; levar material do decorado.",
    "Sem resposta após três tentativas. Tentar de novo na próxima semana.",
    "Interessado em unidade com vaga dupla; orçamento apertado.",
]
TAGS = [
    "interesse/apartamento/alto-padrão",
    "interesse/apartamento/compacto",
    "interesse/casa",
    "perfil/investidor",
    "perfil/primeiro-imóvel",
    "evento/feira-2026",
]


def _win_logit(budget_k: int, kind: str, *, intent=None, replies: int = 0, objections=(), urgency=None) -> float:
    """The demo's hidden truth about who buys: non-linear in the budget (mid-range converts, the top end rarely),
    better from referrals and WhatsApp, intent × replies interacting, objections and a wrong person losing."""
    logit = -1.6
    logit += 1.0 if 400 <= budget_k < 1000 else (-0.2 if budget_k < 400 else -0.9)
    if intent is not None:
        logit += {"schedule_meeting": 1.4, "interested": 0.6, "price_question": 0.2, "wants_info": 0.0}.get(
            intent, -2.5
        )
    logit += {SourceKind.REFERRAL: 1.0, SourceKind.WHATSAPP_INBOUND: 0.5, SourceKind.HISTORICAL: -0.6}.get(kind, 0.0)
    logit += 0.9 * min(replies, 3) / 3 + (0.8 if intent == "schedule_meeting" and replies >= 2 else 0.0)
    logit -= 0.7 * len(objections) - (0.5 if "financing" in objections and budget_k >= 1000 else 0.0)
    logit += {"high": 0.5, "medium": 0.2, "low": -0.4}.get(urgency, 0.0)
    return logit


CHATS_PER_CONSULTANT = 12
CHAT_STATES = ("unread", "waiting", "closing", "answered", "quiet", "answered")
CHAT_IN = [
    *INBOUND,
    "Boa tarde! Ainda tem unidade com varanda gourmet?",
    "Consigo visitar o decorado amanhã depois das 18h?",
    "Recebi a tabela, obrigado. O valor do condomínio já está incluso?",
    "Vocês fazem permuta com carro?",
    "Pode me ligar agora? Estou com 10 minutos livres",
]
CHAT_OUT = [
    "Oi {name}, tudo bem? Aqui é da Fluxo Imóveis. Vi seu interesse no lançamento, posso te ajudar?",
    "{name}, segue a tabela atualizada. A entrada pode ser parcelada em até 36x.",
    "Temos horário amanhã às 10h ou às 15h no decorado. Qual fica melhor pra você?",
    "Consigo fazer a simulação com a Caixa e com o Itaú, me passa sua renda aproximada?",
    "Perfeito, {name}! Vou separar as plantas de 2 e 3 dormitórios e te mando ainda hoje.",
]

# Room for the demo's day: each consultant holds ~300 open leads and the first roulette hands out the unowned ones
# (~45 each), so a rebalance of one consultant (~300 leads over the other four) and a bulk assignment of a few leads
# fit in today's limit; a supervisor can still make a consultant full to see the capacity tools at work.
DEMO_MAX_OPEN = 600
DEMO_MAX_NEW_PER_DAY = 150
OLD_DEMO_CAPS = (600, 80)
DEMO_USER_AGENT = "Mozilla/5.0 (Linux; Android 14) Chrome/126 Mobile"


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
            people = self._people()
            team = self._team(people)
            sources = [LeadSource.objects.get_or_create(name=n, defaults={"kind": k})[0] for n, k in SOURCES]
            tags = [tag_get_or_create_path(path) for path in TAGS]
            created = self._leads(leads, people["consultants"], team, sources, tags)
            created += self._history(history, people["consultants"], team, sources)
            numbers = self._numbers()
            self._consent()
            self._conversations(numbers[1])  # the warmed-up number: the one the team talks on
        self._print_logins(people, created)

    def _numbers(self):
        """The fresh demo number (in warm-up from its first day) and a warmed-up one with a month of history behind
        its 1K tier, so a small bulk send goes green and a large one is held back with its reasons."""
        fresh = whatsapp_demo_number_ensure()
        warmed = whatsapp_demo_warmed_number_ensure(account=fresh.account)
        number_states([fresh, warmed])  # first sight: a number registered in the last days starts its warm-up
        return fresh, warmed

    def _consent(self) -> int:
        """The legal basis the real flows record, for the demo leads: the form they filled (service under
        preliminary procedures, marketing with the box ticked and the exact text shown), with its evidence. Not
        for everyone, so a bulk send shows its refusals: a third of the historical base and of the fair's paper forms
        have no marketing consent, a few people sent "SAIR" (on the do-not-contact list, marketing revoked), a few
        typed a landline. Idempotent: each record names its lead in ``evidence.demo_ref``."""
        from compliance.models import (
            AuditCategory,
            ConsentChannel,
            ConsentPurpose,
            ConsentRecord,
            ConsentSource,
            ConsentStatus,
            LegalBasis,
            SuppressionReason,
        )
        from compliance.services.audit import audit_record
        from compliance.services.consent import contact_index, contact_mask, marketing_consent_text, suppression_add

        done = set(
            ConsentRecord.objects.filter(evidence__has_key="demo_ref").values_list("evidence__demo_ref", flat=True)
        )
        phones = (
            ContactPoint.objects.filter(lead__external_ref__startswith="demo-", kind=ContactKind.PHONE, is_primary=True)
            .exclude(lead__external_ref__in=done)
            .values_list("lead__external_ref", "lead__source__kind", "lead__source__name", "lead__created_at", "value")
        )
        text = marketing_consent_text()
        records, stops = [], []
        for ref, kind, source_name, created_at, phone in phones:
            n = int(ref[5:])
            evidence = {"demo_ref": ref, "form": source_name, "page": "/lancamento-jardins/", "checkbox": "marketing"}
            source = {
                SourceKind.API: ConsentSource.API,
                SourceKind.WHATSAPP_INBOUND: ConsentSource.WHATSAPP,
                SourceKind.MANUAL_IMPORT: ConsentSource.IMPORT,
                SourceKind.HISTORICAL: ConsentSource.IMPORT,
            }.get(kind, ConsentSource.FORM)
            row = {
                "subject_index": contact_index(phone, "phone"),
                "contact_kind": "phone",
                "contact_hint": contact_mask(phone, "phone"),
                "channel": ConsentChannel.ANY,
                "source": source,
                "occurred_at": created_at,
                "ip_address": f"203.0.113.{n % 250 + 1}" if source == ConsentSource.FORM else None,
                "user_agent": DEMO_USER_AGENT if source == ConsentSource.FORM else "",
            }
            records.append(
                ConsentRecord(
                    **row,
                    purpose=ConsentPurpose.SERVICE,
                    legal_basis=LegalBasis.CONTRACT,
                    status=ConsentStatus.GRANTED,
                    evidence=evidence,
                )
            )
            ticked = kind not in (SourceKind.HISTORICAL, SourceKind.MANUAL_IMPORT) or n % 3 != 0
            if ticked and text is not None:
                records.append(
                    ConsentRecord(
                        **row,
                        purpose=ConsentPurpose.MARKETING,
                        legal_basis=LegalBasis.CONSENT,
                        status=ConsentStatus.GRANTED,
                        text=text,
                        evidence=evidence,
                    )
                )
            if n % 29 == 10:  # answered a campaign with "SAIR" a week after signing up
                stopped = {**row, "source": ConsentSource.WHATSAPP, "ip_address": None, "user_agent": ""}
                # never in the future: a lead who arrived this week said it today at the latest
                stopped["occurred_at"] = min(created_at + timedelta(days=7), timezone.now())
                records.append(
                    ConsentRecord(
                        **stopped,
                        purpose=ConsentPurpose.MARKETING,
                        legal_basis=LegalBasis.CONSENT,
                        status=ConsentStatus.REVOKED,
                        evidence={"demo_ref": ref, "layer": "keyword", "keyword": "SAIR"},
                    )
                )
                stops.append(phone)
        ConsentRecord.objects.bulk_create(records, batch_size=2000)
        for phone in stops:
            suppression_add(contact=phone, kind="phone", reason=SuppressionReason.KEYWORD, details={"demo": True})
        if records:
            audit_record(
                action="consent.demo_seeded",
                category=AuditCategory.CONSENT,
                details={"records": len(records), "opted_out": len(stops)},
            )
        return len(records)

    def _conversations(self, number, *, per_consultant: int = CHATS_PER_CONSULTANT) -> int:
        """WhatsApp conversations of the last days for the consultants' open leads, in the rows the webhook path
        writes (``whatsapp.Message`` in and out, the customer-service window each inbound message opens, the lead's
        timeline events): some with a message nobody opened, some waiting for our answer, some whose 24 h window
        closes within two hours, some answered, some gone quiet. Idempotent: the wamids name the lead."""
        from whatsapp.models import Direction, Message, MessageStatus, ServiceWindow

        if Message.objects.filter(wamid__startswith="wamid.demo-chat-").exists():
            return 0
        now = timezone.now()
        leads = list(
            Lead.objects.filter(
                external_ref__startswith="demo-",
                owner__isnull=False,
                stage__in=[LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.MEETING],
                contact_points__kind=ContactKind.PHONE,
                contact_points__is_whatsapp=True,
            )
            .select_related("owner")
            .order_by("owner_id", "-created_at")
            .distinct()
        )
        chosen, per_owner = [], {}
        for lead in leads:
            if per_owner.get(lead.owner_id, 0) < per_consultant:
                per_owner[lead.owner_id] = per_owner.get(lead.owner_id, 0) + 1
                chosen.append(lead)
        phones = dict(
            ContactPoint.objects.filter(lead__in=chosen, kind=ContactKind.PHONE, is_primary=True).values_list(
                "lead_id", "value"
            )
        )
        messages, events, windows = [], [], {}
        for index, lead in enumerate(chosen):
            contact = phones.get(lead.pk)
            if not contact:
                continue
            rng = random.Random(f"chat-{lead.external_ref}")
            state = CHAT_STATES[index % len(CHAT_STATES)]
            last_at = (
                now
                - {
                    "unread": timedelta(minutes=rng.randint(5, 150)),
                    "waiting": timedelta(hours=rng.uniform(3, 12)),
                    "closing": timedelta(hours=rng.uniform(22.2, 23.5)),
                    "answered": timedelta(hours=rng.uniform(1, 20)),
                    "quiet": timedelta(days=rng.uniform(2, 6)),
                }[state]
            )
            turns = rng.randint(2, 5)
            # The thread, oldest first, ending with the customer (unread, waiting, closing) or with us.
            ends_in = state in ("unread", "waiting", "closing")
            directions = [
                Direction.INBOUND if ((turns - 1 - i) % 2 == 0) == ends_in else Direction.OUTBOUND for i in range(turns)
            ]
            directions[0] = Direction.INBOUND  # they wrote first (an ad, the site's WhatsApp button)
            at = last_at - timedelta(hours=rng.uniform(2, 30))
            for turn, direction in enumerate(directions):
                at = last_at if turn == turns - 1 else at + (last_at - at) * rng.uniform(0.2, 0.6)
                inbound = direction == Direction.INBOUND
                text = rng.choice(CHAT_IN if inbound else CHAT_OUT).format(name=lead.full_name.split(" ")[0])
                unread = inbound and state == "unread" and turn == turns - 1
                message = Message(
                    number=number,
                    contact=contact,
                    direction=direction,
                    wamid=f"wamid.demo-chat-{lead.external_ref}-{turn}",
                    kind="text",
                    text=text,
                    payload={"type": "text", "text": {"body": text}} if inbound else {},
                    status=MessageStatus.RECEIVED if inbound else MessageStatus.READ,
                    sent_by_id=None if inbound else lead.owner_id,
                    created_at=at,
                    sent_at=None if inbound else at,
                    delivered_at=None if inbound else at + timedelta(seconds=3),
                    read_at=None if unread else at + timedelta(minutes=rng.randint(1, 30)),
                )
                messages.append(message)
                if inbound:
                    windows[contact] = at
                events.append((lead, message))
        Message.objects.bulk_create(messages, batch_size=1000)
        for contact, at in windows.items():
            ServiceWindow.objects.update_or_create(
                number=number, contact=contact, defaults={"last_inbound_at": at, "expires_at": at + timedelta(hours=24)}
            )
        LeadEvent.objects.bulk_create(
            [
                LeadEvent(
                    lead=lead,
                    kind=EventKind.MESSAGE_IN if message.direction == Direction.INBOUND else EventKind.MESSAGE_OUT,
                    channel=EventChannel.WHATSAPP,
                    actor=None if message.direction == Direction.INBOUND else lead.owner,
                    occurred_at=message.created_at,
                    created_at=message.created_at,
                    payload={"message_id": message.pk, "type": "text", "text": message.text},
                )
                for lead, message in events
            ],
            batch_size=1000,
        )
        return len(messages)

    def _people(self) -> dict:
        user_model = get_user_model()
        fake = Faker("pt_BR")
        fake.seed_instance(2026)
        password = settings.FLUXO_DEMO_PASSWORD

        def person(username: str, role: Role, **extra):
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": fake.first_name(),
                    "last_name": fake.last_name(),
                    "email": f"{username}@demo.fluxo.local",
                    **extra,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            role_grant(user=user, role=role)
            return user

        admin = person("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        supervisor = person("supervisor", Role.SUPERVISOR)
        consultants = [person(f"consultant{i}", Role.CONSULTANT) for i in range(1, 6)]
        integrator = person("integrator", Role.INTEGRATOR)
        return {"admin": admin, "supervisor": supervisor, "consultants": consultants, "integrator": integrator}

    def _team(self, people):
        team = team_ensure(name="Equipe São Paulo", supervisor=people["supervisor"], members=people["consultants"])
        # The demo team works around the clock so the roulette can be watched at any hour; specialties differ.
        skills = [
            (["apartment"], None, 900_000, ["SP"]),
            (["apartment", "house"], 700_000, None, ["SP", "RJ"]),
            (["house", "land"], None, None, ["MG", "PR", "RS", "SC"]),
            (["commercial", "investment"], 500_000, None, []),
            ([], None, None, []),
        ]
        for user, (types, low, high, regions) in zip(people["consultants"], skills, strict=True):
            profile = profile_for(
                user,
                property_types=types,
                price_min=low,
                price_max=high,
                regions=regions,
                max_open_leads=DEMO_MAX_OPEN,
                max_new_per_day=DEMO_MAX_NEW_PER_DAY,
                work_days=list(range(7)),
                work_start=time(0, 0),
                work_end=time(23, 59, 59),
            )
            if (profile.max_open_leads, profile.max_new_per_day) == OLD_DEMO_CAPS:  # a demo seeded before: its room
                ConsultantProfile.objects.filter(pk=profile.pk).update(
                    max_open_leads=DEMO_MAX_OPEN, max_new_per_day=DEMO_MAX_NEW_PER_DAY
                )
        return team

    def _leads(self, total: int, consultants, team, sources, tags) -> int:
        existing = set(Lead.objects.filter(external_ref__startswith="demo-").values_list("external_ref", flat=True))
        wanted = [n for n in range(1, total + 1) if f"demo-{n:05d}" not in existing]
        if not wanted:
            return 0
        now = timezone.now()
        fake = Faker("pt_BR")
        leads, plans = [], []
        for n in wanted:
            fake.seed_instance(n)
            rng = random.Random(n)
            city, uf, ddd = rng.choice(CITIES)
            created_at = now - timedelta(days=rng.uniform(0, 180), minutes=rng.randint(0, 600))
            stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
            budget = Decimal(rng.randrange(180, 2400, 10) * 1000)
            if stage in (LeadStage.WON, LeadStage.LOST):  # closed demo leads follow the same truth as the history
                logit = _win_logit(int(budget / 1000), sources[n % len(sources)].kind) + 0.8
                stage = LeadStage.WON if rng.random() < 1 / (1 + math.exp(-logit)) else LeadStage.LOST
            owner = None if stage == LeadStage.NEW and rng.random() < 0.4 else consultants[n % len(consultants)]
            full_name = f"{fake.first_name()} {fake.last_name()}"
            leads.append(
                Lead(
                    full_name=full_name,
                    name_key=name_key(full_name),
                    city=city,
                    state=uf,
                    budget_min=(budget * Decimal("0.8")).quantize(1),
                    budget_max=budget,
                    interest_type=rng.choice(InterestType.values),
                    source=sources[n % len(sources)],
                    external_ref=f"demo-{n:05d}",
                    stage=stage,
                    stage_changed_at=created_at,
                    owner=owner,
                    team=team,
                    created_at=created_at,
                    last_interest_at=created_at,
                    recurrence_count=1 + (rng.random() < 0.12),
                    campaign_ref=f"camp-{rng.randint(100, 120)}"
                    if sources[n % len(sources)].kind == SourceKind.ADS
                    else "",
                )
            )
            plans.append((rng, ddd, fake.email(), stage, created_at, owner))
        Lead.objects.bulk_create(leads, batch_size=1000)
        points, events, tag_links = [], [], []
        through = Lead.tags.through
        for lead, (rng, ddd, email, stage, created_at, owner) in zip(leads, plans, strict=True):
            first, last = rng.randint(6000, 9999), rng.randint(0, 9999)
            landline = int(lead.external_ref[5:]) % 40 == 7  # a few typed a landline: no WhatsApp, refused in bulk
            phone = f"+55{ddd}3{first % 1000:03d}{last:04d}" if landline else f"+55{ddd}9{first}{last:04d}"
            points.append(
                ContactPoint(lead=lead, kind=ContactKind.PHONE, value=phone, is_primary=True, is_whatsapp=not landline)
            )
            if rng.random() < 0.7:
                points.append(ContactPoint(lead=lead, kind=ContactKind.EMAIL, value=email.lower(), is_primary=True))
            for tag in rng.sample(tags, k=rng.randint(0, 2)):
                tag_links.append(through(lead=lead, tag=tag))
            events.extend(self._timeline(lead, rng, stage, created_at, owner))
        ContactPoint.objects.bulk_create(points, batch_size=2000)
        LeadEvent.objects.bulk_create(events, batch_size=2000)
        through.objects.bulk_create(tag_links, batch_size=2000, ignore_conflicts=True)
        return len(leads)

    def _history(self, total: int, consultants, team, sources) -> int:
        """Closed leads of the past two years whose outcome follows their facts: a mid-range budget, a referral or a
        WhatsApp contact, several replies and a visit request win more; objections, a wrong person or silence lose.
        Their AI profile is stored as read at the time."""
        existing = set(Lead.objects.filter(external_ref__startswith="hist-").values_list("external_ref", flat=True))
        wanted = [n for n in range(1, total + 1) if f"hist-{n:05d}" not in existing]
        if not wanted:
            return 0
        now = timezone.now()
        fake = Faker("pt_BR")
        by_kind = {s.kind: s for s in sources}
        leads, plans = [], []
        for n in wanted:
            fake.seed_instance(100_000 + n)
            rng = random.Random(100_000 + n)
            city, uf, _ddd = rng.choice(CITIES)
            created_at = now - timedelta(days=760 - (n / max(total, 1)) * 540, minutes=rng.randint(0, 600))
            kind = rng.choice(
                [
                    SourceKind.ADS,
                    SourceKind.ADS,
                    SourceKind.WEB_FORM,
                    SourceKind.REFERRAL,
                    SourceKind.WHATSAPP_INBOUND,
                    SourceKind.HISTORICAL,
                ]
            )
            budget = rng.choice(
                [rng.randrange(150, 400, 10), rng.randrange(400, 1000, 10), rng.randrange(1000, 3000, 50)]
            )
            intent = rng.choices(
                ["interested", "schedule_meeting", "price_question", "wants_info", "not_interested", "wrong_person"],
                weights=[30, 12, 18, 25, 10, 5],
            )[0]
            urgency = rng.choice(["high", "medium", "low", "unknown"])
            objections = rng.sample(
                ["price", "financing", "timing", "spouse_decision", "location"], k=rng.choice([0, 0, 1, 1, 2, 3])
            )
            replies = rng.choice([0, 0, 1, 2, 3, 4, 6])
            logit = _win_logit(budget, kind, intent=intent, replies=replies, objections=objections, urgency=urgency)
            won = rng.random() < 1 / (1 + math.exp(-logit))
            full_name = f"{fake.first_name()} {fake.last_name()}"
            interest = rng.choice(InterestType.values)
            ai = {
                "intent": intent,
                "urgency": urgency,
                "objections": sorted(objections),
                "sentiment": "positive"
                if won and rng.random() < 0.6
                else rng.choice(["neutral", "negative", "positive"]),
                "buying_stage": rng.choice(["awareness", "consideration", "decision"]),
            }
            closed_at = created_at + timedelta(days=rng.uniform(5, 90))
            leads.append(
                Lead(
                    full_name=full_name,
                    name_key=name_key(full_name),
                    city=city,
                    state=uf,
                    budget_min=Decimal(budget * 800),
                    budget_max=Decimal(budget * 1000),
                    interest_type=interest,
                    source=by_kind[kind],
                    external_ref=f"hist-{n:05d}",
                    stage=LeadStage.WON if won else LeadStage.LOST,
                    stage_changed_at=closed_at,
                    owner=consultants[n % len(consultants)],
                    team=team,
                    created_at=created_at,
                    last_interest_at=created_at,
                    attributes={"ai": ai},
                )
            )
            plans.append((rng, replies, created_at, closed_at))
        Lead.objects.bulk_create(leads, batch_size=1000)
        events = []
        for lead, (rng, replies, created_at, closed_at) in zip(leads, plans, strict=True):
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=EventKind.CREATED,
                    channel=EventChannel.IMPORT,
                    occurred_at=created_at,
                    created_at=created_at,
                    payload={"source": lead.source.name, "source_kind": lead.source.kind},
                )
            )
            at = created_at + timedelta(minutes=rng.randint(5, 120))
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=EventKind.MESSAGE_OUT,
                    channel=EventChannel.WHATSAPP,
                    actor=lead.owner,
                    occurred_at=at,
                    created_at=at,
                    payload={"text": rng.choice(OUTBOUND)},
                )
            )
            for _ in range(replies):
                at += timedelta(hours=rng.uniform(1, 48))
                events.append(
                    LeadEvent(
                        lead=lead,
                        kind=EventKind.MESSAGE_IN,
                        channel=EventChannel.WHATSAPP,
                        occurred_at=at,
                        created_at=at,
                        payload={"text": rng.choice(INBOUND)},
                    )
                )
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=EventKind.STAGE_CHANGED,
                    channel=EventChannel.WEB,
                    actor=lead.owner,
                    occurred_at=closed_at,
                    created_at=closed_at,
                    payload={"from": LeadStage.CONTACTED, "to": lead.stage, "reason": ""},
                )
            )
        LeadEvent.objects.bulk_create(events, batch_size=2000)
        return len(leads)

    def _timeline(self, lead, rng, stage, created_at, owner):
        source = lead.source
        at = created_at
        now = timezone.now()  # a recent lead's story ends now, never in the future (it would sit above new events)
        yield LeadEvent(
            lead=lead,
            kind=EventKind.CREATED,
            channel=EventChannel.IMPORT,
            occurred_at=at,
            created_at=at,
            payload={"source": source.name, "source_kind": source.kind},
        )
        if owner:
            at = min(at + timedelta(minutes=rng.randint(2, 90)), now)
            yield LeadEvent(
                lead=lead,
                kind=EventKind.OWNER_CHANGED,
                channel=EventChannel.SYSTEM,
                occurred_at=at,
                created_at=at,
                payload={"from": None, "to": owner.pk, "to_name": owner.get_full_name(), "reason": "roleta (demo)"},
            )
        for _ in range(rng.randint(0, 3)):
            at = min(at + timedelta(hours=rng.uniform(0.2, 30)), now)
            kind, channel, text = rng.choice(
                [
                    (EventKind.MESSAGE_IN, EventChannel.WHATSAPP, rng.choice(INBOUND)),
                    (EventKind.MESSAGE_OUT, EventChannel.WHATSAPP, rng.choice(OUTBOUND)),
                    (EventKind.NOTE, EventChannel.WEB, rng.choice(NOTES)),
                    (EventKind.CALL, EventChannel.PHONE, "Ligação de 4 min: pediu retorno com simulação."),
                ]
            )
            actor = owner if kind in (EventKind.NOTE, EventKind.CALL, EventKind.MESSAGE_OUT) else None
            yield LeadEvent(
                lead=lead,
                kind=kind,
                channel=channel,
                actor=actor,
                occurred_at=at,
                created_at=at,
                payload={"text": text},
            )
        previous = LeadStage.NEW
        path = STAGE_PATH[: STAGE_PATH.index(stage) + 1] if stage in STAGE_PATH else [LeadStage.CONTACTED, stage]
        for step in path if stage != LeadStage.NEW else []:
            at = min(at + timedelta(hours=rng.uniform(1, 72)), now)
            yield LeadEvent(
                lead=lead,
                kind=EventKind.STAGE_CHANGED,
                channel=EventChannel.WEB,
                actor=owner,
                occurred_at=at,
                created_at=at,
                payload={"from": previous, "to": step, "reason": ""},
            )
            previous = step

    def _print_logins(self, people, created: int) -> None:
        password = settings.FLUXO_DEMO_PASSWORD
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo data ready: {created} new leads ({Lead.objects.count()} in total)."))
        out.write(f"Demo logins (password for all: {password}):")
        out.write("  admin        — Django admin and everything")
        site = f"http://{os.environ.get('FLUXO_HOST', '127.0.0.1')}:{os.environ.get('FLUXO_PORT', '8000')}"
        out.write(f"  supervisor   — team overview: {site}/supervisor/")
        out.write(f"  consultant1 … consultant5 — My leads: {site}/leads/")
        key = self._demo_token(people["integrator"])
        out.write(f"  integrator   — API token: {key}  (Authorization: Token …; docs at /api/docs/)")

    def _demo_token(self, integrator) -> str:
        """Keys are stored hashed, so each run revokes the previous demo token and prints a fresh one."""
        from compliance.services.tokens import SCOPES, api_token_issue, api_tokens_revoke_named

        api_tokens_revoke_named(user=integrator, name="demo")
        _token, key = api_token_issue(user=integrator, name="demo", scopes=list(SCOPES), expires_in_days=30)
        return key
