"""A score's explanation sums to the score and names the factors both ways."""

from __future__ import annotations

import pytest

from leads.models import SourceKind
from qualification import selectors
from tests.qualification.builders import HOT_AI, _lead, _messages, _score

pytestmark = pytest.mark.django_db


def test_explanation_sums_to_the_score_and_names_factors_both_ways():
    lead = _lead(ai={**HOT_AI, "objections": ["price", "financing"]}, budget=900_000, kind=SourceKind.REFERRAL)
    _messages(lead, 4)
    score = _score(lead)
    said = selectors.explanation(score)
    assert sum(d["points"] for d in said["dimensions"]) == pytest.approx(score.score, abs=0.05)
    assert len(said["dimensions"]) == 6
    up_keys = {f["key"] for f in said["up"]}
    assert "intent" in up_keys and len(up_keys) == 3
    assert "objections" in {f["key"] for f in said["down"]}
    assert all(f["points"] > 0 for f in said["up"]) and all(f["points"] < 0 for f in said["down"])
    assert all(": " in f["text"] for f in said["up"] + said["down"])  # "label: value" in words
    assert 0 < score.confidence <= 1
