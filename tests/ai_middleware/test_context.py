"""The context assembler: token budget, no personal identifiers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ai_middleware.context import context_build, tokens_estimate
from leads.models import EventKind
from leads.services.timeline import timeline_event_record
from tests.factories import LeadFactory, consultant

pytestmark = pytest.mark.django_db


def test_the_context_keeps_the_newest_messages_within_the_token_budget_and_no_identifiers():
    owner = consultant(username="rita", first_name="Rita")
    lead = LeadFactory(full_name="Joana Prado Silva", owner=owner, city="Campinas", state="SP", document="52998224725")
    start = timezone.now() - timedelta(hours=5)
    for n in range(40):
        timeline_event_record(
            lead=lead,
            kind=EventKind.MESSAGE_IN if n % 2 else EventKind.MESSAGE_OUT,
            payload={"text": f"mensagem {n} " + "bla " * 20},
            occurred_at=start + timedelta(minutes=n),
        )
    timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_IN,
        payload={"text": "meu email é joana@example.com e o cel (11) 98765-4321, cpf 529.982.247-25"},
        occurred_at=start + timedelta(minutes=50),
    )
    context = context_build(lead_id=lead.pk, task="extraction", token_budget=200)
    conversation = context["conversation"]
    assert sum(tokens_estimate(line) for line in conversation) <= 200
    assert "[e-mail]" in conversation[-1] and "[telefone]" in conversation[-1] and "[cpf]" in conversation[-1]
    assert "mensagem 39" in conversation[-2] and "mensagem 0 " not in " ".join(conversation)  # newest kept, in order
    blob = str(context)
    for identifier in ("Joana", "Prado", "joana@example.com", "98765-4321", "52998224725", "529.982.247-25"):
        assert identifier not in blob
    assert context["profile"]["city"] == "Campinas" and context["language"] == "pt-BR"
    reply_context = context_build(lead_id=lead.pk, task="suggestions")
    assert reply_context["first_name"] == "Joana" and "Prado" not in str(reply_context)
    assert reply_context["consultant"] == "Rita"
