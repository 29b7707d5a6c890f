"""Scores an extractor on labelled messages: accuracy, macro-F1 and per-class F1 for the classified fields, exact
match for budget (min and max both right), city, state and property type, how often a budget is invented for a
message that states none, and micro-F1 for the objection lists.

Three sets are scored (``ai_eval`` prints them side by side): group-aware cross-validation over the training data
(whole families held out), the independently written challenge set (never trained or tuned on), and the labelled
examples production feedback records (``LabelledExample``: "Não" to the opt-out question, consultants' corrections)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .local import Example, LocalEngine, dataset_folds, dataset_split
from .models import LabelledExample
from .schemas import Extraction

CLASS_FIELDS = ("intent", "sentiment", "urgency", "buying_stage")
EXACT_FIELDS = ("city", "state", "property_type")


def _f1_per_label(pairs: list[tuple[str, str]]) -> dict[str, float]:
    labels = sorted({gold for gold, _ in pairs} | {pred for _, pred in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        fp = sum(1 for gold, pred in pairs if gold != label and pred == label)
        fn = sum(1 for gold, pred in pairs if gold == label and pred != label)
        if tp + fp + fn:
            scores[label] = 2 * tp / (2 * tp + fp + fn)
    return scores


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-F1 over every label either side uses (a label predicted but never expected scores 0)."""
    scores = list(_f1_per_label(pairs).values())
    return sum(scores) / len(scores) if scores else 0.0


def _run(extract: Callable[[str], Extraction], examples: Iterable[Example]) -> list[tuple[Example, dict]]:
    """(example, outcome) for each message: the result or the error, and the time it took."""
    outcomes = []
    for example in examples:
        started = time.perf_counter()
        try:
            result, error = extract(example.text), None
        except Exception as exc:  # an invalid answer is a wrong answer, and the run goes on
            result, error = None, str(exc)[:200]
        outcomes.append((example, {"result": result, "error": error, "ms": (time.perf_counter() - started) * 1000}))
    return outcomes


