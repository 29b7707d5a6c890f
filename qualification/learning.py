"""The learned model: a calibrated gradient-boosting classifier of won vs lost, trained on history, checked on a
time-ordered hold-out next to the rules' score on the same hold-out, stored with its version. It serves only if it
beats the rules there; otherwise the rules keep serving.

Features are the raw facts (budget, messages, objections, intent, origin…), not the config's normalized values, so
a new scoring version does not invalidate a model; time-since features are left out because history and live leads
are of different ages.
"""

from __future__ import annotations

import io
import math
import pickle
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from qualification.config import DEFAULT_DEFINITION
from qualification.models import LeadModel

NUMERIC = ("budget", "recurrence", "objections", "messages_in", "touches", "replied")
CATEGORICAL = ("intent", "interest_type", "source_kind", "urgency", "buying_stage", "sentiment")
VOCABULARY = {
    key: sorted(DEFAULT_DEFINITION["indicators"][key]["normalize"]["values"])
    if key in DEFAULT_DEFINITION["indicators"]
    else []
    for key in CATEGORICAL
}
FEATURES = NUMERIC + CATEGORICAL
MIN_OUTCOMES = 200
HOLDOUT_SHARE = 0.25
MIN_AUC_GAIN = 0.01
ALGORITHM = "HistGradientBoostingClassifier + CalibratedClassifierCV(isotonic, cv=3)"


class TrainingRefused(ApplicationError):
    code = "training_refused"


def model_matrix(batch) -> np.ndarray:
    """n × len(FEATURES): numbers as they are (NaN when unknown), categories as codes of a fixed vocabulary."""
    n = len(batch)
    columns = []
    for key in NUMERIC:
        raw = batch.raw[key]
        columns.append([math.nan if v is None else float(v) for v in raw])
    for key in CATEGORICAL:
        codes = {name: i for i, name in enumerate(VOCABULARY[key])}
        columns.append([codes.get(v, math.nan) for v in batch.raw[key]])
    return np.array(columns, dtype=float).T if n else np.zeros((0, len(FEATURES)))


def _precision_at_top(y: np.ndarray, scores: np.ndarray, share: float = 0.10) -> float:
    k = max(1, round(len(y) * share))
    top = np.argsort(-scores, kind="stable")[:k]
    return float(y[top].mean())


def _calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict:
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for b in range(bins):
        mask = (p >= edges[b]) & ((p < edges[b + 1]) if b < bins - 1 else (p <= 1))
        if not mask.any():
            continue
        predicted, observed = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.mean() * abs(predicted - observed)
        table.append(
            {
                "bin": f"{edges[b]:.1f}–{edges[b + 1]:.1f}",
                "n": int(mask.sum()),
                "predicted": round(predicted, 3),
                "observed": round(observed, 3),
            }
        )
    brier = float(np.mean((p - y) ** 2))
    return {"brier": round(brier, 4), "ece": round(float(ece), 4), "bins": table}


def evaluate(y: np.ndarray, probability: np.ndarray) -> dict:
    from sklearn.metrics import roc_auc_score

    return {
        "auc": round(float(roc_auc_score(y, probability)), 4),
        "precision_top_decile": round(_precision_at_top(y, probability), 4),
        "calibration": _calibration(y, probability),
    }


