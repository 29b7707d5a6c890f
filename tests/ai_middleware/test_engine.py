"""The LLM path through the real ``openai`` SDK against the test server: valid, invalid, repaired, slow, 429 and
5xx answers, fallback, cache, budget throttling and its alert, the per-provider rate limit; every call in the ledger."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from ai_middleware import engine
from ai_middleware.errors import InvalidOutput, ProviderError
from ai_middleware.models import AiCall, CallOutcome
from ai_middleware.usage import spend_today
from compliance.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
UNSURE = "o meu primo falou disso"  # the local engine is not confident on this one: auto escalates


def test_a_valid_answer_is_validated_and_recorded_with_tokens_cost_and_prompt_version(llm):
    answer = engine.extract("tenho uns 400 mil e quero apto em bh", provider_name="llm")
    assert answer.provider == "llm" and answer.prompt.label == "extraction@v1/A"
    assert (answer.value.budget_max, answer.value.city) == (400000, "Belo Horizonte")
    call = AiCall.objects.get(provider="llm")
    assert call.outcome == CallOutcome.OK and call.prompt == answer.prompt
    assert call.tokens_in > 1000 and call.tokens_out > 20 and call.latency_ms > 0
    # gpt-4o-mini: US$0.15 per 1M input, 0.60 per 1M output (none cached on the first call)
    assert call.cost_usd == (Decimal(call.tokens_in) * Decimal("0.15") + call.tokens_out * Decimal("0.60")) / 10**6


def test_the_stable_prefix_is_cached_by_the_provider_on_the_next_message(llm):
    engine.extract("qto custa?", provider_name="llm")
    engine.extract("tem vaga de garagem?", provider_name="llm")
    first, second = AiCall.objects.order_by("id")
    assert first.tokens_cached == 0
    assert second.tokens_cached >= 0.5 * second.tokens_in  # the shared system prompt is the larger part
    assert second.cost_usd < first.cost_usd


def test_an_invalid_answer_gets_one_repair_attempt(llm):
    llm.script("invalid", "valid")
    answer = engine.extract("quero marcar uma visita", provider_name="llm")
    assert answer.value.intent == "schedule_meeting"
    assert llm.requests == 2
    assert list(AiCall.objects.order_by("id").values_list("outcome", flat=True)) == ["invalid", "repaired"]


def test_invalid_twice_is_a_clear_failure_and_auto_keeps_the_local_reading(llm, settings):
    llm.script("invalid", "invalid_json")
    with pytest.raises(InvalidOutput, match="intent") as failure:
        engine.extract("quero marcar uma visita", provider_name="llm")
    assert failure.value.code == "ai_invalid_output"
    settings.AI_ESCALATE_BELOW = 1.01  # escalate everything
    llm.script("invalid", "invalid")
    answer = engine.extract("quero marcar uma visita", provider_name="auto")
    assert answer.provider == "local" and answer.value.intent == "schedule_meeting"
    assert "extraction" in answer.notes[0]  # why the LLM's reading was not used


@pytest.mark.parametrize("behaviour", ["slow", "429", "500"])
def test_timeouts_429s_and_errors_fall_back_to_the_second_provider(fallback, llm, behaviour):
    llm.script(behaviour, delay_s=3)  # the timeout is 1 s
    answer = engine.extract("tem foto do apto?", provider_name="llm")
    assert answer.provider == "fallback" and answer.model == "gpt-4.1-nano"
    outcomes = dict(AiCall.objects.values_list("provider", "outcome"))
    assert outcomes["llm"] == {"slow": "timeout", "429": "rate_limited", "500": "error"}[behaviour]
    assert outcomes["fallback"] == "ok"


def test_when_every_provider_fails_an_explicit_call_says_why(llm):
    llm.script("500")
    with pytest.raises(ProviderError, match="HTTP 500"):
        engine.extract("tem foto do apto?", provider_name="llm")
    with pytest.raises(CommandError, match="groq"):
        call_command("ai_extract", "--provider", "groq", "--text", "oi")


def test_the_exact_same_request_is_answered_from_the_cache(llm):
    engine.extract("tem academia no condominio?", provider_name="llm")
    engine.extract("tem academia no condominio?", provider_name="llm")
    assert llm.requests == 1
    hit = AiCall.objects.order_by("id").last()
    assert hit.cache_hit and hit.cost_usd == 0 and hit.outcome == "ok"


def test_auto_escalates_only_when_the_local_engine_is_unsure(llm):
    sure = engine.extract("não tenho interesse", provider_name="auto")
    assert sure.provider == "local" and llm.requests == 0
    unsure = engine.extract(UNSURE, provider_name="auto")
    assert unsure.provider == "llm" and unsure.escalated and llm.requests == 1


def test_over_the_daily_budget_calls_are_throttled_to_the_local_engine(llm, settings):
    settings.AI_DAILY_BUDGET_USD = 0.0
    answer = engine.extract(UNSURE, provider_name="auto")
    assert answer.provider == "local" and llm.requests == 0
    assert AiCall.objects.filter(outcome=CallOutcome.THROTTLED).count() == 1


def test_supervisors_are_emailed_once_when_80_percent_of_the_budget_is_spent(llm, settings):
    UserFactory(username="sup", email="sup@example.com", role=Role.SUPERVISOR)
    first = engine.extract("qto custa o apto?", provider_name="llm").call
    settings.AI_DAILY_BUDGET_USD = float(first.cost_usd) / 0.79  # 79 % spent: no alert yet
    engine.extract("aceita pet?", provider_name="local")
    assert not mail.outbox
    engine.extract("tem vaga de garagem?", provider_name="llm")  # passes 80 %
    assert len(mail.outbox) == 1 and "sup@example.com" in mail.outbox[0].to
    engine.extract(UNSURE, provider_name="auto")  # over budget now: throttled, local, no second e-mail
    assert len(mail.outbox) == 1
    assert AiCall.objects.filter(outcome=CallOutcome.THROTTLED).exists()
    assert spend_today() == sum(AiCall.objects.values_list("cost_usd", flat=True))


def test_the_per_provider_rate_limit_sends_the_excess_to_the_fallback(fallback, llm, settings):
    settings.AI_PROVIDER_RPM = 1
    engine.extract("tem piscina?", provider_name="llm")
    second = engine.extract("tem elevador?", provider_name="llm")
    assert second.provider == "fallback" and llm.requests == 1
