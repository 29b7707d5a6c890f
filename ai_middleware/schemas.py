"""The shapes every provider must return, as pydantic models: what the response processor validates against."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Intent = Literal[
    "interested",
    "wants_info",
    "schedule_meeting",
    "price_question",
    "not_interested",
    "opt_out",
    "already_bought",
    "wrong_person",
    "other",
]
Sentiment = Literal["positive", "neutral", "negative"]
Urgency = Literal["high", "medium", "low", "unknown"]
ObjectionName = Literal["price", "timing", "trust", "financing", "location", "spouse_decision", "already_has", "other"]
BuyingStage = Literal["awareness", "consideration", "decision", "unknown"]
PropertyType = Literal["apartment", "house", "land", "commercial", "investment", "other"]

INTENTS: tuple[str, ...] = Intent.__args__
SENTIMENTS: tuple[str, ...] = Sentiment.__args__
URGENCIES: tuple[str, ...] = Urgency.__args__
OBJECTIONS: tuple[str, ...] = ObjectionName.__args__
BUYING_STAGES: tuple[str, ...] = BuyingStage.__args__

EXTRACTION_FIELDS = (
    "intent",
    "sentiment",
    "urgency",
    "budget_min",
    "budget_max",
    "city",
    "state",
    "property_type",
    "objections",
    "buying_stage",
    "questions",
)


class Extraction(BaseModel):
    """What one inbound message says, in context. The field names are part of Fluxo's API: keep them."""

    model_config = ConfigDict(extra="ignore")

    intent: Intent
    sentiment: Sentiment = "neutral"
    urgency: Urgency = "unknown"
    budget_min: float | None = Field(default=None, ge=0)
    budget_max: float | None = Field(default=None, ge=0)
    city: str | None = Field(default=None, max_length=120)
    state: str | None = Field(default=None, max_length=2)
    property_type: PropertyType | None = None
    objections: list[ObjectionName] = Field(default_factory=list)
    buying_stage: BuyingStage = "unknown"
    questions: list[str] = Field(default_factory=list, max_length=10)
    confidence: dict[str, float] = Field(default_factory=dict)

    @field_validator("state")
    @classmethod
    def _uf(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) != 2 or not value.isalpha():
            raise ValueError("state must be a two-letter UF such as SP")
        return value.upper()

    @field_validator("city", mode="before")
    @classmethod
    def _blank_city(cls, value):
        return value or None

    @field_validator("confidence")
    @classmethod
    def _unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        return {key: min(1.0, max(0.0, float(score))) for key, score in value.items() if key in EXTRACTION_FIELDS}

    @model_validator(mode="after")
    def _ordered_budget(self):
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            raise ValueError("budget_min is greater than budget_max")
        self.objections = list(dict.fromkeys(self.objections))
        return self

    def facts(self) -> dict:
        """The extracted fields without the confidences, JSON-ready."""
        return self.model_dump(exclude={"confidence"})


ECPR_STEPS = ("empathize", "clarify", "present", "confirm")


class EcprFrame(BaseModel):
    """The four moves of an answer to an objection, in order: empathize (acknowledge the feeling), clarify (a question
    that pins down the real concern), present (the team's answer), confirm (check that it answers the concern)."""

    model_config = ConfigDict(extra="ignore")

    empathize: str = Field(min_length=2, max_length=240)
    clarify: str = Field(min_length=2, max_length=240)
    present: str = Field(min_length=2, max_length=400)
    confirm: str = Field(min_length=2, max_length=240)

    @field_validator("clarify", "confirm")
    @classmethod
    def _a_question(cls, value: str) -> str:
        if not value.rstrip().endswith("?"):
            raise ValueError("clarify and confirm are questions to the customer (end with ?)")
        return value

    def text(self) -> str:
        return " ".join(getattr(self, step).strip() for step in ECPR_STEPS)


class ReplyDraft(BaseModel):
    """A reply draft. One that answers objections (``handles``) follows ECPR and carries its frame; its text is the
    frame's four moves in order."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=2, max_length=1200)
    handles: list[ObjectionName] = Field(default_factory=list)
    ecpr: EcprFrame | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_from_frame(cls, data):
        if isinstance(data, dict) and not data.get("text") and isinstance(data.get("ecpr"), dict):
            data = {**data, "text": " ".join(str(data["ecpr"].get(step, "")).strip() for step in ECPR_STEPS)}
        return data

    @model_validator(mode="after")
    def _objections_follow_ecpr(self):
        if self.handles and self.ecpr is None:
            raise ValueError(
                "a draft that answers an objection follows ECPR: give ecpr with empathize, clarify, present, confirm"
            )
        if self.ecpr is not None:
            self.text = self.ecpr.text()  # the message is the frame, in ECPR order
        return self


class Suggestions(BaseModel):
    """Two or three reply drafts for the consultant to edit."""

    model_config = ConfigDict(extra="ignore")

    drafts: list[ReplyDraft] = Field(min_length=2, max_length=3)


class CampaignDraft(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=20, max_length=1024)