def score(outcomes: list[tuple[Example, dict]]) -> dict:
    """The report for a list of (example, outcome) pairs; failures count as wrong on every field and are listed."""
    pairs: dict[str, list[tuple]] = {field: [] for field in (*CLASS_FIELDS, *EXACT_FIELDS, "budget")}
    objection_counts = {"tp": 0, "fp": 0, "fn": 0}
    failures, mistakes, budget_mistakes, latencies = [], [], [], []
    without_budget = invented = 0
    for example, outcome in outcomes:
        result = outcome["result"]
        if outcome["error"]:
            failures.append({"text": example.text, "error": outcome["error"]})
        latencies.append(outcome["ms"])
        for field in CLASS_FIELDS:
            pairs[field].append((getattr(example, field), getattr(result, field, None) if result else None))
        for field in EXACT_FIELDS:
            got = getattr(result, field, None) if result else "∅"
            pairs[field].append((getattr(example, field), got or None))
        gold_budget = (example.budget_min, example.budget_max)
        budget = (result.budget_min, result.budget_max) if result else ("∅", "∅")
        pairs["budget"].append((gold_budget, budget))
        if gold_budget == (None, None):
            without_budget += 1
            invented += budget != (None, None)
        if gold_budget != budget:
            budget_mistakes.append({"text": example.text, "expected": gold_budget, "got": budget})
        gold, got = set(example.objections), set(result.objections if result else [])
        objection_counts["tp"] += len(gold & got)
        objection_counts["fp"] += len(got - gold)
        objection_counts["fn"] += len(gold - got)
        if result and result.intent != example.intent:
            mistakes.append({"text": example.text, "expected": example.intent, "got": result.intent})
    total = len(outcomes) or 1
    fields: dict[str, dict] = {}
    for field in CLASS_FIELDS:
        named = [(str(g), str(p)) for g, p in pairs[field]]
        fields[field] = {
            "accuracy": round(sum(g == p for g, p in pairs[field]) / total, 4),
            "macro_f1": round(_macro_f1(named), 4),
        }
        if field == "intent":
            fields[field]["f1_per_intent"] = {label: round(value, 4) for label, value in _f1_per_label(named).items()}
    for field in (*EXACT_FIELDS, "budget"):
        fields[field] = {"exact_match": round(sum(g == p for g, p in pairs[field]) / total, 4)}
    fields["budget"]["messages_without_budget"] = without_budget
    fields["budget"]["invented_rate"] = round(invented / without_budget, 4) if without_budget else 0.0
    tp, fp, fn = objection_counts["tp"], objection_counts["fp"], objection_counts["fn"]
    fields["objections"] = {"micro_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0}
    latencies.sort()
    return {
        "examples": len(outcomes),
        "fields": fields,
        "failures": len(failures),
        "failure_samples": failures[:5],
        "intent_mistakes": mistakes[:40],
        "budget_mistakes": budget_mistakes[:40],
        "latency_ms": {
            "p50": round(latencies[len(latencies) // 2], 2) if latencies else 0.0,
            "p95": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 2) if latencies else 0.0,
        },
    }


def evaluate(extract: Callable[[str], Extraction], examples: list[Example] | None = None) -> dict:
    """Runs ``extract`` on each message (by default the held-out side of the first group-aware fold)."""
    examples = examples if examples is not None else dataset_split()[1]
    return score(_run(extract, examples))


def group_cross_validation(folds: int = 5, engine_factory: Callable[[list[Example]], object] = LocalEngine) -> dict:
    """The local engine trained ``folds`` times, each time without a fifth of the FAMILIES, and scored on the
    families it did not see; the predictions of all folds are pooled into one report."""
    outcomes = []
    train_sizes = []
    for train, test in dataset_folds(folds):
        engine = engine_factory(train)
        engine.warm()
        train_sizes.append(len(train))
        outcomes.extend(_run(engine.extract, test))
    report = score(outcomes)
    report["method"] = f"GroupKFold({folds}) by message family, out-of-fold predictions pooled"
    report["families"] = len({example.family for example, _ in outcomes})
    report["train_examples_per_fold"] = train_sizes
    return report


def _labelled_value(result: Extraction, field: str) -> str:
    """What the extractor says for one labelled field, as the string a LabelledExample stores."""
    if field in ("optout", "opt_out"):
        return "stop" if result.intent == "opt_out" else "none"
    value = getattr(result, "property_type" if field == "interest_type" else field, None)
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _labelled_expected(field: str, value) -> str:
    """The right value a LabelledExample stores (JSON: a bool for opt-out, a number for budgets, else a string)."""
    if field in ("optout", "opt_out"):
        stop = value is True or str(value).strip().lower() in ("stop", "yes", "sim", "true")
        return "stop" if stop else "none"
    if value is None:
        return ""
    if field.startswith("budget"):
        try:
            return f"{float(value):.2f}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def labelled_examples_evaluate(extract: Callable[[str], Extraction], *, with_mistakes: bool = False) -> dict:
    """Agreement of the extractor with the labelled examples production feedback recorded, per source and field
    (the opt-out answers count as "not a stop" unless the person confirmed the stop)."""
    groups: dict[str, dict] = {}
    mistakes = []
    total = right = 0
    for example in LabelledExample.objects.exclude(text="").order_by("id").iterator():
        key = f"{example.source}:{example.field}"
        group = groups.setdefault(key, {"examples": 0, "agree": 0})
        try:
            got = _labelled_value(extract(example.text), example.field)
        except Exception:  # an invalid answer disagrees
            got = "∅"
        expected = _labelled_expected(example.field, example.value)
        group["examples"] += 1
        total += 1
        if got == expected:
            group["agree"] += 1
            right += 1
        elif len(mistakes) < 20:
            mistakes.append({"field": example.field, "expected": expected, "got": got, "text": example.text})
    for group in groups.values():
        group["accuracy"] = round(group["agree"] / group["examples"], 4)
    report = {
        "without_text": LabelledExample.objects.filter(text="").count(),
        "examples": total,
        "accuracy": round(right / total, 4) if total else None,
        "by_source_field": groups,
    }
    if not total:
        report["note"] = "no labelled examples recorded yet"
    if with_mistakes:
        report["mistakes"] = mistakes
    return report
