"""What can be measured about a lead: the indicators a scoring config weighs.

Which indicators exist, how each is read from the lead, its AI profile and its timeline, and how its value is said
to a consultant is code (here). How much each counts, how it is normalized and curved is data (``ScoringConfig``).
Readers work on columns (``leads.selectors.SCORING_COLUMNS``) so a batch of 100,000 leads is read in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.money import money_short
from leads.selectors import SCORING_COLUMNS

DIMENSIONS = {
    "interest": _("Interest and potential"),
    "financial": _("Financial capacity"),
    "urgency": _("Urgency and timing"),
    "buying_stage": _("Buying stage"),
    "objections": _("Objections and barriers"),
    "engagement": _("Engagement"),
}

INTENT_LABELS = {
    "interested": _("interested"),
    "wants_info": _("asked for information"),
    "schedule_meeting": _("wants to schedule a visit"),
    "price_question": _("asked about price"),
    "not_interested": _("not interested"),
    "opt_out": _("asked not to be contacted"),
    "already_bought": _("already bought"),
    "wrong_person": _("wrong person"),
    "other": _("unclear"),
}
URGENCY_LABELS = {"high": _("high"), "medium": _("medium"), "low": _("low")}
STAGE_LABELS = {"awareness": _("just looking"), "consideration": _("comparing options"), "decision": _("deciding")}
SENTIMENT_LABELS = {"positive": _("positive"), "neutral": _("neutral"), "negative": _("negative")}
SOURCE_LABELS = {
    "ads": _("ad form"),
    "historical": _("historical base"),
    "web_form": _("site form"),
    "referral": _("referral"),
    "manual_import": _("spreadsheet"),
    "api": _("partner API"),
    "whatsapp_inbound": _("came through WhatsApp"),
}
PIPELINE_LABELS = {
    "new": _("new"),
    "contacted": _("contacted"),
    "qualified": _("qualified"),
    "meeting": _("meeting"),
    "proposal": _("proposal"),
    "nurturing": _("nurturing"),
}
PROPERTY_LABELS = {
    "apartment": _("apartment"),
    "house": _("house"),
    "land": _("land"),
    "commercial": _("commercial property"),
    "investment": _("investment"),
    "other": _("other"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    label: object  # lazy string
    kind: str  # "category" | "number" | "boolean"
    read: Callable[[dict, datetime], list]
    describe: Callable[[object], str]


def _ai(cols: dict) -> tuple[dict, ...]:
    return cols["ai"]


def _days(values, now: datetime) -> list:
    return [None if v is None else max(0.0, (now - v).total_seconds() / 86400) for v in values]


def _ago(days: float) -> str:
    if days * 24 < 1:  # a lead created minutes ago is not "1 hour ago" (user test)
        minutes = max(1, round(days * 24 * 60))
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    if days < 1:
        hours = round(days * 24)
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    n = round(days)
    return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}


def _label(mapping: dict) -> Callable[[object], str]:
    return lambda v: str(mapping.get(v, v))


def _read_budget(cols: dict, now) -> list:
    out = []
    for bmin, bmax, ai in zip(cols["budget_min"], cols["budget_max"], _ai(cols), strict=True):
        value = bmax or bmin or ai.get("budget_max") or ai.get("budget_min")
        out.append(float(value) if value else None)
    return out


def _read_interest(cols: dict, now) -> list:
    return [t or (ai.get("property_type") or None) for t, ai in zip(cols["interest_type"], _ai(cols), strict=True)]


def _read_objections(cols: dict, now) -> list:
    return [len(ai.get("objections") or []) if ai else None for ai in _ai(cols)]


def _read_replied(cols: dict, now) -> list:
    return [
        None if first_out is None else bool(last_in and last_in > first_out)
        for first_out, last_in in zip(cols["first_out_at"], cols["last_in_at"], strict=True)
    ]


def _read_pipeline(cols: dict, now) -> list:
    return [s if s in PIPELINE_LABELS else None for s in cols["stage"]]


def _unknown_is_missing(field: str) -> Callable[[dict, datetime], list]:
    return lambda cols, now: [
        (ai.get(field) if ai.get(field) not in (None, "", "unknown") else None) for ai in _ai(cols)
    ]


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator(
            "intent",
            "interest",
            _("What they said they want"),
            "category",
            _unknown_is_missing("intent"),
            _label(INTENT_LABELS),
        ),
        Indicator(
            "interest_type",
            "interest",
            _("Property of interest"),
            "category",
            _read_interest,
            _label(PROPERTY_LABELS),
        ),
        Indicator(
            "source_kind",
            "interest",
            _("Origin"),
            "category",
            lambda cols, now: list(cols["source_kind"]),
            _label(SOURCE_LABELS),
        ),
        Indicator(
            "recurrence",
            "interest",
            _("Came back showing interest"),
            "number",
            lambda cols, now: [max(0, (n or 1) - 1) for n in cols["recurrence_count"]],
            lambda v: ngettext("%(n)d more time", "%(n)d more times", int(v)) % {"n": int(v)},
        ),
        Indicator("budget", "financial", _("Budget"), "number", _read_budget, lambda v: money_short(v)),
        Indicator(
            "urgency",
            "urgency",
            _("Urgency in the messages"),
            "category",
            _unknown_is_missing("urgency"),
            _label(URGENCY_LABELS),
        ),
        Indicator(
            "interest_age_days",
            "urgency",
            _("Last showed interest"),
            "number",
            lambda cols, now: _days(cols["last_interest_at"], now),
            lambda v: _ago(float(v)),
        ),
        Indicator(
            "buying_stage",
            "buying_stage",
            _("Moment of the purchase"),
            "category",
            _unknown_is_missing("buying_stage"),
            _label(STAGE_LABELS),
        ),
        Indicator(
            "pipeline_stage",
            "buying_stage",
            _("Stage in the funnel"),
            "category",
            _read_pipeline,
            _label(PIPELINE_LABELS),
        ),
        Indicator(
            "objections",
            "objections",
            _("Objections raised"),
            "number",
            _read_objections,
            lambda v: _("none") if not v else ngettext("%(n)d objection", "%(n)d objections", int(v)) % {"n": int(v)},
        ),
        Indicator(
            "sentiment",
            "objections",
            _("Tone of the conversation"),
            "category",
            lambda cols, now: [ai.get("sentiment") or None for ai in _ai(cols)],
            _label(SENTIMENT_LABELS),
        ),
        Indicator(
            "messages_in",
            "engagement",
            _("Messages from the lead"),
            "number",
            lambda cols, now: list(cols["messages_in"]),
            lambda v: ngettext("%(n)d message", "%(n)d messages", int(v)) % {"n": int(v)},
        ),
        Indicator(
            "reply_age_days",
            "engagement",
            _("Last message from the lead"),
            "number",
            lambda cols, now: _days(cols["last_in_at"], now),
            lambda v: _ago(float(v)),
        ),
        Indicator(
            "replied",
            "engagement",
            _("Answered our contact"),
            "boolean",
            _read_replied,
            lambda v: str(_("yes") if v else _("not yet")),
        ),
        Indicator(
            "touches",
            "engagement",
            _("Calls and meetings"),
            "number",
            lambda cols, now: list(cols["touches"]),
            lambda v: ngettext("%(n)d call or meeting", "%(n)d calls or meetings", int(v)) % {"n": int(v)},
        ),
    )
}


def columns_of(rows: list[tuple]) -> dict[str, tuple]:
    """Rows (``SCORING_COLUMNS``) → one tuple per column."""
    if not rows:
        return dict.fromkeys(SCORING_COLUMNS, ())
    cols = dict(zip(SCORING_COLUMNS, zip(*rows, strict=True), strict=True))
    cols["ai"] = tuple((json.loads(a) if isinstance(a, str) else a) or {} for a in cols["ai"])  # jsonb arrives as text
    return cols


def describe(key: str, raw) -> str:
    """A factor in a consultant's words, e.g. "Budget: R$ 800 thousand"."""
    indicator = INDICATORS.get(key)
    if indicator is None:
        return str(key)
    return f"{indicator.label}: {indicator.describe(raw)}"