def train(*, outcomes: list[tuple[int, bool, object]], batch_for) -> tuple[LeadModel, dict]:
    """Train on ``outcomes`` ((lead id, won?, created_at), oldest first); ``batch_for(ids)`` scores ids with the
    active rules. Returns the stored model and its report."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    if len(outcomes) < MIN_OUTCOMES:
        raise TrainingRefused(
            _("Only %(n)d closed leads (won or lost); at least %(min)d are needed to train and check a model.")
            % {"n": len(outcomes), "min": MIN_OUTCOMES}
        )
    ids = [o[0] for o in outcomes]
    won = {o[0]: o[1] == "won" for o in outcomes}
    batch = batch_for(ids)
    order = {lead_id: i for i, lead_id in enumerate(batch.lead_ids)}
    rows = [order[i] for i in ids if i in order]  # time order
    X = model_matrix(batch)[rows]
    y = np.array([won[batch.lead_ids[r]] for r in rows], dtype=float)
    rules = batch.score[rows] / 100.0
    split = int(len(y) * (1 - HOLDOUT_SHARE))
    y_train, y_test = y[:split], y[split:]
    if len(set(y_train)) < 2 or len(set(y_test)) < 2:
        raise TrainingRefused(_("Both won and lost leads are needed before and after the hold-out cut."))
    used = [i for i in range(len(FEATURES)) if not np.isnan(X[:split, i]).all()]  # drop facts never known
    X = X[:, used]
    features = [FEATURES[i] for i in used]
    categorical = [f in CATEGORICAL for f in features]
    booster = HistGradientBoostingClassifier(
        categorical_features=categorical,
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        random_state=0,
    )
    model = CalibratedClassifierCV(booster, method="isotonic", cv=3)
    model.fit(X[:split], y_train)
    p_test = model.predict_proba(X[split:])[:, 1]
    p_train = model.predict_proba(X[:split])[:, 1]
    report_model = evaluate(y_test, p_test)
    report_rules = evaluate(y_test, rules[split:])
    serves = (
        report_model["auc"] >= report_rules["auc"] + MIN_AUC_GAIN
        and report_model["precision_top_decile"] >= report_rules["precision_top_decile"]
    )
    # The model keeps the rules' share of hot and warm leads on the training period.
    categories = batch.category[rows][:split]
    hot_share = float(np.mean(categories == "hot"))
    warm_share = float(np.mean(categories == "warm"))
    thresholds = {
        "hot": round(float(np.quantile(p_train, 1 - hot_share)), 4) if hot_share else 1.0,
        "warm": round(float(np.quantile(p_train, 1 - hot_share - warm_share)), 4) if hot_share + warm_share else 1.0,
    }
    report = {
        "algorithm": ALGORITHM,
        "features": features,
        "outcomes": len(y),
        "train": split,
        "holdout": len(y) - split,
        "holdout_from": str(outcomes[split][2]) if split < len(outcomes) else None,
        "base_rate_holdout": round(float(y_test.mean()), 4),
        "model": report_model,
        "rules": report_rules,
        "rule": f"serves only if AUC ≥ rules + {MIN_AUC_GAIN} and precision at the top decile ≥ rules'",
        "serving": serves,
        "thresholds": thresholds,
    }
    buffer = io.BytesIO()
    pickle.dump(model, buffer)
    with transaction.atomic():
        version = (
            LeadModel.objects.select_for_update().order_by("-version").values_list("version", flat=True).first() or 0
        ) + 1
        report["version"] = version
        LeadModel.objects.filter(serving=True).update(serving=False)
        stored = LeadModel.objects.create(
            version=version,
            algorithm=ALGORITHM,
            report=report,
            features=features,
            thresholds=thresholds,
            artifact=buffer.getvalue(),
            serving=serves,
        )
    return stored, report


_loaded: dict = {}


def serving_model() -> LeadModel | None:
    return LeadModel.objects.filter(serving=True).defer("artifact").first()


@dataclass(frozen=True)
class ServedClasses:
    """The classes of a scored batch as the serving scorer decides them: the learned model's when one serves (with
    its probabilities and version), else the rules'. Scoring and the config preview both classify through this."""

    category: np.ndarray
    probability: list
    model_version: int | None
    score: np.ndarray  # the served score 0–100: the probability in percent, else the rules' score

    @property
    def decided_by(self) -> str:
        return "model" if self.model_version is not None else "rules"


def serving_classes(batch) -> ServedClasses:
    served = serving_predict(batch)
    if served is None:
        return ServedClasses(
            category=batch.category, probability=[None] * len(batch), model_version=None, score=batch.score
        )
    probability, version, category = served
    return ServedClasses(
        category=category, probability=probability, model_version=version, score=np.array(probability) * 100
    )


def serving_predict(batch):
    """(probabilities, model version, classes) from the serving model, or None when the rules serve."""
    current = LeadModel.objects.filter(serving=True).values_list("pk", "version", "thresholds", "features").first()
    if current is None or not len(batch):
        return None
    pk, version, thresholds, features = current
    if _loaded.get("pk") != pk:
        artifact = LeadModel.objects.values_list("artifact", flat=True).get(pk=pk)
        _loaded.clear()
        _loaded.update(pk=pk, model=pickle.loads(bytes(artifact)))  # noqa: S301 (our own artifact, from our database)
    columns = [FEATURES.index(f) for f in features]
    probability = _loaded["model"].predict_proba(model_matrix(batch)[:, columns])[:, 1]
    category = np.where(
        probability >= thresholds["hot"], "hot", np.where(probability >= thresholds["warm"], "warm", "cold")
    ).astype(object)
    return list(probability), version, category
