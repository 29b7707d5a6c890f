"""``python manage.py ai_eval --provider local --json``: how the extractor does, side by side, on

* ``group_split``: group-aware cross-validation over the training data (whole message families held out; for the
  local engine, retrained per fold; for another provider, its answers on the same messages);
* ``challenge``, ``challenge_2``: the separately written challenge sets (never trained or tuned on; set 2 by another
  writer), each with the issue's targets;
* ``dev``: the blind dev set of a third writer (``ai_middleware/data/dev/``), used to choose rules and features and
  never trained on — shown so that the gap between what was tuned on and what was not stays visible;
* ``labelled_examples``: the examples production feedback recorded (opt-out confirmations answered "Não",
  consultants' corrections of extracted fields);
* ``optout``: the opt-out decision's recall and false suppressions, when the compliance evaluation is installed."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ai_middleware import budget, engine, evaluation, local
from ai_middleware.evaluation import evaluate, group_cross_validation, labelled_examples_evaluate
from ai_middleware.local import CHALLENGE_DATASETS, challenge_set, dataset, dataset_folds, local_engine
from ai_middleware.providers import provider as provider_for
from common.reports import content_key, report_cached
from compliance.optout_eval import optout_eval_report
from leads import normalization

DEV_DATASET = CHALLENGE_DATASETS["challenge"].parents[1] / "dev" / "extraction_dev_ptbr.psv"
# The targets, checked on the challenge set (and shown against the group-aware split for reference).
TARGETS = {"intent_macro_f1": 0.88, "budget_exact_match": 0.92, "budget_not_invented": 0.98}


def _targets(report: dict) -> dict:
    fields = report["fields"]
    values = {
        "intent_macro_f1": fields["intent"]["macro_f1"],
        "budget_exact_match": fields["budget"]["exact_match"],
        "budget_not_invented": round(1 - fields["budget"]["invented_rate"], 4),
    }
    return {
        name: {"target": target, "value": values[name], "met": values[name] >= target}
        for name, target in TARGETS.items()
    }


def _optout_report() -> dict:
    """The compliance app's opt-out figures (recall, false suppressions) on its group-aware split and challenge set."""
    try:
        return optout_eval_report()  # both of its sets side by side
    except Exception as exc:  # the extraction report still prints; the section says what went wrong
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def _challenge_report(extract, path) -> dict:
    """One challenge file's figures and targets, or why it is skipped."""
    examples = challenge_set(path)
    if not examples:
        return {"skipped": f"{path.name} is not in the repository"}
    report = evaluate(extract, examples)
    report["source"] = str(path.relative_to(path.parents[3]))
    report["targets"] = _targets(report)
    return report


def _labelled_report(extract, mistakes: bool) -> dict:
    """The labelled examples' section; without a migrated database the rest of the report still prints."""
    try:
        return labelled_examples_evaluate(extract, with_mistakes=mistakes)
    except DatabaseError as exc:
        return {"skipped": f"the database is not reachable or not migrated ({type(exc).__name__})"}


class Command(BaseCommand):
    help = (
        "Evaluate an extractor side by side on a group-aware split of the training data, the independent challenge "
        "sets and the labelled examples from production feedback (accuracy / F1 per field, budget exact match, "
        "budgets invented), plus the opt-out figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", default="local", help="local, llm or fallback.")
        parser.add_argument("--json", action="store_true", help="Print only the JSON report.")
        parser.add_argument("--mistakes", action="store_true", help="List the intent and budget mistakes too.")
        parser.add_argument("--folds", type=int, default=5, help="Group-aware folds (by message family).")

    def handle(self, *args, provider: str, json: bool, mistakes: bool, folds: int, **options):
        if folds < 2:
            raise CommandError("--folds must be at least 2.")
        if provider == "local":
            extractor = local_engine().warm()
            extract = extractor.extract
            model = extractor.model
            group_split = _group_split_cached(folds)
        else:
            try:
                model = provider_for(provider).model
            except Exception as exc:
                raise CommandError(getattr(exc, "message", str(exc))) from exc

            def extract(text):
                return engine.extract(text, provider_name=provider).value

            # A remote model was never trained on our data: one held-out fold is enough to compare.
            group_split = evaluate(extract, dataset_folds(folds)[0][1])
            group_split["method"] = "first GroupKFold fold by message family (provider not trained on it)"
        challenges = {key: _challenge_report(extract, path) for key, path in CHALLENGE_DATASETS.items()}
        # the retired blind sets, by number ("dev", "dev_2", …): read for error analysis, never trained on
        for number, path in _dev_datasets():
            challenges["dev" if number == 1 else f"dev_{number}"] = _challenge_report(extract, path)
        # another writer's blind set, never read for error analysis: the figure nearest to unseen messages
        for path in sorted((DEV_DATASET.parent.parent / "final").glob("*.psv")):
            challenges[path.stem] = _challenge_report(extract, path)
        group_split["targets"] = _targets(group_split)
        if not mistakes:
            for report in (group_split, *challenges.values()):
                report.pop("intent_mistakes", None)
                report.pop("budget_mistakes", None)
        report = {
            "provider": provider,
            "model": model,
            "train_examples": len(dataset()),
            "group_split": group_split,
            **challenges,
            "labelled_examples": _labelled_report(extract, mistakes),
            "optout": _optout_report(),
        }
        self.stdout.write(_dumps(report, indent=None if json else 2))


def _group_split_cached(folds: int) -> dict:
    """The local engine's group-aware split, kept on disk by what it was computed from (``common.reports``): the
    training files, the engine's code and the folds; minutes of training, once per change."""
    import sklearn

    code = [Path(m.__file__) for m in (local, budget, evaluation, normalization)]
    key = content_key([*local.DATASETS, *code], f"folds={folds}", sklearn.__version__)
    folder = getattr(settings, "OPTOUT_MODEL_DIR", "")
    return report_cached(folder, "extraction-group-split", key, lambda: group_cross_validation(folds))


def _dev_datasets() -> list[tuple[int, Path]]:
    numbered = []
    for path in DEV_DATASET.parent.glob("extraction_dev*_ptbr.psv"):
        digits = path.stem.removeprefix("extraction_dev").removesuffix("_ptbr")
        numbered.append((int(digits or 1), path))
    return sorted(numbered)


def _dumps(payload, indent=None) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=indent, default=str)
