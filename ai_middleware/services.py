"""The AI middleware's writes: extractions merged into the lead with provenance, reply suggestions and what the
consultant did with them, campaign drafts checked by the anti-ban content rules, learning events."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from antiban.services import content_review
from common.errors import ApplicationError
from common.tasks import task_send_on_commit
from compliance.services.consent import training_use_recorded
from leads import selectors as lead_selectors
from leads.services.lead import lead_ai_profile_merge

from . import engine
from .context import context_build
from .errors import SuggestionNotFound
from .models import (
    DraftStatus,
    Extraction,
    LabelledExample,
    LearningEvent,
    LearningKind,
    MessageDraft,
    ObjectionReply,
    Suggestion,
    SuggestionOutcome,
    Task,
)
from .providers import llm_chain
from .schemas import CampaignDraft, Suggestions
from .signals import extraction_recorded
from .writers import STAGE_TONES, draft_local, suggestions_local

# A consultant's text at least this similar to the draft counts as "sent as drafted".
AS_IS_SIMILARITY = 95.0


def extraction_for_event(*, event_id: int, provider_name: str = "auto") -> Extraction | None:
    """Extract the facts of one inbound message of a lead's timeline, store them and merge them into the lead.
    Idempotent: an event already extracted returns its row (a redelivered task changes nothing)."""
    existing = Extraction.objects.filter(event_id=event_id).first()
    if existing:
        return existing
    event = lead_selectors.lead_event(event_id=event_id)
    text = str((event.payload or {}).get("text") or "").strip() if event else ""
    if not text:
        return None
    context = context_build(lead_id=event.lead_id, task=Task.EXTRACTION, before_event_id=event.pk)
    answer = engine.extract(text, lead_id=event.lead_id, context=context, provider_name=provider_name)
    facts, confidence = answer.value.facts(), dict(answer.value.confidence)
    try:
        with transaction.atomic():  # lock order (docs/locks.md): ai_middleware.Extraction, then leads.Lead (merge)
            row = Extraction.objects.create(
                lead_id=event.lead_id,
                event_id=event.pk,
                text=text[:2000],
                result=facts,
                confidence=confidence,
                provider=answer.provider,
                model=answer.model,
                prompt=answer.prompt,
                call=answer.call,
                escalated=answer.escalated,
                note="; ".join(answer.notes)[:300],
            )
            row.applied = lead_ai_profile_merge(
                lead_id=event.lead_id,
                facts=facts,
                confidence=confidence,
                source={
                    "extraction": row.pk,
                    "provider": answer.provider,
                    "prompt": answer.prompt.label if answer.prompt else "",
                },
                min_confidence=0.8,
            )
            row.save(update_fields=["applied"])
    except IntegrityError:  # two workers raced on the same event: the other one's row stands
        return Extraction.objects.filter(event_id=event_id).first()
    lead_id, extraction_id = row.lead_id, row.pk
    transaction.on_commit(
        lambda: extraction_recorded.send(sender=Extraction, extraction_id=extraction_id, lead_id=lead_id)
    )
    return row


def extraction_backfill(*, days: int, limit: int = 10_000) -> list[int]:
    """Timeline events of inbound messages in the last ``days`` days that have no extraction yet (batch mode)."""
    since = timezone.now() - timedelta(days=days)
    candidates = lead_selectors.lead_inbound_message_events(since=since, limit=limit)
    done = set(
        Extraction.objects.filter(event_id__in=[event_id for event_id, _lead in candidates]).values_list(
            "event_id", flat=True
        )
    )
    return [event_id for event_id, _lead in candidates if event_id not in done]


def _library(stage: str) -> dict[str, str]:
    answers: dict[str, str] = {}
    for row in ObjectionReply.objects.filter(is_active=True).order_by("stage", "id"):
        if row.stage in ("", stage) and (row.objection not in answers or row.stage == stage):
            answers[row.objection] = row.text
    return answers


def suggestions_create(*, lead_id: int, user) -> Suggestion:
    """Ask for reply drafts. With an LLM configured they are written on the ``ai`` queue (the page polls the row);
    offline the local writer fills them at once. None for a person who opted out on every phone: nothing is drafted
    for someone who must never be contacted again."""
    lead = lead_selectors.lead_by_id(lead_id=lead_id)
    phones = [p for p in lead_selectors.lead_contact_points(lead=lead) if p.kind == "phone"]
    if phones and all(p.is_suppressed for p in phones):
        raise ApplicationError(_("The person opted out: never contact them again."))
    suggestion = Suggestion.objects.create(
        lead_id=lead_id,
        provider="",
        tone=STAGE_TONES.get(lead.stage, "acolhedor"),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if llm_chain():
        task_send_on_commit("ai_middleware.suggestions_write", suggestion.pk)
        return suggestion
    return suggestions_write(suggestion_id=suggestion.pk, provider_name="local")


def suggestions_write(*, suggestion_id: int, provider_name: str = "auto") -> Suggestion:
    """Two or three reply drafts for the lead's conversation, in the tone of its stage, answering the objections
    detected so far with the objection library. Never sent: the consultant edits and sends, or discards.
    Idempotent: a suggestion already written is returned as it is."""
    suggestion = Suggestion.objects.get(pk=suggestion_id)
    if suggestion.drafts:
        return suggestion
    lead = lead_selectors.lead_by_id(lead_id=suggestion.lead_id)
    facts = dict((lead.attributes or {}).get("ai") or {})
    library = _library(lead.stage)
    context = context_build(lead_id=lead.pk, task=Task.SUGGESTIONS)
    handled = [o for o in facts.get("objections") or [] if o in library]
    answer = engine.structured(
        task=Task.SUGGESTIONS,
        schema=Suggestions,
        variables={
            "context": context,
            "tone": suggestion.tone,
            "objections": {key: library[key] for key in handled},
            "facts": {k: facts.get(k) for k in ("intent", "urgency", "buying_stage", "questions")},
        },
        lead_id=lead.pk,
        provider_name=provider_name,
    )
    if answer is not None:
        drafts, suggestion.provider, suggestion.prompt = answer.value, answer.provider, answer.prompt
    else:
        drafts = suggestions_local(
            facts=facts, stage=lead.stage, first_name=context.get("first_name", ""), library=library
        )
        suggestion.provider = "local"
    suggestion.drafts = [draft.model_dump() for draft in drafts.drafts]
    suggestion.objections = handled
    suggestion.save(update_fields=["drafts", "provider", "prompt", "objections"])
    return suggestion


def _learn(suggestion: Suggestion, kind: str, similarity: float | None = None) -> None:
    if suggestion.prompt_id:
        LearningEvent.objects.create(
            prompt_id=suggestion.prompt_id,
            kind=kind,
            lead_id=suggestion.lead_id,
            suggestion=suggestion,
            similarity=similarity,
        )


@transaction.atomic
def suggestion_discard(*, suggestion_id: int, lead_id: int) -> Suggestion:
    """Raises SuggestionNotFound when the suggestion is not this lead's (another lead's id is not a way in)."""
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id, lead_id=lead_id).first()
    if suggestion is None:
        raise SuggestionNotFound(_("This lead has no such suggestion."))
    if suggestion.outcome == SuggestionOutcome.PENDING:
        suggestion.outcome = SuggestionOutcome.DISCARDED
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["outcome", "decided_at"])
        _learn(suggestion, LearningKind.DISCARDED)
    return suggestion


@transaction.atomic
def suggestion_used(*, suggestion_id: int, lead_id: int, text: str) -> Suggestion | None:
    """The consultant sent ``text`` starting from this suggestion: as drafted, or edited (how much is kept)."""
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id, lead_id=lead_id).first()
    if suggestion is None or suggestion.outcome != SuggestionOutcome.PENDING:
        return suggestion
    scores = [fuzz.ratio(text, draft.get("text", "")) for draft in suggestion.drafts] or [0.0]
    best = max(range(len(scores)), key=scores.__getitem__)
    similarity = float(scores[best])
    suggestion.chosen = best
    suggestion.final_text = text[:4000]
    suggestion.similarity = round(similarity / 100, 3)
    suggestion.outcome = SuggestionOutcome.SENT_AS_IS if similarity >= AS_IS_SIMILARITY else SuggestionOutcome.EDITED
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["chosen", "final_text", "similarity", "outcome", "decided_at"])
    _learn(suggestion, suggestion.outcome, suggestion.similarity)
    return suggestion


def lead_converted(*, lead_id: int) -> int:
    """A lead was won: credit each prompt version that worked on it (once per prompt and lead)."""
    prompt_ids = set(
        Suggestion.objects.filter(lead_id=lead_id, prompt__isnull=False).values_list("prompt_id", flat=True)
    ) | set(Extraction.objects.filter(lead_id=lead_id, prompt__isnull=False).values_list("prompt_id", flat=True))
    created = 0
    for prompt_id in prompt_ids:
        _row, was_created = LearningEvent.objects.get_or_create(
            prompt_id=prompt_id, lead_id=lead_id, kind=LearningKind.CONVERTED
        )
        created += was_created
    return created


def draft_create(*, goal: str, tone: str, user, provider_name: str = "auto") -> MessageDraft:
    """A campaign template body for ``goal`` in ``tone``; usable only if the anti-ban content rules pass."""
    goal = (goal or "").strip()
    if len(goal) < 5:
        raise ApplicationError(_("Describe the goal of the message in a few words."), code="ai_goal_missing")
    answer = engine.structured(
        task=Task.DRAFT,
        schema=CampaignDraft,
        variables={"goal": goal, "tone": tone, "business": settings.FLUXO_BUSINESS_NAME},
        lead_id=None,
        provider_name=provider_name,
    )
    draft = answer.value if answer else draft_local(goal=goal, tone=tone)
    checks = content_review(text=draft.text, marketing=True)
    blocked = any(not check["passed"] and check["fatal"] for check in checks)
    return MessageDraft.objects.create(
        goal=goal[:200],
        tone=tone[:40],
        text=draft.text,
        checks=checks,
        status=DraftStatus.BLOCKED if blocked else DraftStatus.USABLE,
        provider=answer.provider if answer else "local",
        prompt=answer.prompt if answer else None,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


# Lead columns the AI may fill, and the extraction field each one comes from.
_CORRECTABLE_COLUMNS = {
    "budget_min": "budget_min",
    "budget_max": "budget_max",
    "city": "city",
    "state": "state",
    "interest_type": "property_type",
}


def ai_corrections_record(*, lead_id: int, changes: dict) -> list:
    """A person changed lead columns an extraction had filled: each becomes a labelled example (the message the AI
    read, the field, the right value) for training and ``ai_eval``. The message text is kept only while the records
    of processing list that use (``training_use_recorded``); otherwise the example is kept without it."""
    recorded = []
    keep_text = None
    for column, change in changes.items():
        field = _CORRECTABLE_COLUMNS.get(column)
        if field is None or not isinstance(change, dict) or "to" not in change:
            continue
        extraction = (
            Extraction.objects.filter(lead_id=lead_id, applied__contains=[column]).order_by("-created_at").first()
        )
        if extraction is None:
            continue  # a person's own value corrected by a person: nothing the AI read
        value = change["to"]
        if field.startswith("budget") and value not in (None, ""):
            value = float(value)
        if keep_text is None:
            keep_text = training_use_recorded()
        recorded.append(
            LabelledExample.objects.create(
                text=extraction.text if keep_text else "",
                field=field,
                value=value if value != "" else None,
                source="consultant_correction",
                lead_id=lead_id,
            )
        )
    return recorded
