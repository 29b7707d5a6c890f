"""The interactive duplicate check (web form, REST push of one lead, the consultant's "new lead" form)."""

from __future__ import annotations

from dataclasses import dataclass

from leads import selectors
from leads.ingest.dedup import dedup_decide
from leads.ingest.pipeline import dedup_candidates_find
from leads.ingest.rows import LeadRow
from leads.normalization import document_index, email_normalize, name_clean, name_key, phone_normalize


@dataclass(frozen=True)
class DuplicateCheck:
    action: str  # "create" | "merge" | "review"
    lead_id: int | None
    reason: str
    confidence: float


def lead_duplicate_check(
    *,
    full_name: str,
    phones=(),
    emails=(),
    document: str = "",
    city: str = "",
    source_id: int | None = None,
    external_ref: str | None = None,
) -> DuplicateCheck:
    """Would this person be a new lead, or the same as an existing one? A few indexed queries, no writes."""
    cleaned = name_clean(full_name)
    row = LeadRow(
        line=0,
        full_name=cleaned,
        name_key=name_key(cleaned),
        city=city,
        document=document,
        external_ref=external_ref,
        phones=[phone_normalize(p) for p in phones],
        emails=[email_normalize(e) for e in emails],
    )
    decision = dedup_decide([row], dedup_candidates_find([row], source_id), document_index)[0]
    return DuplicateCheck(decision.action, decision.target_id, decision.reason, decision.confidence)


@dataclass(frozen=True)
class DuplicateWarning:
    """What a person creating a lead is told: the likely duplicate if they may see it, else only that one exists."""

    reason: str
    confidence: float
    candidates: list  # visible leads, with ``primary_contacts`` preloaded
    hidden: bool  # the likely duplicate exists but is outside what this user may see


def lead_duplicate_warning(*, user, full_name: str, phones=(), emails=(), **fields) -> DuplicateWarning | None:
    """Before a person creates a lead by hand (REST create, the "new lead" form): is it likely someone already in
    the base? ``None`` when not. The candidate is given only when ``user`` may see it (merged leads are followed to
    their survivor); otherwise only the fact that a likely duplicate exists, nothing about it."""
    check = lead_duplicate_check(full_name=full_name, phones=phones, emails=emails, **fields)
    if check.action == "create" or check.lead_id is None:
        return None
    survivor = selectors.lead_survivor_id(lead_id=check.lead_id)
    visible = list(selectors.lead_list(user=user).filter(pk=survivor))
    return DuplicateWarning(check.reason, check.confidence, visible, hidden=not visible)
