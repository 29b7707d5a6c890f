"""The scorer: indicators → normalized values in [0, 1] → curves → dimension values → composite 0–100, with the
confidence, the class, the per-dimension contributions (which sum to the score) and the factors that pushed it up
or down. Vectorized with numpy over a whole batch: the same code scores one lead after a message and 100,000 in a
nightly decay run.

Per dimension d with weight W_d (normalized so ΣW = 1) and present indicators i with weights w_i:
``v_d = Σ w_i·x_i / Σ w_i`` (the dimension's prior when none is present), ``score = 100 · Σ W_d·v_d``,
``contribution_d = 100 · W_d · v_d``. A factor's effect is ``100 · W_d · w_i/Σw · (x_i − neutral_i)``: how many
points indicator i moved the score away from a lead where it read neutral. Confidence is the share of the total
indicator weight that was present.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from qualification.indicators import DIMENSIONS, INDICATORS

TOP_FACTORS = 3
NEUTRAL_TOLERANCE = 0.05  # points: smaller effects are not worth telling


@dataclass
class Batch:
    """The scores of a batch; arrays are indexed like the input rows."""

    lead_ids: list[int]
    raw: dict[str, list]  # indicator → raw values (rules and explanations read these)
    values: np.ndarray  # indicators × leads, NaN where missing
    keys: list[str]
    score: np.ndarray
    confidence: np.ndarray
    contributions: np.ndarray  # dimensions × leads
    effects: np.ndarray  # indicators × leads (0 where missing)
    category: np.ndarray  # object array of "hot"/"warm"/"cold"

    def __len__(self) -> int:
        return len(self.lead_ids)

    def dimensions(self, i: int) -> dict:
        return {name: round(float(self.contributions[d, i]), 2) for d, name in enumerate(DIMENSIONS)}

    def factors(self, i: int) -> dict:
        """Top factors up and down for lead ``i``: [{key, raw, effect}] (the raw value is described on display)."""
        column = self.effects[:, i]
        order = np.argsort(column)
        down = [int(k) for k in order[:TOP_FACTORS] if column[k] < -NEUTRAL_TOLERANCE]
        up = [int(k) for k in order[::-1][:TOP_FACTORS] if column[k] > NEUTRAL_TOLERANCE]

        def item(k: int) -> dict:
            raw = self.raw[self.keys[k]][i]
            return {"key": self.keys[k], "raw": raw, "effect": round(float(column[k]), 2)}

        return {"up": [item(k) for k in up], "down": [item(k) for k in down]}


def _normalize(raw: list, spec: dict) -> np.ndarray:
    kind = spec["type"]
    if kind == "map":
        table = spec["values"]
        return np.array([table.get(v, math.nan) if v is not None else math.nan for v in raw], dtype=float)
    if kind == "boolean":
        return np.array([math.nan if v is None else (1.0 if v else 0.0) for v in raw], dtype=float)
    numbers = np.array([math.nan if v is None else float(v) for v in raw], dtype=float)
    if kind == "raw":
        return numbers
    low, high = float(spec["min"]), float(spec["max"])
    if spec.get("scale") == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            numbers = np.log(np.maximum(numbers, low))
        low, high = math.log(low), math.log(high)
    out = np.clip((numbers - low) / (high - low), 0.0, 1.0)
    return 1.0 - out if spec.get("invert") else out


def _curve(x: np.ndarray, spec: dict | None) -> np.ndarray:
    if not spec:
        return x
    kind = spec["type"]
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "saturation":
            return 1.0 - np.exp(-np.maximum(x, 0.0) / float(spec["k"]))
        if kind == "decay":
            return np.power(0.5, np.maximum(x, 0.0) / float(spec["half_life"]))
        if kind == "power":
            return np.power(np.clip(x, 0.0, 1.0), float(spec["exponent"]))
        if kind == "sigmoid":
            return 1.0 / (1.0 + np.exp(-float(spec["steepness"]) * (x - float(spec["midpoint"]))))
    raise ValueError(kind)


def indicator_value(key: str, raw_values: list, definition: dict) -> np.ndarray:
    """One indicator's normalized, curved values in [0, 1] (NaN where missing)."""
    spec = definition["indicators"][key]
    return np.clip(_curve(_normalize(raw_values, spec["normalize"]), spec.get("curve")), 0.0, 1.0)


