"""Evaluation reports kept on disk by the content they were computed from.

An evaluation over thousands of messages (``ai_eval``, ``optout_eval``) is a pure function of its data files, its
code and its models: run twice on the same inputs it prints the same report. The report is stored under a key that
hashes all of them, so that a second run (a test that calls the command again, a person re-reading the figures)
reads it instead of recomputing minutes of work; any change to a file, the code or a model version is a new key.
The report says when it was computed (``computed_at``)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone


def content_key(paths: Iterable[Path | str], *extra: str) -> str:
    """A hash of every file's name and bytes (missing ones count as absent) and of ``extra`` strings."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"\0missing")
    for value in extra:
        digest.update(b"\0" + str(value).encode())
    return digest.hexdigest()[:24]


def report_cached(folder: str, name: str, key: str, compute: Callable[[], dict]) -> dict:
    """``compute()``'s report, read from ``folder`` when one with ``key`` is there; ``folder`` empty: no cache."""
    if not folder:
        return compute()
    path = Path(folder) / f"{name}-{key}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    report = {**compute(), "computed_at": timezone.now().isoformat(timespec="seconds")}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump(report, handle, default=str)
        os.replace(handle.name, path)  # whole or not at all: a reader never sees half a report
    except OSError:
        pass  # a read-only disk: the report is still returned
    return report
