"""Demo data: a supervisor, five consultants, an admin, an integrator and 2,000 leads with timelines.

Idempotent: users, team and sources are looked up by name, leads by their ``demo-NNNNN`` reference, so a
second run creates nothing. Deterministic: each lead comes from a Faker seeded with its number.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from assignment.services import team_ensure
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
from whatsapp.services import whatsapp_demo_number_ensure

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


class Command(BaseCommand):
    help = "Create demo users, a team, sources and 2,000 leads with timelines (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=2000, help="How many demo leads should exist.")
        parser.add_argument("--force", action="store_true", help="Allow running with DEBUG off.")

    def handle(self, *args, leads: int, force: bool, **options):
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
            whatsapp_demo_number_ensure()
        self._print_logins(people, created)

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
        return team_ensure(name="Equipe São Paulo", supervisor=people["supervisor"], members=people["consultants"])

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
            phone = f"+55{ddd}9{rng.randint(6000, 9999)}{rng.randint(0, 9999):04d}"
            points.append(
                ContactPoint(lead=lead, kind=ContactKind.PHONE, value=phone, is_primary=True, is_whatsapp=True)
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

    def _timeline(self, lead, rng, stage, created_at, owner):
        source = lead.source
        at = created_at
        yield LeadEvent(
            lead=lead,
            kind=EventKind.CREATED,
            channel=EventChannel.IMPORT,
            occurred_at=at,
            created_at=at,
            payload={"source": source.name, "source_kind": source.kind},
        )
        if owner:
            at += timedelta(minutes=rng.randint(2, 90))
            yield LeadEvent(
                lead=lead,
                kind=EventKind.OWNER_CHANGED,
                channel=EventChannel.SYSTEM,
                occurred_at=at,
                created_at=at,
                payload={"from": None, "to": owner.pk, "to_name": owner.get_full_name(), "reason": "roleta (demo)"},
            )
        for _ in range(rng.randint(0, 3)):
            at += timedelta(hours=rng.uniform(0.2, 30))
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
            at += timedelta(hours=rng.uniform(1, 72))
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
        out.write("  supervisor   — team overview: http://127.0.0.1:8000/supervisor/")
        out.write("  consultant1 … consultant5 — My leads: http://127.0.0.1:8000/leads/")
        key = self._demo_token(people["integrator"])
        out.write(f"  integrator   — API token: {key}  (Authorization: Token …; docs at /api/docs/)")

    def _demo_token(self, integrator) -> str:
        """Keys are stored hashed, so each run revokes the previous demo token and prints a fresh one."""
        from compliance.services.tokens import SCOPES, api_token_issue, api_tokens_revoke_named

        api_tokens_revoke_named(user=integrator, name="demo")
        _token, key = api_token_issue(user=integrator, name="demo", scopes=list(SCOPES), expires_in_days=30)
        return key