def score_columns(cols: dict, definition: dict, now: datetime) -> Batch:
    """Score every lead of ``cols`` (``indicators.columns_of``) under ``definition``."""
    keys = [k for k in INDICATORS if k in definition["indicators"]]
    n = len(cols["id"])
    raw = {k: INDICATORS[k].read(cols, now) for k in keys}
    values = np.vstack([indicator_value(k, raw[k], definition) for k in keys]) if keys else np.zeros((0, n))
    present = ~np.isnan(values)
    filled = np.nan_to_num(values, nan=0.0)
    weights = np.array([float(definition["indicators"][k]["weight"]) for k in keys])
    neutral = np.array([float(definition["indicators"][k].get("neutral", 0.5)) for k in keys])
    dims = definition["dimensions"]
    dim_weights = np.array([float(dims[d]["weight"]) for d in DIMENSIONS])
    dim_weights = dim_weights / dim_weights.sum()
    contributions = np.zeros((len(DIMENSIONS), n))
    effects = np.zeros((len(keys), n))
    confidence = np.zeros(n)
    for d, name in enumerate(DIMENSIONS):
        rows = [i for i, k in enumerate(keys) if INDICATORS[k].dimension == name]
        total = weights[rows].sum() if rows else 0.0
        if not rows or total <= 0:
            contributions[d] = 100 * dim_weights[d] * float(dims[name].get("prior", 0.35))
            continue
        w = weights[rows][:, None]
        wsum = (present[rows] * w).sum(axis=0)
        vsum = (filled[rows] * w).sum(axis=0)
        safe = np.where(wsum > 0, wsum, 1.0)
        value = np.where(wsum > 0, vsum / safe, float(dims[name].get("prior", 0.35)))
        contributions[d] = 100 * dim_weights[d] * value
        share = w / safe
        effects[rows] = np.where(
            present[rows], 100 * dim_weights[d] * share * (filled[rows] - neutral[rows][:, None]), 0.0
        )
        confidence += dim_weights[d] * wsum / total
    score = contributions.sum(axis=0)
    classes = definition["classes"]
    category = np.where(score >= classes["hot"], "hot", np.where(score >= classes["warm"], "warm", "cold")).astype(
        object
    )
    return Batch(
        lead_ids=list(cols["id"]),
        raw=raw,
        values=values,
        keys=keys,
        score=score,
        confidence=np.clip(confidence, 0.0, 1.0),
        contributions=contributions,
        effects=effects,
        category=category,
    )


def _condition_mask(cond: dict, features: dict[str, np.ndarray], n: int) -> np.ndarray:
    values = features.get(cond["feature"])
    if values is None:
        return np.zeros(n, dtype=bool)
    if "present" in cond or "absent" in cond:
        present = np.array([v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values])
        return present if "present" in cond else ~present
    if "in" in cond or "not_in" in cond:
        wanted = set(cond.get("in", cond.get("not_in")))
        mask = np.array([v in wanted for v in values], dtype=bool)
        return mask if "in" in cond else ~mask
    numbers = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    with np.errstate(invalid="ignore"):
        return numbers >= float(cond["gte"]) if "gte" in cond else numbers <= float(cond["lte"])


def rule_masks(rules: list[dict], features: dict, n: int) -> list[np.ndarray]:
    """For each rule, which leads it matches: every ``all`` condition and, if given, at least one ``any``."""
    masks = []
    for rule in rules:
        mask = np.ones(n, dtype=bool)
        for cond in rule.get("all") or []:
            mask &= _condition_mask(cond, features, n)
        if rule.get("any"):
            any_mask = np.zeros(n, dtype=bool)
            for cond in rule["any"]:
                any_mask |= _condition_mask(cond, features, n)
            mask &= any_mask
        masks.append(mask)
    return masks


def rule_features(batch: Batch, *, category, score, segments=None, probability=None) -> dict:
    n = len(batch)
    return {
        **batch.raw,
        "score": list(score),
        "class": list(category),
        "segment": list(segments) if segments is not None else [None] * n,
        "probability": list(probability) if probability is not None else [None] * n,
    }


def actions_for(definition: dict, features: dict, n: int) -> list[str]:
    """The first matching action rule per lead (``nurture`` when none matches)."""
    rules = definition.get("actions") or []
    out = np.full(n, "nurture", dtype=object)
    decided = np.zeros(n, dtype=bool)
    for rule, mask in zip(rules, rule_masks(rules, features, n), strict=True):
        take = mask & ~decided
        out[take] = rule["action"]
        decided |= take
    return list(out)


def tags_for(definition: dict, features: dict, n: int) -> tuple[list[set[str]], set[str]]:
    """Rule tags per lead, and every tag the rules manage."""
    rules = definition.get("tags") or []
    out: list[set[str]] = [set() for _ in range(n)]
    for rule, mask in zip(rules, rule_masks(rules, features, n), strict=True):
        path = rule["tag"].strip("/ ")
        for i in np.flatnonzero(mask):
            out[i].add(path)
    return out, {r["tag"].strip("/ ") for r in rules}


def class_of(score: float, definition: dict) -> str:
    classes = definition["classes"]
    return "hot" if score >= classes["hot"] else "warm" if score >= classes["warm"] else "cold"
