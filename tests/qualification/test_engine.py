"""The scoring engine against real PostgreSQL: each curve and normalization, each dimension, confidence."""

from __future__ import annotations

import math

import pytest

from leads.models import SourceKind
from qualification.config import default_definition
from qualification.engine import indicator_value
from tests.qualification.builders import HOT_AI, _lead, _messages, _score

pytestmark = pytest.mark.django_db


# --- curves and normalizations --------------------------------------------------------------------------------------
def test_curves_saturate_decay_and_bend_as_configured():
    definition = default_definition()
    sat = indicator_value("messages_in", [0, 1, 2, 10, None], definition)
    assert sat[0] == 0 and 0 < sat[1] < sat[2] < sat[3] < 1 and math.isnan(sat[4])
    assert sat[2] == pytest.approx(1 - math.exp(-1))  # k = 2: one "k" of messages reaches 63 %
    decay = indicator_value("interest_age_days", [0, 10, 20], definition)
    assert list(decay) == pytest.approx([1.0, 0.5, 0.25])  # half-life 10 days
    budget = indicator_value("budget", [100_000, 150_000, 2_000_000, 5_000_000, None], definition)
    assert budget[0] == budget[1] == 0 and budget[2] == budget[3] == 1 and math.isnan(budget[4])
    mid = indicator_value("budget", [math.sqrt(150_000 * 2_000_000)], definition)[0]
    assert mid == pytest.approx(0.5**0.8)  # log scale midpoint, then the power curve
    objections = indicator_value("objections", [0, 3, 5], definition)
    assert list(objections) == [1.0, 0.0, 0.0]  # inverted range
    definition["indicators"]["budget"]["curve"] = {"type": "sigmoid", "midpoint": 0.5, "steepness": 10}
    s = indicator_value("budget", [math.sqrt(150_000 * 2_000_000)], definition)[0]
    assert s == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("dimension", "weak", "strong"),
    [
        ("interest", {"ai": {"intent": "wants_info"}}, {"ai": {"intent": "interested"}, "kind": SourceKind.REFERRAL}),
        ("financial", {"budget": 200_000}, {"budget": 1_800_000}),
        ("urgency", {"ai": {"intent": "other", "urgency": "low"}}, {"ai": {"intent": "other", "urgency": "high"}}),
        (
            "buying_stage",
            {"ai": {"intent": "other", "buying_stage": "awareness"}},
            {"ai": {"intent": "other", "buying_stage": "decision"}},
        ),
        (
            "objections",
            {"ai": {"intent": "other", "objections": ["price", "trust"], "sentiment": "negative"}},
            {"ai": {"intent": "other", "objections": [], "sentiment": "positive"}},
        ),
        ("engagement", {"messages": 0}, {"messages": 5}),
    ],
)
def test_each_dimension_moves_its_own_points(dimension, weak, strong):
    def make(spec):
        spec = dict(spec)
        messages = spec.pop("messages", None)
        lead = _lead(**spec)
        if messages is not None:
            _messages(lead, messages)
        return _score(lead)

    low, high = make(weak), make(strong)
    assert high.dimensions[dimension] > low.dimensions[dimension]
    assert high.score > low.score


def test_confidence_grows_with_known_facts():
    bare = _score(_lead())
    rich = _lead(ai=HOT_AI, budget=600_000)
    _messages(rich, 2)
    assert _score(rich).confidence > bare.confidence
