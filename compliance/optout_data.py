"""The opt-out classifier's training data: the labelled pt-BR files and how a row reads. Its own module so that the
sentence-model layer (``compliance.semantic``) and the rule layers (``compliance.optout``) both read it without
importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TRAINING_FILE = Path(__file__).resolve().parent / "data" / "optout_ptbr.psv"


# Every training file: the first writer's and the second batch in new families and voices (issue #20).
TRAINING_FILES = (
    TRAINING_FILE,
    TRAINING_FILE.with_name("optout_ptbr_more.psv"),
    TRAINING_FILE.with_name("optout_ptbr_registers.psv"),
    # three more writers, blind to every other file, in their own voices
    TRAINING_FILE.with_name("optout_ptbr_w6.psv"),
    TRAINING_FILE.with_name("optout_ptbr_w7.psv"),
    TRAINING_FILE.with_name("optout_ptbr_w8.psv"),
    # two more: customers, debtors, businesses and families; the very informal, voice transcripts and elders
    TRAINING_FILE.with_name("optout_ptbr_w11.psv"),
    TRAINING_FILE.with_name("optout_ptbr_w12.psv"),
    # and two more: idioms, quoted menus, stops without the usual verbs; collections, rentals, formal voices
    TRAINING_FILE.with_name("optout_ptbr_w14.psv"),
    TRAINING_FILE.with_name("optout_ptbr_w15.psv"),
    # and two more: the big cities' middle class and its annoyances; informal and oral Portuguese, regional speech
    TRAINING_FILE.with_name("optout_ptbr_w19.psv"),
    TRAINING_FILE.with_name("optout_ptbr_w20.psv"),
    # and one more: stop requests without the usual stop words, near-misses with a cessation word about something else
    TRAINING_FILE.with_name("optout_ptbr_w21.psv"),
)


STOP, CONFIRM, PREFERENCE, RESUME, NONE = "stop", "confirm", "preference", "resume", "none"
CLASSES = (STOP, CONFIRM, PREFERENCE, RESUME, NONE)
ACTIONS = frozenset(CLASSES)


@dataclass(frozen=True)
class OptOutRow:
    family: str
    expected: str
    scope: str
    text: str


def optout_rows(path: str | Path) -> list[OptOutRow]:
    """``family|expected|scope|text`` rows (``#`` comments and the header skipped)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|", 3)
        if len(parts) != 4 or parts[0] == "family":
            continue
        family, expected, scope, text = (part.strip() for part in parts)
        rows.append(OptOutRow(family, expected.lower(), scope, text))
    return rows


def optout_training_rows() -> list[OptOutRow]:
    """The rows of every training file (families are distinct across files)."""
    return [row for path in TRAINING_FILES for row in optout_rows(path)]
