"""The demo's leads: sources, tags, 2,000 open leads with timelines and a closed history a model can learn from,
written in bulk (``seed_demo``, at the top of the map, calls these with the people and the team it made). Also the
demo leads' facts other apps seed from — the contacts their consent records name, the leads whose WhatsApp
conversations the demo inbox shows — and the timeline events of those conversations.

Idempotent: sources are looked up by name, leads by their ``demo-NNNNN``/``hist-NNNNN`` reference. Deterministic:
each lead comes from a Faker seeded with its number.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from compliance.services.consent import ConsentSource
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
from whatsapp.demo import DEMO_INBOUND_TEXTS

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
INBOUND = DEMO_INBOUND_TEXTS
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


def leads_demo_create(*, total: int, history: int, consultants: list, team_id: int | None) -> tuple[int, int]:
    """The demo sources and tags, ``total`` open demo leads (most owned by one of ``consultants``, all in the team
    ``team_id``) with their contacts, tags and timelines, and ``history`` closed historical leads. Creates only the
    missing ones. Returns (leads created, leads in the database)."""
    sources = [LeadSource.objects.get_or_create(name=n, defaults={"kind": k})[0] for n, k in SOURCES]
    tags = [tag_get_or_create_path(path) for path in TAGS]
    created = _leads(total, consultants, team_id, sources, tags)
    created += _history(history, consultants, team_id, sources)
    return created, Lead.objects.count()


# How each demo lead arrived says what it agreed to: the source its consent was collected through.
CONSENT_SOURCES = {
    SourceKind.API: ConsentSource.API,
    SourceKind.WHATSAPP_INBOUND: ConsentSource.WHATSAPP,
    SourceKind.MANUAL_IMPORT: ConsentSource.IMPORT,
    SourceKind.HISTORICAL: ConsentSource.IMPORT,
}


def lead_contacts_demo_list() -> list[dict]:
    """The demo leads' primary phones with what their consent records say: the form they filled (the source's name),
    how it was collected, when, whether the marketing box was ticked (not by a third of the historical base and of
    the fair's paper forms) and whether they sent "SAIR" a week later. A few typed a landline (no WhatsApp)."""
    rows = ContactPoint.objects.filter(
        lead__external_ref__startswith="demo-", kind=ContactKind.PHONE, is_primary=True
    ).values_list("lead__external_ref", "lead__source__kind", "lead__source__name", "lead__created_at", "value")
    contacts = []
    for ref, kind, source_name, created_at, phone in rows:
        n = int(ref[5:])
        source = CONSENT_SOURCES.get(kind, ConsentSource.FORM)
        contacts.append(
            {
                "ref": ref,
                "phone": phone,
                "form": source_name,
                "source": source,
                "occurred_at": created_at,
                "ip_address": f"203.0.113.{n % 250 + 1}" if source == ConsentSource.FORM else None,
                "marketing": kind not in (SourceKind.HISTORICAL, SourceKind.MANUAL_IMPORT) or n % 3 != 0,
                "opted_out": n % 29 == 10,  # answered a campaign with "SAIR" a week after signing up
            }
        )
    return contacts


def lead_chats_demo_choose(*, per_owner: int) -> list[dict]:
    """Up to ``per_owner`` of each consultant's newest open demo leads on WhatsApp, for the demo inbox: the lead, its
    reference, first name, owner and primary phone (None if it has none)."""
    leads = (
        Lead.objects.filter(
            external_ref__startswith="demo-",
            owner__isnull=False,
            stage__in=[LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.MEETING],
            contact_points__kind=ContactKind.PHONE,
            contact_points__is_whatsapp=True,
        )
        .order_by("owner_id", "-created_at")
        .distinct()
        .values_list("pk", "external_ref", "full_name", "owner_id", "created_at")
    )
    chosen, counted = [], {}
    for pk, ref, full_name, owner_id, _created_at in leads:
        if counted.get(owner_id, 0) < per_owner:
            counted[owner_id] = counted.get(owner_id, 0) + 1
            chosen.append({"lead_id": pk, "ref": ref, "name": full_name.split(" ")[0], "owner_id": owner_id})
    phones = dict(
        ContactPoint.objects.filter(
            lead_id__in=[chat["lead_id"] for chat in chosen], kind=ContactKind.PHONE, is_primary=True
        ).values_list("lead_id", "value")
    )
    return [{**chat, "phone": phones.get(chat["lead_id"])} for chat in chosen]


def lead_message_events_demo_create(*, messages: list[dict]) -> int:
    """The timeline events of the demo's WhatsApp messages, as the webhook's receiver writes them: each message
    (``lead_id``, ``owner_id``, ``message_id``, ``inbound``, ``at``, ``text``) in or out on its lead's timeline."""
    LeadEvent.objects.bulk_create(
        [
            LeadEvent(
                lead_id=message["lead_id"],
                kind=EventKind.MESSAGE_IN if message["inbound"] else EventKind.MESSAGE_OUT,
                channel=EventChannel.WHATSAPP,
                actor_id=None if message["inbound"] else message["owner_id"],
                occurred_at=message["at"],
                created_at=message["at"],
                payload={"message_id": message["message_id"], "type": "text", "text": message["text"]},
            )
            for message in messages
        ],
        batch_size=1000,
    )
    return len(messages)


def _leads(total: int, consultants, team_id: int | None, sources, tags) -> int:
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
                team_id=team_id,
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
        events.extend(_timeline(lead, rng, stage, created_at, owner))
    ContactPoint.objects.bulk_create(points, batch_size=2000)
    LeadEvent.objects.bulk_create(events, batch_size=2000)
    through.objects.bulk_create(tag_links, batch_size=2000, ignore_conflicts=True)
    return len(leads)


def _history(total: int, consultants, team_id: int | None, sources) -> int:
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
        budget = rng.choice([rng.randrange(150, 400, 10), rng.randrange(400, 1000, 10), rng.randrange(1000, 3000, 50)])
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
            "sentiment": "positive" if won and rng.random() < 0.6 else rng.choice(["neutral", "negative", "positive"]),
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
                team_id=team_id,
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


def _timeline(lead, rng, stage, created_at, owner):
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
