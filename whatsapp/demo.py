"""The demo inbox: WhatsApp conversations of the last days, written in bulk for ``seed_demo`` (at the top of the map),
which chooses the leads and passes their phones down as plain data."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from whatsapp.models import Direction, Message, MessageStatus, ServiceWindow

CHAT_STATES = ("unread", "waiting", "closing", "answered", "quiet", "answered")
# what demo leads write: the first ten are also the inbound lines of the demo timelines (leads.demo reads them here)
DEMO_INBOUND_TEXTS = [
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
CHAT_IN = [
    *DEMO_INBOUND_TEXTS,
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


def whatsapp_demo_chats_create(*, number_id: int, chats: list[dict]) -> list[dict]:
    """Conversations on the number ``number_id`` in the rows the webhook path writes (``Message`` in and out, the
    customer-service window each inbound message opens): some with a message nobody opened, some waiting for our
    answer, some whose 24 h window closes within two hours, some answered, some gone quiet. Each chat is plain data:
    ``lead_id``, ``ref`` (the lead's demo reference, which names the wamids), ``name`` (first name), ``owner_id``
    (who answers) and ``phone`` (chats without one are skipped). Returns each message written, oldest first within
    its chat, with its chat's ``lead_id`` and ``owner_id`` (for the lead's timeline): ``message_id``, ``inbound``,
    ``at``, ``text``. Idempotent: nothing is written if the demo conversations exist."""
    if Message.objects.filter(wamid__startswith="wamid.demo-chat-").exists():
        return []
    now = timezone.now()
    messages, chat_of, windows = [], [], {}
    for index, chat in enumerate(chats):
        contact = chat["phone"]
        if not contact:
            continue
        rng = random.Random(f"chat-{chat['ref']}")
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
            text = rng.choice(CHAT_IN if inbound else CHAT_OUT).format(name=chat["name"])
            unread = inbound and state == "unread" and turn == turns - 1
            messages.append(
                Message(
                    number_id=number_id,
                    contact=contact,
                    direction=direction,
                    wamid=f"wamid.demo-chat-{chat['ref']}-{turn}",
                    kind="text",
                    text=text,
                    payload={"type": "text", "text": {"body": text}} if inbound else {},
                    status=MessageStatus.RECEIVED if inbound else MessageStatus.READ,
                    sent_by_id=None if inbound else chat["owner_id"],
                    created_at=at,
                    sent_at=None if inbound else at,
                    delivered_at=None if inbound else at + timedelta(seconds=3),
                    read_at=None if unread else at + timedelta(minutes=rng.randint(1, 30)),
                )
            )
            chat_of.append(chat)
            if inbound:
                windows[contact] = at
    Message.objects.bulk_create(messages, batch_size=1000)
    for contact, at in windows.items():
        ServiceWindow.objects.update_or_create(
            number_id=number_id,
            contact=contact,
            defaults={"last_inbound_at": at, "expires_at": at + timedelta(hours=24)},
        )
    return [
        {
            "lead_id": chat["lead_id"],
            "owner_id": chat["owner_id"],
            "message_id": message.pk,
            "inbound": message.direction == Direction.INBOUND,
            "at": message.created_at,
            "text": message.text,
        }
        for chat, message in zip(chat_of, messages, strict=True)
    ]
