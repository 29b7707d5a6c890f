"""How well the opt-out decision does on a ``family|expected|scope|text`` file (issue #20's metrics).

* recall: stop requests decided stop / all stop requests; those only asked (confirm) are reported separately;
* false suppressions: messages expected none / preference / resume that were decided stop (a phone-only stop of a
  full stop request counts as decided stop, with its scope reported in ``scope_accuracy``);
* per-action accuracy; ``confirm`` rows (genuinely ambiguous) count as right when decided stop or confirm.

``optout_evaluate(path_or_rows)`` scores the model as shipped (trained on the whole training file). For the training
data itself that would be marking one's own homework, so ``optout_evaluate_grouped`` runs a group-aware split:
GroupKFold by family, each fold decided by a model (and thresholds) trained on the other families only.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path

from django.conf import settings

from common.reports import content_key, report_cached
from compliance import optout, semantic
from compliance.optout import (
    CONFIRM,
    DEFAULT_KEYWORDS,
    NONE,
    PREFERENCE,
    RESUME,
    STOP,
    TRAINING_FILES,
    OptOutModel,
    OptOutRow,
    optout_decide,
    optout_model,
    optout_model_train,
    optout_rows,
    optout_training_rows,
    scope_compact,
)
from compliance.semantic import semantic_prefetch

CHALLENGE_FILE = Path(__file__).resolve().parent / "data" / "challenge" / "optout_challenge_ptbr.psv"
# Every independently written challenge file, by the key the report shows it under (set 1 keeps "challenge").
CHALLENGE_FILES = {"challenge": CHALLENGE_FILE, "challenge_2": CHALLENGE_FILE.with_name("optout_challenge2_ptbr.psv")}
# The blind dev sets (written by other writers, used to choose rules and thresholds, never trained on): reported
# beside the challenge sets so that the gap between what was tuned on and what was not stays visible.
DEV_FILES = {
    "dev": CHALLENGE_FILE.parent.parent / "optout_dev_ptbr.psv",
    "dev_2": CHALLENGE_FILE.parent.parent / "optout_dev2_ptbr.psv",
    "dev_3": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev3_ptbr.psv",
    "dev_4": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev4_ptbr.psv",
    "dev_5": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev5_ptbr.psv",
    "dev_6": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev6_ptbr.psv",
    "dev_7": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev7_ptbr.psv",
    "dev_8": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev8_ptbr.psv",
    "dev_9": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev9_ptbr.psv",
    "dev_10": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev10_ptbr.psv",
    "dev_11": CHALLENGE_FILE.parent.parent / "dev" / "optout_dev11_ptbr.psv",
}

# The final blind sets (another writer's, never read for error analysis): scored once per release, beside the others.
FINAL_DIR = CHALLENGE_FILE.parent.parent / "final"


def _rows(path_or_rows) -> list[OptOutRow]:
    if isinstance(path_or_rows, (str, Path)):
        return optout_rows(path_or_rows)
    return [row if isinstance(row, OptOutRow) else OptOutRow(*row) for row in path_or_rows]


def _score(rows: list[OptOutRow], decisions: list) -> dict:
    stops = [(r, d) for r, d in zip(rows, decisions, strict=True) if r.expected == STOP]
    negatives = [(r, d) for r, d in zip(rows, decisions, strict=True) if r.expected in (NONE, PREFERENCE, RESUME)]
    per_action: dict[str, dict] = {}
    for action in (STOP, CONFIRM, PREFERENCE, RESUME, NONE):
        mine = [(r, d) for r, d in zip(rows, decisions, strict=True) if r.expected == action]
        if not mine:
            continue
        ok = sum(1 for _r, d in mine if d.action == action or (action == CONFIRM and d.action == STOP))
        per_action[action] = {"n": len(mine), "accuracy": round(ok / len(mine), 4)}
    scoped = [(r, d) for r, d in zip(rows, decisions, strict=True) if r.scope and r.expected == d.action]
    scope_ok = sum(1 for r, d in scoped if _scope_matches(r.scope, scope_compact(d)))
    false = [r for r, d in negatives if d.action == STOP]
    confusion = Counter(f"{r.expected}->{d.action}" for r, d in zip(rows, decisions, strict=True))
    return {
        "n": len(rows),
        "stop_requests": len(stops),
        "stop_recall": round(sum(1 for _r, d in stops if d.action == STOP) / len(stops), 4) if stops else None,
        "stop_confirmed": sum(1 for _r, d in stops if d.action == CONFIRM),
        "stop_recall_with_confirm": (
            round(sum(1 for _r, d in stops if d.action in (STOP, CONFIRM)) / len(stops), 4) if stops else None
        ),
        "stop_missed": sum(1 for _r, d in stops if d.action not in (STOP, CONFIRM)),
        "false_suppressions": len(false),
        "false_suppression_families": sorted({r.family for r in false}),
        "negatives": len(negatives),
        "negatives_asked": sum(1 for _r, d in negatives if d.action == CONFIRM),
        "per_action": per_action,
        "scope_accuracy": round(scope_ok / len(scoped), 4) if scoped else None,
        "layers": dict(Counter(d.evidence.get("layer", "") for d in decisions if d.action != NONE)),
        "confusion": dict(sorted(confusion.items())),
    }


def _scope_matches(expected: str, got: str) -> bool:
    expected = expected.strip().lower()
    if expected in ("", "hours", "days"):  # the file names only the kind
        return got.startswith(expected)
    return expected in got.split(";") or expected == got


def optout_evaluate(path_or_rows, *, rules=DEFAULT_KEYWORDS, model: OptOutModel | None = None) -> dict:
    """Decide every row with the shipped model (or ``model``) and score it; also the decision's p50/p95 in ms."""
    rows = _rows(path_or_rows)
    model = model or optout_model()
    decisions, times = [], []
    for row in rows:
        start = time.perf_counter()
        decisions.append(optout_decide(row.text, rules, model=model))
        times.append(time.perf_counter() - start)
    report = _score(rows, decisions)
    times.sort()
    if times:
        report["decision_ms"] = {
            "p50": round(times[len(times) // 2] * 1000, 3),
            "p95": round(times[int(len(times) * 0.95)] * 1000, 3),
        }
    report["model_version"] = model.version
    return report


def optout_evaluate_grouped(path_or_rows=None, *, rules=DEFAULT_KEYWORDS, folds: int = 5) -> dict:
    """Group-aware split of the training files (or of one file): GroupKFold by family, every row decided by a
    model trained on the other families (its thresholds chosen on those alone)."""
    from sklearn.model_selection import GroupKFold

    rows = optout_training_rows() if path_or_rows is None else _rows(path_or_rows)
    groups = [r.family for r in rows]
    decisions: list = [None] * len(rows)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for index, (train, test) in enumerate(splitter.split(rows, [r.expected for r in rows], groups)):
        model = optout_model_train([rows[i] for i in train], version=f"fold{index}", rules=rules)
        for i in test:
            # the layers alone: the second opinion was trained on every training family, held-out ones included
            decisions[i] = optout_decide(rows[i].text, rules, model=model, second_opinion=False)
    report = _score(rows, decisions)
    report["split"] = f"GroupKFold({splitter.n_splits}) by family, {len(set(groups))} families"
    return report


def optout_eval_report(*, training: str | Path | None = None, challenge: str | Path | None = None) -> dict:
    """The training file's group-aware split and every challenge file (when present) side by side; ``challenge``
    replaces the first challenge file. The default report (every shipped file) is kept on disk by the content it was
    computed from (``common.reports``): the same files, code and models give it back without minutes of work."""
    if training or challenge:
        return _eval_report(training=training, challenge=challenge)
    eval_files = [*CHALLENGE_FILES.values(), *DEV_FILES.values(), *sorted(FINAL_DIR.glob("*.psv"))]
    code = [Path(__file__), Path(optout.__file__), Path(semantic.__file__)]
    opinion = semantic.semantic_model()
    key = content_key(
        [*eval_files, *TRAINING_FILES, *code], optout_model().version, opinion.version if opinion else "no-semantic"
    )
    return report_cached(getattr(settings, "OPTOUT_MODEL_DIR", ""), "optout-eval", key, _eval_report)


def _eval_report(*, training: str | Path | None = None, challenge: str | Path | None = None) -> dict:
    import sklearn

    challenges = {**CHALLENGE_FILES, **({"challenge": Path(challenge)} if challenge else {})}
    model = optout_model()
    # Thousands of messages: their sentence vectors are embedded in one batch over every core first, so each
    # decision's ``decision_ms`` here leaves the embedding out (bench/ai.py times single decisions whole).
    files = [*challenges.values(), *DEV_FILES.values(), *sorted(FINAL_DIR.glob("*.psv"))]
    semantic_prefetch([row.text for path in files if path.exists() for row in optout_rows(path)])
    report = {
        "model": {
            "version": model.version,
            "stop_threshold": model.stop_threshold,
            "ask_threshold": model.ask_threshold,
            "sklearn": sklearn.__version__,
            "training_sha256": {
                path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in ([Path(training)] if training else TRAINING_FILES)
            },
        },
        "training_group_split": optout_evaluate_grouped(training),
        **{key: optout_evaluate(path, model=model) if path.exists() else None for key, path in challenges.items()},
        "dev_sets": {key: optout_evaluate(path, model=model) for key, path in DEV_FILES.items() if path.exists()},
        "final": {path.stem: optout_evaluate(path, model=model) for path in sorted(FINAL_DIR.glob("*.psv"))},
    }
    return report
