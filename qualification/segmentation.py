"""Behavioural segments: KMeans on standardized features, k chosen by silhouette, clusters ordered by value (their
members' mean served score: the learned model's probability when it serves, else the rules' score) and named,
validated by the outcome rate (won among closed) falling with the rank. A k whose smallest cluster holds less than
``QUALIFICATION_SEGMENT_MIN_SHARE`` of the leads is not a segmentation; when no k qualifies, a segmentation with
``k = 0`` says so (and labels nobody)."""

from __future__ import annotations

import itertools

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qualification import learning
from qualification.config import DEFAULT_DEFINITION
from qualification.engine import indicator_value
from qualification.models import Segmentation

FEATURES = ("budget", "messages_in", "objections", "intent", "urgency", "buying_stage")
K_RANGE = range(2, 7)
FIT_SAMPLE = 5000
MIN_CLOSED_PER_SEGMENT = 10
NAMES = {
    "champions": _("Ready to buy"),
    "engaged": _("Engaged"),
    "promising": _("Promising"),
    "lukewarm": _("Lukewarm"),
    "dormant": _("Dormant"),
    "at_risk": _("Unlikely"),
}
BY_K = {
    2: ("champions", "dormant"),
    3: ("champions", "promising", "dormant"),
    4: ("champions", "engaged", "lukewarm", "dormant"),
    5: ("champions", "engaged", "promising", "lukewarm", "dormant"),
    6: ("champions", "engaged", "promising", "lukewarm", "dormant", "at_risk"),
}


class SegmentationRefused(Exception):
    pass


def feature_matrix(batch) -> np.ndarray:
    """Normalized indicator values (missing → the indicator's neutral value) for FEATURES."""
    rows = []
    for key in FEATURES:
        neutral = DEFAULT_DEFINITION["indicators"][key].get("neutral", 0.5)
        if key in batch.keys:
            values = batch.values[batch.keys.index(key)]
        else:
            values = indicator_value(key, batch.raw.get(key) or [None] * len(batch), DEFAULT_DEFINITION)
        rows.append(np.where(np.isnan(values), neutral, values))
    return np.vstack(rows).T if len(batch) else np.zeros((0, len(FEATURES)))


def fit(batch, outcomes: dict[int, bool]) -> Segmentation:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    X = feature_matrix(batch)
    if len(X) < 50:
        raise SegmentationRefused(f"{len(X)} leads; at least 50 are needed to find segments")
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    rng = np.random.default_rng(0)
    sample = Z[rng.choice(len(Z), size=min(FIT_SAMPLE, len(Z)), replace=False)]
    min_share = float(settings.QUALIFICATION_SEGMENT_MIN_SHARE)
    silhouettes, models, rejected = {}, {}, {}
    distinct = len(np.unique(sample.round(6), axis=0))
    for k in K_RANGE:
        if k >= len(sample) or k > distinct:  # more clusters than distinct leads: nothing more to split
            break
        model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(sample)
        labels = model.labels_
        if len(set(labels)) < 2:
            continue
        score = round(float(silhouette_score(sample, labels, sample_size=min(3000, len(sample)), random_state=0)), 4)
        # A high silhouette with a cluster of a handful of leads is an outlier, not a segment: every cluster must
        # hold at least ``min_share`` of the leads (counted on all of them, not the sample).
        smallest = float(np.bincount(model.predict(Z), minlength=k).min()) / len(Z)
        if smallest < min_share:
            rejected[str(k)] = {"silhouette": score, "smallest_share": round(smallest, 4)}
            continue
        silhouettes[k] = score
        models[k] = model
    if not silhouettes:
        return Segmentation.objects.create(
            k=0,
            silhouette=0.0,
            silhouettes={},
            features=list(FEATURES),
            min_share=min_share,
            rejected=rejected,
            leads=len(X),
        )
    k = max(silhouettes, key=silhouettes.get)
    labels = models[k].predict(Z)
    centers = models[k].cluster_centers_
    worth = learning.serving_classes(batch).score  # the serving scorer's view of value
    value = [float(worth[labels == c].mean()) if (labels == c).any() else 0.0 for c in range(k)]
    ranked = sorted(range(k), key=lambda c: -value[c])
    names = BY_K[k]
    segments = []
    for rank, c in enumerate(ranked):
        members = [batch.lead_ids[i] for i in np.flatnonzero(labels == c)]
        closed = [outcomes[m] for m in members if m in outcomes]
        segments.append(
            {
                "key": names[rank],
                "rank": rank + 1,
                "size": len(members),
                "value": round(value[c], 1),
                "closed": len(closed),
                "outcome_rate": round(sum(closed) / len(closed), 4) if closed else None,
                "center": [round(float(x), 4) for x in centers[c]],
            }
        )
    rates = [
        s["outcome_rate"] for s in segments if s["outcome_rate"] is not None and s["closed"] >= MIN_CLOSED_PER_SEGMENT
    ]
    monotonic = len(rates) >= 2 and all(a >= b for a, b in itertools.pairwise(rates))
    return Segmentation.objects.create(
        k=k,
        silhouette=silhouettes[k],
        silhouettes={str(key): v for key, v in silhouettes.items()},
        features=list(FEATURES),
        scaler={"mean": [float(x) for x in mean], "scale": [float(x) for x in scale]},
        centers=[s["center"] for s in segments],
        segments=[{key: v for key, v in s.items() if key != "center"} for s in segments],
        monotonic=monotonic,
        leads=len(X),
        min_share=min_share,
        rejected=rejected,
    )


def current() -> Segmentation | None:
    return Segmentation.objects.order_by("-created_at", "-id").first()


def segments_of(batch) -> list[str | None]:
    """The current segmentation's segment key for each lead of ``batch`` (None when none was fitted)."""
    row = Segmentation.objects.order_by("-created_at", "-id").values_list("pk", "scaler", "centers", "segments").first()
    if row is None or not len(batch) or not row[2]:  # none fitted, or no meaningful segmentation
        return [None] * len(batch)
    _pk, scaler, centers, segments = row
    Z = (feature_matrix(batch) - np.array(scaler["mean"])) / np.array(scaler["scale"])
    C = np.array(centers)
    nearest = ((Z[:, None, :] - C[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    keys = [s["key"] for s in segments]
    return [keys[i] for i in nearest]


def name(key: str) -> str:
    return str(NAMES.get(key, key)) if key else ""
