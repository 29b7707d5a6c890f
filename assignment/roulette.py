"""The roulette's ranking, as pure functions: for one lead and the available consultants with room, a score
``compatibility × workload × fairness × presence`` per consultant, with every factor kept as a reason.

- **Compatibility**: property type, price range, region and language against the consultant's profile, times the
  consultant's conversion on similar leads (same interest) relative to the team, smoothed toward the team's rate.
- **Workload**: the room left under the open-lead cap, lowered by SLA debt (assigned leads already past due).
- **Fairness**: a weighted round-robin: a consultant's leads today divided by their weight, against the least
  served; each lead above the least served costs a share of the chance, so nobody starves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext_lazy

# What each roulette reason (a stable code, kept in the assignment) reads as.
REASON_LABELS = {
    "generalist": gettext_lazy("handles any property"),
    "interest unknown": gettext_lazy("interest not known yet"),
    "property type match": gettext_lazy("specialist in this property type"),
    "other property types": gettext_lazy("specialist in other property types"),
    "budget unknown": gettext_lazy("budget not known yet"),
    "any price range": gettext_lazy("handles any price range"),
    "budget in range": gettext_lazy("budget in their price range"),
    "budget out of range": gettext_lazy("budget outside their price range"),
    "any region": gettext_lazy("covers any region"),
    "same city": gettext_lazy("covers the lead's city"),
    "same state": gettext_lazy("covers the lead's state"),
    "region unknown": gettext_lazy("region not known yet"),
    "other region": gettext_lazy("covers other regions"),
    "speaks the language": gettext_lazy("speaks the lead's language"),
    "does not speak the language": gettext_lazy("does not speak the lead's language"),
}

SMOOTHING = 5.0  # closed leads' worth of the team rate mixed into each consultant's rate
FAIRNESS_STEP = 0.35  # e^(−0.35) ≈ 0.70 per lead ahead of the least-served (weight-adjusted)
OFFLINE_FACTOR = 0.85


@dataclass(frozen=True)
class LeadFacts:
    lead_id: int
    interest_type: str = ""
    budget: float | None = None
    state: str = ""
    city: str = ""
    language: str = "pt"
    category: str = ""


@dataclass
class Candidate:
    user_id: int
    name: str
    property_types: list[str]
    price_min: float | None
    price_max: float | None
    regions: list[str]
    languages: list[str]
    open_leads: int
    max_open_leads: int
    new_today: int
    weight: float
    sla_debt: int
    online: bool
    conversion: dict = field(default_factory=dict)


@dataclass
class Ranked:
    """One consultant's place in the ranking. ``factors`` and ``reasons`` are built on first use: a decision reads
    them for the chosen consultant and its runners-up only, not for the whole team."""

    user_id: int
    name: str
    total: float
    new_today: int
    parts: tuple = field(repr=False, default=())

    @cached_property
    def factors(self) -> dict:
        c, compatibility, skill, price, region, language, conversion, rate, workload, fairness = self.parts[:10]
        return {
            "compatibility": round(compatibility, 4),
            "skill": skill,
            "price": price,
            "region": region,
            "language": language,
            "conversion": round(conversion, 4),
            "conversion_rate": round(rate, 4),
            "workload": round(workload, 4),
            "open_leads": c.open_leads,
            "max_open_leads": c.max_open_leads,
            "sla_debt": c.sla_debt,
            "fairness": round(fairness, 4),
            "new_today": c.new_today,
            "weight": c.weight,
            "online": c.online,
            "total": round(self.total, 5),
        }

    @cached_property
    def reasons(self) -> list[str]:
        return list(self.parts[10])


def _skill(lead: LeadFacts, c: Candidate) -> tuple[float, str]:
    if not c.property_types:
        return 0.85, "generalist"
    if not lead.interest_type:
        return 0.9, "interest unknown"
    return (1.0, "property type match") if lead.interest_type in c.property_types else (0.4, "other property types")


def _price(lead: LeadFacts, c: Candidate) -> tuple[float, str]:
    if lead.budget is None:
        return 0.9, "budget unknown"
    if c.price_min is None and c.price_max is None:
        return 0.85, "any price range"
    low = c.price_min if c.price_min is not None else 0.0
    high = c.price_max if c.price_max is not None else math.inf
    return (1.0, "budget in range") if low <= lead.budget <= high else (0.5, "budget out of range")


def _region(lead: LeadFacts, c: Candidate) -> tuple[float, str]:
    if not c.regions:
        return 0.85, "any region"
    regions = {r.casefold() for r in c.regions}
    if lead.city and lead.city.casefold() in regions:
        return 1.0, "same city"
    if lead.state and lead.state.casefold() in regions:
        return 0.95, "same state"
    if not (lead.city or lead.state):
        return 0.85, "region unknown"
    return 0.5, "other region"


def _language(lead: LeadFacts, c: Candidate) -> tuple[float, str]:
    wanted = (lead.language or "pt").split("-")[0].casefold()
    spoken = {lang.split("-")[0].casefold() for lang in c.languages} or {"pt"}
    return (1.0, "speaks the language") if wanted in spoken else (0.3, "does not speak the language")


def _conversion(lead: LeadFacts, c: Candidate, team_rate: float) -> tuple[float, float]:
    won, closed = c.conversion.get(lead.interest_type or "", (0, 0))
    rate = (won + SMOOTHING * team_rate) / (closed + SMOOTHING)
    factor = rate / team_rate if team_rate > 0 else 1.0
    return min(1.4, max(0.6, factor)), rate


def team_rate_of(lead: LeadFacts, candidates: list[Candidate]) -> float:
    won = sum(c.conversion.get(lead.interest_type or "", (0, 0))[0] for c in candidates)
    closed = sum(c.conversion.get(lead.interest_type or "", (0, 0))[1] for c in candidates)
    return (won + 1) / (closed + 4)  # a mild prior of 25 %


def rank(lead: LeadFacts, candidates: list[Candidate]) -> list[Ranked]:
    """Candidates best first (ties: fewer leads today, then lower id, so the order is stable)."""
    if not candidates:
        return []
    team_rate = team_rate_of(lead, candidates)
    least = min(c.new_today / max(c.weight, 0.01) for c in candidates)
    ranked = []
    for c in candidates:
        skill, skill_why = _skill(lead, c)
        price, price_why = _price(lead, c)
        region, region_why = _region(lead, c)
        language, language_why = _language(lead, c)
        conversion, rate = _conversion(lead, c, team_rate)
        compatibility = skill * price * region * language * conversion
        room = max(0.0, 1 - c.open_leads / max(c.max_open_leads, 1))
        workload = math.sqrt(room) / (1 + 0.25 * c.sla_debt)
        ahead = c.new_today / max(c.weight, 0.01) - least
        fairness = math.exp(-FAIRNESS_STEP * ahead)
        presence = 1.0 if c.online else OFFLINE_FACTOR
        total = compatibility * workload * fairness * presence
        ranked.append(
            Ranked(
                user_id=c.user_id,
                name=c.name,
                total=total,
                new_today=c.new_today,
                parts=(
                    c,
                    compatibility,
                    skill,
                    price,
                    region,
                    language,
                    conversion,
                    rate,
                    workload,
                    fairness,
                    (skill_why, price_why, region_why, language_why),
                ),
            )
        )
    ranked.sort(key=lambda r: (-r.total, r.new_today, r.user_id))
    return ranked
