"""The context assembler: what a task needs to know about a lead, within a token budget, and nothing more.

Profile facts (stage, interest, budget, place, source, campaign/ad), the AI profile so far and the recent
conversation (newest kept first, then put back in order). Names, phones, e-mails and CPFs are never included:
the person's first name only when the task writes to them (reply suggestions). Identifiers typed inside messages
are masked too."""

from __future__ import annotations

import re

from django.conf import settings

from leads import selectors as lead_selectors

_PHONE = re.compile(r"(?:\+?55\s?)?(?:\(?\d{2}\)?\s?)?9?\d{4}[-\s.]?\d{4}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_CPF = re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b")


def tokens_estimate(text: str) -> int:
    """About four characters per token for Portuguese with BPE tokenizers (cl100k/o200k): good enough to budget."""
    return max(1, (len(text) + 3) // 4) if text else 0


def identifiers_mask(text: str) -> str:
    text = _EMAIL.sub("[e-mail]", text)
    text = _CPF.sub("[cpf]", text)
    return _PHONE.sub("[telefone]", text)


def _who(kind: str) -> str:
    return {"message_in": "cliente", "message_out": "consultor", "note": "nota interna"}.get(kind, kind)


def context_build(
    *,
    lead_id: int | None,
    task: str,
    token_budget: int | None = None,
    before_event_id: int | None = None,
) -> dict:
    """A JSON-ready dict for the prompt's ``context`` variable. ``before_event_id`` leaves out the message being
    analysed (and anything after it) so it is not counted twice."""
    budget = settings.AI_CONTEXT_TOKENS if token_budget is None else token_budget
    context: dict = {"language": "pt-BR"}
    lead = lead_selectors.lead_by_id(lead_id=lead_id) if lead_id else None
    if lead is None:
        return context
    profile = {
        "stage": lead.stage,
        "interest_type": lead.interest_type or None,
        "budget_min": float(lead.budget_min) if lead.budget_min is not None else None,
        "budget_max": float(lead.budget_max) if lead.budget_max is not None else None,
        "city": lead.city or None,
        "state": lead.state or None,
        "source": lead.source.kind if lead.source_id else None,
        "campaign": lead.campaign_ref or None,
        "ad": lead.ad_ref or None,
        "times_interest_shown": lead.recurrence_count,
    }
    context["profile"] = {key: value for key, value in profile.items() if value not in (None, "")}
    ai = (lead.attributes or {}).get("ai") or {}
    if ai:
        context["known"] = {
            key: ai[key] for key in ("intent", "urgency", "objections", "buying_stage") if ai.get(key) not in (None, [])
        }
    if task == "suggestions":
        context["first_name"] = (lead.full_name or "").split(" ")[0][:40]
        context["consultant"] = (lead.owner.first_name if lead.owner_id else "")[:40]
    lines: list[str] = []
    spent = 0
    for event in lead_selectors.lead_conversation_recent(lead_id=lead.pk, before_event_id=before_event_id):
        text = identifiers_mask(str((event.payload or {}).get("text") or "").strip())
        if not text:
            continue
        line = f"{event.occurred_at:%d/%m %H:%M} {_who(event.kind)}: {text[:500]}"
        cost = tokens_estimate(line)
        if spent + cost > budget:
            break
        lines.append(line)
        spent += cost
    context["conversation"] = list(reversed(lines))
    return context
