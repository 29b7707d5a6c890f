"""AI middleware benchmark: prints one JSON object. Not a test; run by hand.

    .venv/bin/python bench/ai.py [--rounds 3] [--leads 20]

Uses its own database (``<name>_bench``). Measures:
1. Local extraction latency per message over the whole labeled dataset (engine alone, and through the engine
   manager with its ledger row): p50 / p95 / max. Target: p95 ≤ 20 ms.
2. The LLM path against the OpenAI-compatible test server (real ``openai`` SDK, real HTTP): ``--leads`` simulated
   qualified leads of 6 inbound turns each, the conversation growing in the context. From the usage fields the
   server reports (OpenAI's caching rule: ≥ 1,024 tokens, 128-token steps): the share of input tokens in cached
   prefixes and the cost per qualified lead at gpt-4o-mini prices. Targets: ≥ 50 % cached, ≤ US$0.01 per lead.
3. The opt-out decision every inbound message gets (``compliance.optout.optout_decide``, second opinion included)
   over the opt-out training file: p50 / p95 / max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "p50": round(statistics.median(values), 3),
        "p95": round(values[max(0, int(len(values) * 0.95) - 1)], 3),
        "max": round(values[-1], 3),
    }


def local_latency(rounds: int) -> dict:
    from ai_middleware import engine
    from ai_middleware.local import dataset, local_engine

    texts = [example.text for example in dataset()]
    extractor = local_engine().warm()
    alone, managed = [], []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            extractor.extract(text)
            alone.append((time.perf_counter() - started) * 1000)
    for text in texts:
        started = time.perf_counter()
        engine.extract(text, provider_name="local")
        managed.append((time.perf_counter() - started) * 1000)
    return {
        "messages": len(alone),
        "engine_ms": _percentiles(alone),
        "with_ledger_ms": _percentiles(managed),
        "target_p95_ms": 20,
        "met": _percentiles(alone)["p95"] <= 20,
    }


def optout_latency() -> dict:
    from compliance import optout, semantic

    optout.optout_model()
    semantic.semantic_model()
    texts = [row.text for row in optout.optout_training_rows()]
    timings = []
    for text in texts:
        started = time.perf_counter()
        optout.optout_decide(text, optout.DEFAULT_KEYWORDS)
        timings.append((time.perf_counter() - started) * 1000)
    return {"messages": len(timings), "decision_ms": _percentiles(timings)}


def llm_path(leads: int) -> dict:
    from django.conf import settings
    from django.core.cache import cache

    from ai_middleware import engine
    from ai_middleware.local import dataset
    from ai_middleware.models import AiCall
    from ai_middleware.prompts import prompt_active, prompt_system
    from ai_middleware.testserver import OpenAITestServer
    from ai_middleware.usage import cost_usd

    cache.delete_pattern("fluxo:ai:cache:*")  # measure the provider, not an earlier run's exact-match cache
    examples = [e.text for e in dataset() if e.intent not in ("opt_out", "wrong_person")]
    with OpenAITestServer(api_key="bench-key") as server:
        settings.AI_LLM_BASE_URL = server.base_url
        settings.AI_LLM_API_KEY = "bench-key"
        settings.AI_LLM_MODEL = "gpt-4o-mini"
        settings.AI_DAILY_BUDGET_USD = 1000.0
        settings.AI_PROVIDER_RPM = 100_000
        first_id = (AiCall.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        latencies = []
        for lead in range(leads):
            conversation: list[str] = []
            for turn in range(6):
                text = examples[(lead * 6 + turn) * 7 % len(examples)]
                context = {
                    "language": "pt-BR",
                    "profile": {"stage": "contacted", "source": "facebook_lead_ads", "campaign": f"camp-{lead % 3}"},
                    "conversation": conversation[-12:],
                }
                started = time.perf_counter()
                engine.extract(text, provider_name="llm", context=context)
                latencies.append((time.perf_counter() - started) * 1000)
                conversation += [f"cliente: {text}", "consultor: Claro! Te envio as informações por aqui."]
        calls = list(AiCall.objects.filter(id__gte=first_id, provider="llm", cache_hit=False))
        cache_hits = AiCall.objects.filter(id__gte=first_id, provider="llm", cache_hit=True).count()
    tokens_in = sum(c.tokens_in for c in calls)
    tokens_cached = sum(c.tokens_cached for c in calls)
    tokens_out = sum(c.tokens_out for c in calls)
    cost = sum((c.cost_usd for c in calls), Decimal(0))
    system_tokens = len(prompt_system(prompt_active("extraction"))) // 4
    per_lead = cost / leads
    uncached_per_lead = cost_usd("gpt-4o-mini", tokens_in, 0, tokens_out) / leads
    return {
        "leads": leads,
        "turns_per_lead": 6,
        "calls": len(calls),
        "exact_match_cache_hits": cache_hits,
        "tokens_in_per_call": round(tokens_in / len(calls)),
        "tokens_out_per_call": round(tokens_out / len(calls)),
        "stable_prefix_tokens": system_tokens,
        "cached_input_share": round(tokens_cached / tokens_in, 3),
        "cost_per_qualified_lead_usd": float(round(per_lead, 6)),
        "cost_per_qualified_lead_without_caching_usd": float(round(uncached_per_lead, 6)),
        "latency_ms": _percentiles(latencies),
        "targets": {
            "cached_input_share": {"target": 0.5, "met": tokens_cached / tokens_in >= 0.5},
            "cost_per_qualified_lead_usd": {"target": 0.01, "met": per_lead <= Decimal("0.01")},
        },
        "prices": "gpt-4o-mini: US$0.15 / 1M input, 0.075 cached, 0.60 output (ai_middleware ModelPrice rows)",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--leads", type=int, default=20)
    args = parser.parse_args()

    from bench.ingest import _bench_database

    _bench_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = {"local": local_latency(args.rounds), "optout": optout_latency(), "llm": llm_path(args.leads)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
