"""The engine manager: routes a task to the local engine or an LLM, and turns an LLM's text into a validated
object (the response processor): exact-match cache, budget, rate limit, one repair attempt, fallback provider,
a ledger row for every call."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from . import usage
from .errors import BUDGET_EXHAUSTED, InvalidOutput, ProviderError
from .local import local_engine
from .models import AiCall, CallOutcome, Prompt
from .prompts import prompt_active, prompt_messages
from .providers import llm_chain, provider
from .schemas import EXTRACTION_FIELDS, Extraction

logger = logging.getLogger(__name__)
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


@dataclass
class Answer:
    value: BaseModel
    provider: str
    model: str
    prompt: Prompt | None = None
    call: AiCall | None = None
    cache_hit: bool = False
    escalated: bool = False
    notes: list[str] = field(default_factory=list)


def _parse(schema: type[BaseModel], text: str) -> BaseModel:
    return schema.model_validate_json(_FENCE.sub("", text or "").strip() or "null")


def _errors_for_repair(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}" for error in exc.errors())


def _record(task, name, model, prompt, lead_id, outcome, *, completion=None, error="", cache_hit=False):
    return usage.call_record(
        task=task,
        provider=name,
        model=model,
        prompt=prompt,
        lead_id=lead_id,
        tokens_in=completion.tokens_in if completion else 0,
        tokens_cached=completion.tokens_cached if completion else 0,
        tokens_out=completion.tokens_out if completion else 0,
        cost_usd=(
            usage.cost_usd(completion.model, completion.tokens_in, completion.tokens_cached, completion.tokens_out)
            if completion
            else 0
        ),
        latency_ms=completion.latency_ms if completion else 0,
        cache_hit=cache_hit,
        outcome=outcome,
        error=str(error)[:300],
    )


def llm_structured(
    *,
    task: str,
    schema: type[BaseModel],
    messages: list[dict],
    prompt: Prompt | None,
    lead_id: int | None,
    providers: list[str],
    max_tokens: int = 600,
) -> Answer:
    """Ask the providers in order until one gives an object that fits ``schema``.

    A provider error, timeout or 429 moves on to the next provider. An answer that does not fit gets one repair
    attempt (the errors are sent back); if the repair does not fit either, :class:`InvalidOutput` is raised — a clear
    failure, never a half-valid object."""
    if not usage.budget_allows():
        _record(task, providers[0] if providers else "llm", "", prompt, lead_id, CallOutcome.THROTTLED)
        raise ProviderError(str(BUDGET_EXHAUSTED), outcome="throttled")
    failures: list[str] = []
    for name in providers:
        client = provider(name)
        key = usage.cache_key(name, client.model, messages, max_tokens)
        cached = usage.cache_get(key)
        if cached is not None:
            value = _parse(schema, cached)
            call = _record(task, name, client.model, prompt, lead_id, CallOutcome.OK, cache_hit=True)
            return Answer(value, name, client.model, prompt, call, cache_hit=True)
        if usage.rate_limited(name):
            _record(task, name, client.model, prompt, lead_id, CallOutcome.RATE_LIMITED, error="local limit")
            failures.append(_("%(provider)s: over AI_PROVIDER_RPM") % {"provider": name})
            continue
        try:
            completion = client.complete(messages, max_tokens=max_tokens)
        except ProviderError as exc:
            _record(task, name, client.model, prompt, lead_id, exc.outcome, error=exc.message)
            failures.append(exc.message)
            continue
        try:
            value = _parse(schema, completion.text)
            outcome = CallOutcome.OK
            final = completion
        except ValidationError as exc:
            _record(
                task, name, completion.model, prompt, lead_id, CallOutcome.INVALID, completion=completion, error=exc
            )
            repair = [
                *messages,
                {"role": "assistant", "content": completion.text[:4000]},
                {
                    "role": "user",
                    "content": "A resposta anterior não segue o esquema JSON pedido. Erros: "
                    + _errors_for_repair(exc)
                    + ". Responda de novo apenas com o objeto JSON corrigido.",
                },
            ]
            try:
                final = client.complete(repair, max_tokens=max_tokens)
            except ProviderError as error:
                _record(task, name, client.model, prompt, lead_id, error.outcome, error=error.message)
                failures.append(error.message)
                continue
            try:
                value = _parse(schema, final.text)
                outcome = CallOutcome.REPAIRED
            except ValidationError as second:
                _record(task, name, final.model, prompt, lead_id, CallOutcome.INVALID, completion=final, error=second)
                raise InvalidOutput(
                    _("%(provider)s answered twice with output that does not fit the %(task)s schema: %(errors)s")
                    % {"provider": name, "task": task, "errors": _errors_for_repair(second)[:300]}
                ) from second
        call = _record(task, name, final.model, prompt, lead_id, outcome, completion=final)
        usage.cache_set(key, value.model_dump_json())
        return Answer(value, name, final.model, prompt, call)
    raise ProviderError("; ".join(failures) or _("No LLM provider is configured."))


def _chain(requested: str) -> list[str]:
    chain = llm_chain()
    if requested in ("auto", "local"):
        return chain
    provider(requested)  # raises UnknownProvider with the known names
    return [requested, *[name for name in chain if name != requested]]


def _local_answer(local: Extraction, lead_id: int | None, latency_ms: int, notes: list[str] | None = None) -> Answer:
    call = usage.call_record(
        task="extraction",
        provider="local",
        model=local_engine().model,
        lead_id=lead_id,
        latency_ms=latency_ms,
        outcome=CallOutcome.OK,
    )
    return Answer(local, "local", local_engine().model, None, call, notes=notes or [])


def extract(
    text: str,
    *,
    lead_id: int | None = None,
    context: dict | None = None,
    provider_name: str = "auto",
) -> Answer:
    """Extraction for one message. ``auto``: the local engine, escalated to the LLM chain when its intent confidence
    is below ``AI_ESCALATE_BELOW`` (and a provider is configured and the budget allows). ``local``: never escalates.
    A provider name: that provider first, then the fallback; if every LLM fails, ``auto`` keeps the local answer
    with a note, while an explicit provider raises."""
    started = time.perf_counter()
    local = local_engine().extract(text)
    local_ms = int((time.perf_counter() - started) * 1000)
    chain = _chain(provider_name)
    confident = local.confidence.get("intent", 0) >= settings.AI_ESCALATE_BELOW
    if provider_name == "local" or not chain or (provider_name == "auto" and confident):
        return _local_answer(local, lead_id, local_ms)
    prompt = prompt_active("extraction", seed=lead_id)
    messages = prompt_messages(prompt, {"context": context or {"language": "pt-BR"}, "message": text})
    try:
        answer = llm_structured(
            task="extraction", schema=Extraction, messages=messages, prompt=prompt, lead_id=lead_id, providers=chain
        )
    except (ProviderError, InvalidOutput) as exc:
        if provider_name != "auto":
            raise
        return _local_answer(local, lead_id, local_ms, notes=[exc.message])
    value: Extraction = answer.value
    # Fields the LLM left without a confidence get a neutral 0.8; a field it left empty keeps the local reading
    # when the local engine found something (rules for money and places are precise).
    confidence = {name: value.confidence.get(name, 0.8) for name in EXTRACTION_FIELDS}
    merged = value.model_copy(update={"confidence": confidence})
    for name in ("budget_min", "budget_max", "city", "state", "property_type"):
        if getattr(merged, name) in (None, "") and getattr(local, name) not in (None, ""):
            setattr(merged, name, getattr(local, name))
            confidence[name] = local.confidence.get(name, 0.8)
    answer.value = merged
    answer.escalated = provider_name == "auto"
    return answer


def structured(
    *, task: str, schema: type[BaseModel], variables: dict, lead_id: int | None, provider_name: str
) -> Answer | None:
    """A prompt-driven task (suggestions, drafts) on the LLM chain. ``None`` tells the caller to use its local
    writer: asked for ``local``, or ``auto`` with no provider configured or none able to answer. An explicit
    provider that cannot answer raises."""
    if provider_name == "local":
        return None
    chain = _chain(provider_name)
    try:
        if not chain:
            raise ProviderError(_("No LLM provider is configured."))
        prompt = prompt_active(task, seed=lead_id)
        messages = prompt_messages(prompt, variables)
        return llm_structured(
            task=task, schema=schema, messages=messages, prompt=prompt, lead_id=lead_id, providers=chain, max_tokens=700
        )
    except (ProviderError, InvalidOutput) as exc:
        if provider_name != "auto":
            raise
        logger.info("%s: local writer (%s)", task, exc.code)
        return None


def dumps(value: BaseModel) -> str:
    return json.dumps(value.model_dump(), ensure_ascii=False)
