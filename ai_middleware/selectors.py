"""The AI middleware's reads: a lead's AI profile and extractions, usage against the budget, and the learning
aggregator's comparison of prompt versions and variants."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from leads import selectors as lead_selectors

from . import usage
from .models import AiCall, CallOutcome, Extraction, LearningEvent, LearningKind, MessageDraft, Prompt, Suggestion


def extractions_for_lead(*, lead_id: int, limit: int = 5) -> list[Extraction]:
    return list(Extraction.objects.filter(lead_id=lead_id).select_related("prompt").order_by("-created_at")[:limit])


def lead_ids_reading_pending(*, lead_ids: list[int]) -> set[int]:
    """Leads with an inbound text message that automatic extraction (``AI_AUTO_EXTRACT``) has not read yet: their
    AI facts are on their way (``extraction_recorded`` follows, or nothing if the extraction fails)."""
    if not settings.AI_AUTO_EXTRACT or not lead_ids:
        return set()
    events = lead_selectors.lead_inbound_text_events(lead_ids=list(lead_ids))
    read = set(Extraction.objects.filter(event_id__in=[e for e, _lead in events]).values_list("event_id", flat=True))
    return {lead_id for event_id, lead_id in events if event_id not in read}


def suggestion_get(*, suggestion_id: int, lead_id: int) -> Suggestion | None:
    return Suggestion.objects.filter(pk=suggestion_id, lead_id=lead_id).first()


def drafts_recent(limit: int = 20) -> list[MessageDraft]:
    return list(MessageDraft.objects.select_related("created_by", "prompt")[:limit])


def usage_today() -> dict:
    """Today's calls by provider (calls, cache hits, tokens, cost, latency, failures) and the budget."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        AiCall.objects.filter(created_at__gte=start)
        .values("provider")
        .annotate(
            calls=Count("id"),
            cache_hits=Count("id", filter=Q(cache_hit=True)),
            failures=Count("id", filter=~Q(outcome__in=[CallOutcome.OK, CallOutcome.REPAIRED])),
            tokens_in=Sum("tokens_in"),
            tokens_cached=Sum("tokens_cached"),
            tokens_out=Sum("tokens_out"),
            cost=Sum("cost_usd"),
            latency=Avg("latency_ms"),
        )
        .order_by("provider")
    )
    budget = Decimal(str(settings.AI_DAILY_BUDGET_USD))
    spent = usage.spend_today()
    return {
        "providers": list(rows),
        "spent": spent,
        "budget": budget,
        "share": int(spent / budget * 100) if budget else 0,
        "throttled": spent >= budget,
    }


def prompt_comparison() -> list[dict]:
    """Per prompt version and variant: calls, validity, latency, cost, and what consultants did with its
    suggestions (sent as drafted / edited / discarded, similarity kept) and the conversions it touched."""
    prompts = {p.pk: p for p in Prompt.objects.exclude(template="")}
    calls = {
        row["prompt"]: row
        for row in AiCall.objects.filter(prompt__in=prompts)
        .values("prompt")
        .annotate(
            calls=Count("id"),
            valid=Count("id", filter=Q(outcome__in=[CallOutcome.OK, CallOutcome.REPAIRED])),
            repaired=Count("id", filter=Q(outcome=CallOutcome.REPAIRED)),
            latency=Avg("latency_ms"),
            cost=Sum("cost_usd"),
        )
    }
    learning = {
        row["prompt"]: row
        for row in LearningEvent.objects.filter(prompt__in=prompts)
        .values("prompt")
        .annotate(
            as_is=Count("id", filter=Q(kind=LearningKind.SENT_AS_IS)),
            edited=Count("id", filter=Q(kind=LearningKind.EDITED)),
            discarded=Count("id", filter=Q(kind=LearningKind.DISCARDED)),
            converted=Count("id", filter=Q(kind=LearningKind.CONVERTED)),
            similarity=Avg("similarity", filter=Q(kind__in=[LearningKind.SENT_AS_IS, LearningKind.EDITED])),
        )
    }
    shown = dict(
        Suggestion.objects.filter(prompt__in=prompts)
        .values("prompt")
        .annotate(n=Count("id"))
        .values_list("prompt", "n")
    )
    table = []
    for prompt_id, prompt in sorted(prompts.items(), key=lambda item: (item[1].key, -item[1].version, item[1].variant)):
        call = calls.get(prompt_id, {})
        learned = learning.get(prompt_id, {})
        decided = sum(learned.get(key, 0) for key in ("as_is", "edited", "discarded"))
        table.append(
            {
                "prompt": prompt,
                "calls": call.get("calls", 0),
                "valid_share": round(call["valid"] / call["calls"] * 100) if call.get("calls") else None,
                "repaired": call.get("repaired", 0),
                "latency": round(call["latency"]) if call.get("latency") is not None else None,
                "cost": call.get("cost") or Decimal(0),
                "shown": shown.get(prompt_id, 0),
                "as_is_share": round(learned.get("as_is", 0) / decided * 100) if decided else None,
                "edited_share": round(learned.get("edited", 0) / decided * 100) if decided else None,
                "discarded_share": round(learned.get("discarded", 0) / decided * 100) if decided else None,
                "similarity": round(learned["similarity"] * 100) if learned.get("similarity") is not None else None,
                "converted": learned.get("converted", 0),
            }
        )
    return table
