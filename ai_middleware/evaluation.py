"""Scores an extractor on the held-out part of the labeled dataset: accuracy and macro-F1 for the classified
fields, exact match for budget, city, state and property type, micro-F1 for the objection lists."""

from __future__ import annotations

import time
from collections.abc import Callable

from .local import Example, dataset_split
from .schemas import Extraction

CLASS_FIELDS = ("intent", "sentiment", "urgency", "buying_stage")
EXACT_FIELDS = ("city", "state", "property_type")


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({gold for gold, _ in pairs} | {pred for _, pred in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        fp = sum(1 for gold, pred in pairs if gold != label and pred == label)
        fn = sum(1 for gold, pred in pairs if gold == label and pred != label)
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(extract: Callable[[str], Extraction], examples: list[Example] | None = None) -> dict:
    """Runs ``extract`` on each held-out message; failures count as wrong on every field and are listed."""
    examples = examples if examples is not None else dataset_split()[1]
    pairs: dict[str, list[tuple]] = {field: [] for field in (*CLASS_FIELDS, *EXACT_FIELDS, "budget")}
    objection_counts = {"tp": 0, "fp": 0, "fn": 0}
    failures, mistakes, latencies = [], [], []
    for example in examples:
        started = time.perf_counter()
        try:
            result = extract(example.text)
        except Exception as exc:  # an invalid answer is a wrong answer, and the run goes on
            failures.append({"text": example.text, "error": str(exc)[:200]})
            result = None
        latencies.append((time.perf_counter() - started) * 1000)
        for field in CLASS_FIELDS:
            pairs[field].append((getattr(example, field), getattr(result, field, None) if result else None))
        for field in EXACT_FIELDS:
            got = getattr(result, field, None) if result else "∅"
            pairs[field].append((getattr(example, field), got or None))
        budget = (result.budget_min, result.budget_max) if result else ("∅", "∅")
        pairs["budget"].append(((example.budget_min, example.budget_max), budget))
        gold, got = set(example.objections), set(result.objections if result else [])
        objection_counts["tp"] += len(gold & got)
        objection_counts["fp"] += len(got - gold)
        objection_counts["fn"] += len(gold - got)
        if result and result.intent != example.intent:
            mistakes.append({"text": example.text, "expected": example.intent, "got": result.intent})
    fields: dict[str, dict] = {}
    for field in CLASS_FIELDS:
        fields[field] = {
            "accuracy": round(sum(g == p for g, p in pairs[field]) / len(examples), 4),
            "macro_f1": round(_macro_f1([(str(g), str(p)) for g, p in pairs[field]]), 4),
        }
    for field in (*EXACT_FIELDS, "budget"):
        fields[field] = {"exact_match": round(sum(g == p for g, p in pairs[field]) / len(examples), 4)}
    tp, fp, fn = objection_counts["tp"], objection_counts["fp"], objection_counts["fn"]
    fields["objections"] = {"micro_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0}
    latencies.sort()
    return {
        "examples": len(examples),
        "fields": fields,
        "failures": len(failures),
        "failure_samples": failures[:5],
        "intent_mistakes": mistakes[:20],
        "latency_ms": {
            "p50": round(latencies[len(latencies) // 2], 2),
            "p95": round(latencies[int(len(latencies) * 0.95) - 1], 2),
        },
    }
