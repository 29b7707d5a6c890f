"""Reads of qualification: a lead's score with its explanation in words, its history, the serving model and the
segments; the class distribution of what a user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, FloatField, QuerySet
from django.db.models.functions import Coalesce
from django_redis import get_redis_connection

from leads import selectors as lead_selectors
from qualification import segmentation
from qualification.indicators import DIMENSIONS, describe
from qualification.models import (
    Category,
    ConfigStatus,
    LeadModel,
    LeadScore,
    ScoreHistory,
    ScoringConfig,
    Segmentation,
)


@dataclass(frozen=True)
class ServedClass:
    """A lead's class and score as the serving scorer stored them — the one reading the queue, the board, the lead
    page and /qualificacao/ show. ``score`` is 0–100: the learned model's probability in percent when it decided,
    else the rules' score."""

    code: str
    score: float
    decided_by: str  # "model" or "rules"
    model_version: int | None

    @property
    def label(self) -> str:
        return str(Category(self.code).label)

    @property
    def display(self) -> str:
        """ "64%" (the learned model's chance of closing) or "64/100" (the rules' points): the same number means
        different things, and a list where both appear must say which (user test: two "64" in two classes)."""
        return score_display(self.score, by_model=self.decided_by == "model")


def score_display(value: float, *, by_model: bool) -> str:
    return f"{value:.0f}%" if by_model else f"{value:.0f}/100"


def category_choices() -> list[tuple[str, str]]:
    """(code, translated label) of the classes (hot, warm, cold…), for apps that store or filter by the code."""
    return list(Category.choices)


def served(score: LeadScore) -> ServedClass:
    model = score.probability is not None
    return ServedClass(
        code=score.category,
        score=score.probability * 100 if model else score.score,
        decided_by="model" if model else "rules",
        model_version=score.model_version if model else None,
    )


def served_for_leads(*, lead_ids: list[int]) -> dict[int, ServedClass]:
    """lead id → its served class, in one query."""
    rows = LeadScore.objects.filter(lead_id__in=lead_ids).only(
        "lead_id", "category", "score", "probability", "model_version"
    )
    return {s.lead_id: served(s) for s in rows}


def score_for_lead(*, lead_id: int) -> LeadScore | None:
    return LeadScore.objects.filter(lead_id=lead_id).first()


def history_for_lead(*, lead_id: int, limit: int = 30) -> list[ScoreHistory]:
    return list(ScoreHistory.objects.filter(lead_id=lead_id)[:limit])


def explanation(score: LeadScore) -> dict:
    """The score in a consultant's words: each dimension's points (they sum to the score) and the top factors
    up and down, each a sentence such as "Budget: R$ 800 thousand" with the points it moved."""
    dims = [
        {"key": key, "label": str(label), "points": score.dimensions.get(key, 0.0)} for key, label in DIMENSIONS.items()
    ]
    factors = score.factors or {}

    def said(items):
        return [{"key": f["key"], "text": describe(f["key"], f["raw"]), "points": f["effect"]} for f in items]

    return {
        "dimensions": dims,
        "up": said(factors.get("up", [])),
        "down": said(factors.get("down", [])),
        "segment": segmentation.name(score.segment),
    }


def config_active_or_none() -> ScoringConfig | None:
    return ScoringConfig.objects.filter(status=ConfigStatus.ACTIVE).first()


def models_recent(limit: int = 5) -> list[LeadModel]:
    return list(LeadModel.objects.defer("artifact")[:limit])


def segmentation_current() -> Segmentation | None:
    return segmentation.current()


def scored_visible_to(user) -> QuerySet[LeadScore]:
    """The scores of the leads ``user`` may see, each with ``served_score`` (see ``ServedClass``) to sort by."""
    return (
        LeadScore.objects.filter(lead__in=lead_selectors.lead_visible_to(user))
        .select_related("lead", "lead__owner")
        .annotate(served_score=Coalesce(F("probability") * 100, F("score"), output_field=FloatField()))
    )


def class_counts(user) -> dict[str, int]:
    rows = (
        LeadScore.objects.filter(lead__in=lead_selectors.lead_visible_to(user))
        .values("category")
        .annotate(n=Count("lead_id"))
    )
    return {r["category"]: r["n"] for r in rows}


def category_and_sla(*, lead_ids: list[int]) -> dict[int, tuple[str, int, float]]:
    """lead id → (class, SLA minutes, served score 0–100) for routing."""
    rows = LeadScore.objects.filter(lead_id__in=lead_ids).only(
        "lead_id", "category", "sla_minutes", "score", "probability", "model_version"
    )
    return {s.lead_id: (s.category, s.sla_minutes, served(s).score) for s in rows}


# A Redis sorted set: lead id → when it began waiting for its AI reading before its first score (see
# ``qualification.receivers``; ``qualification.score_pending`` scores it after QUALIFICATION_READING_WAIT_S anyway).
WAITING_KEY = "fluxo:scoring:waiting_for_reading"


def lead_ids_waiting_for_reading(*, lead_ids: list[int]) -> set[int]:
    """Leads whose first score waits for the AI reading of the message that created them: the roulette leaves them
    alone until that score exists. Redis unreachable: none wait (they are routed as before)."""
    ids = [int(i) for i in lead_ids]
    if not ids:
        return set()
    try:
        started = get_redis_connection("default").zmscore(WAITING_KEY, ids)
    except Exception:
        return set()
    return {lead_id for lead_id, at in zip(ids, started, strict=True) if at is not None}


def unscored_sla_minutes() -> int:
    """The SLA for a lead not scored yet: the active config's cold SLA."""
    config = config_active_or_none()
    return int((config.definition if config else {}).get("sla_minutes", {}).get("cold", 360))


def actions_and_sla(*, lead_ids: list[int]) -> dict[int, tuple[str, int]]:
    """lead id → (recommended action, first-contact SLA minutes): what the scorer asks the owner to do next."""
    rows = LeadScore.objects.filter(lead_id__in=lead_ids).values_list("lead_id", "action", "sla_minutes")
    return {r[0]: (r[1], r[2]) for r in rows}
