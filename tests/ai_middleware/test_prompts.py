"""The prompt library (inheritance, variants by weight, variables schema) and the context assembler (token budget,
no personal identifiers)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from ai_middleware.context import context_build, tokens_estimate
from ai_middleware.errors import PromptError
from ai_middleware.models import Prompt
from ai_middleware.prompts import prompt_active, prompt_messages, prompt_system
from leads.models import EventKind
from leads.services.timeline import timeline_event_record
from tests.factories import LeadFactory, consultant

pytestmark = pytest.mark.django_db


def test_the_system_text_is_the_parent_chain_root_first_and_identical_across_calls():
    prompt = Prompt.objects.get(key="extraction", variant="A")
    one = prompt_messages(prompt, {"context": {"language": "pt-BR"}, "message": "oi"})
    two = prompt_messages(prompt, {"context": {"stage": "new"}, "message": "qto custa?"})
    assert one[0]["content"] == two[0]["content"] == prompt_system(prompt)
    assert one[0]["content"].startswith(Prompt.objects.get(key="base").system.strip())
    assert one[0]["content"].endswith(prompt.system.strip())
    assert '"""qto custa?"""' in two[1]["content"]


def test_variants_are_drawn_by_weight_and_stay_stable_per_lead():
    Prompt.objects.filter(key="suggestions", variant="B").update(weight=300)  # A 50, B 300
    draws = Counter(prompt_active("suggestions", seed=lead_id).variant for lead_id in range(2000))
    assert 0.80 < draws["B"] / 2000 < 0.92
    assert {prompt_active("suggestions", seed=7).pk for _ in range(20)} == {prompt_active("suggestions", seed=7).pk}


def test_inactive_prompts_are_never_drawn_and_no_active_prompt_is_a_clear_error():
    Prompt.objects.filter(key="suggestions", variant="A").update(is_active=False)
    assert {prompt_active("suggestions", seed=n).variant for n in range(200)} == {"B"}
    Prompt.objects.filter(key="suggestions").update(is_active=False)
    with pytest.raises(PromptError, match="suggestions") as failure:
        prompt_active("suggestions")
    assert failure.value.code == "ai_prompt_error"


def test_variables_are_checked_against_the_schema():
    prompt = Prompt.objects.get(key="extraction")
    with pytest.raises(PromptError, match=r"\bmessage\b"):
        prompt_messages(prompt, {"context": {}})
    with pytest.raises(PromptError, match=r"context.*object"):
        prompt_messages(prompt, {"context": "texto", "message": "oi"})
    child = Prompt.objects.create(key="custom", parent=prompt, template="{message} {secret}", variables={"message": {}})
    with pytest.raises(PromptError, match=": secret"):
        prompt_messages(child, {"message": "oi"})


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
