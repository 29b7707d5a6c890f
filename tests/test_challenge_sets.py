"""The CHALLENGE sets of issue #20 (set 1 and the independently written set 2, each an extraction and an opt-out file)
are well-formed: right columns, labels from the allowed sets, budgets numeric
and ordered, enough rows, the families the issue names present. This only parses the files; it evaluates no model
(the sets are never used for training or tuning, only by the evaluation commands)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ai_middleware.schemas import BUYING_STAGES, INTENTS, OBJECTIONS, SENTIMENTS, URGENCIES, PropertyType

ROOT = Path(__file__).resolve().parent.parent
EXTRACTION = ROOT / "ai_middleware" / "data" / "challenge" / "extraction_challenge_ptbr.psv"
OPTOUT = ROOT / "compliance" / "data" / "challenge" / "optout_challenge_ptbr.psv"
EXTRACTION_2 = EXTRACTION.with_name("extraction_challenge2_ptbr.psv")
OPTOUT_2 = OPTOUT.with_name("optout_challenge2_ptbr.psv")
EXTRACTION_FILES = {"challenge": EXTRACTION, "challenge_2": EXTRACTION_2}
OPTOUT_FILES = {"challenge": OPTOUT, "challenge_2": OPTOUT_2}
# The hard cases of the issue, by the family names each writer used.
HARD_FAMILIES = {
    "challenge": (
        "price_q",
        "price_q_ad",
        "quote_back",
        "refusal_price",
        "budget_limit_after_quote",
        "budget_min",
        "budget_max",
        "budget_range",
        "budget_words",
        "downpayment_not_budget",
        "instalment_not_budget",
        "visit",
        "call_request",
        "third_party",
        "whatsapp_no_call",
        "resume_receive",
        "wrong_person",
    ),
    "challenge_2": (
        "price_ask",
        "price_ask_ad",
        "quoted_back",
        "refusal_with_price",
        "bud_cap_after_quote",
        "bud_min",
        "bud_max",
        "bud_range",
        "bud_single",
        "bud_spoken",
        "bud_downpay_total",
        "downpay_only",
        "instalment_only",
        "income_rent_only",
        "visit_wish",
        "call_wish",
        "third_party",
        "whats_only",
        "back_to_list",
        "wrong_number",
        "long_ramble",
    ),
}

EXTRACTION_COLUMNS = (
    "family",
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
    "text",
)
OPTOUT_COLUMNS = ("family", "expected", "scope", "text")
OPTOUT_EXPECTED = ("stop", "confirm", "preference", "resume", "none")
PROPERTY_TYPES = PropertyType.__args__
SCOPE = re.compile(
    r"^(any|phone|marketing|no_audio|days:[0-6](,[0-6])*|hours:([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$"
)
FAMILY = re.compile(r"^[a-z][a-z0-9_]*$")


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("|")
        assert len(cells) == len(columns), f"{path.name}:{number}: {len(cells)} columns, expected {len(columns)}"
        row = dict(zip(columns, cells, strict=True))
        row["_line"] = f"{path.name}:{number}"
        rows.append(row)
    return rows


@pytest.fixture(scope="module", params=sorted(EXTRACTION_FILES))
def extraction_set(request):
    return request.param


@pytest.fixture(scope="module")
def extraction_rows(extraction_set):
    return _rows(EXTRACTION_FILES[extraction_set], EXTRACTION_COLUMNS)


@pytest.fixture(scope="module", params=sorted(OPTOUT_FILES))
def optout_set(request):
    return request.param


@pytest.fixture(scope="module")
def optout_rows(optout_set):
    return _rows(OPTOUT_FILES[optout_set], OPTOUT_COLUMNS)


def test_extraction_labels_are_in_the_schema(extraction_rows):
    assert len(extraction_rows) >= 300
    for row in extraction_rows:
        where = row["_line"]
        assert FAMILY.match(row["family"]), where
        assert row["intent"] in INTENTS, where
        assert row["sentiment"] in SENTIMENTS, where
        assert row["urgency"] in URGENCIES, where
        assert row["buying_stage"] in (*BUYING_STAGES, ""), where
        assert row["property_type"] in (*PROPERTY_TYPES, ""), where
        objections = [name for name in row["objections"].split(",") if name]
        assert all(name in OBJECTIONS for name in objections), where
        assert len(objections) == len(set(objections)), where
        assert row["state"] == "" or re.fullmatch(r"[A-Z]{2}", row["state"]), where
        assert row["text"].strip(), where
    texts = [row["text"].strip().casefold() for row in extraction_rows]
    assert not [text for text, count in Counter(texts).items() if count > 1]


def test_extraction_budgets_are_numeric_and_ordered(extraction_rows):
    for row in extraction_rows:
        where = row["_line"]
        low, high = row["budget_min"], row["budget_max"]
        for value in (low, high):
            assert value == "" or re.fullmatch(r"\d+", value), where
        if low and high:
            assert int(low) <= int(high), where


def test_extraction_has_the_hard_cases_and_budget_mix(extraction_set, extraction_rows):
    families = Counter(row["family"] for row in extraction_rows)
    for family in HARD_FAMILIES[extraction_set]:
        assert families[family] >= 5, family
    without_budget = sum(1 for row in extraction_rows if not row["budget_min"] and not row["budget_max"])
    assert 0.35 <= without_budget / len(extraction_rows) <= 0.8
    assert {row["intent"] for row in extraction_rows} == set(INTENTS)


def test_optout_labels_are_allowed(optout_rows):
    assert len(optout_rows) >= 300
    for row in optout_rows:
        where = row["_line"]
        assert FAMILY.match(row["family"]), where
        assert row["expected"] in OPTOUT_EXPECTED, where
        if row["expected"] == "none":
            assert row["scope"] == "", where
        else:
            assert SCOPE.match(row["scope"]), where
        if row["expected"] == "preference":
            assert row["scope"].split(":")[0] in ("no_audio", "days", "hours"), where
        if row["expected"] == "resume":
            assert row["scope"] in ("marketing", "any"), where
        assert row["text"].strip(), where
    texts = [row["text"].strip().casefold() for row in optout_rows]
    duplicates = [text for text, count in Counter(texts).items() if count > 1]
    assert not duplicates


def test_optout_has_every_kind_in_the_issue(optout_rows):
    expected = Counter(row["expected"] for row in optout_rows)
    assert expected["stop"] >= 130
    assert expected["none"] >= 100
    assert expected["confirm"] >= 15
    assert expected["resume"] >= 10
    scopes = Counter(row["scope"].split(":")[0] for row in optout_rows if row["expected"] == "preference")
    assert scopes["no_audio"] >= 5 and scopes["days"] >= 5 and scopes["hours"] >= 5
    assert sum(1 for row in optout_rows if row["expected"] == "stop" and row["scope"] == "phone") >= 5


def test_the_second_sets_are_as_large_as_the_brief_asks_and_share_no_message_with_the_first():
    """Set 2 (written by another writer, independently of set 1): at least 400 extraction messages with every intent
    and about half without any budget, at least 360 opt-out messages in the brief's mix, no text copied from set 1."""
    extraction = _rows(EXTRACTION_2, EXTRACTION_COLUMNS)
    assert len(extraction) >= 400
    budgets = Counter(
        "range"
        if row["budget_min"] and row["budget_max"] and row["budget_min"] != row["budget_max"]
        else "single"
        if row["budget_min"] and row["budget_max"]
        else "min"
        if row["budget_min"]
        else "max"
        if row["budget_max"]
        else "none"
        for row in extraction
    )
    assert all(budgets[kind] >= 10 for kind in ("range", "single", "min", "max")), budgets

    optout = _rows(OPTOUT_2, OPTOUT_COLUMNS)
    assert len(optout) >= 360
    kinds = Counter((row["expected"], row["scope"].split(":")[0]) for row in optout)
    assert kinds[("stop", "any")] >= 140 and kinds[("stop", "phone")] >= 15
    assert kinds[("none", "")] >= 110
    assert kinds[("preference", "no_audio")] + kinds[("preference", "days")] + kinds[("preference", "hours")] >= 30
    assert kinds[("resume", "marketing")] + kinds[("resume", "any")] >= 20
    assert kinds[("confirm", "any")] >= 20

    for first, second in ((EXTRACTION, EXTRACTION_2), (OPTOUT, OPTOUT_2)):
        columns = EXTRACTION_COLUMNS if first == EXTRACTION else OPTOUT_COLUMNS
        seen = {row["text"].strip().casefold() for row in _rows(first, columns)}
        assert not [row["_line"] for row in _rows(second, columns) if row["text"].strip().casefold() in seen]
