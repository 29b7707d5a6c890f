"""Duplicate decisions for a batch of incoming rows. Pure: the caller supplies the existing leads that share a key.

Blocking instead of all pairs: rows meet only through exact keys (E.164 phone — ninth digit already normalized —,
e-mail, CPF blind index, external id) or an identical name key (folded, sorted tokens). Names are then compared with
rapidfuzz inside those small blocks.

- A strong key (CPF, the source's own id) merges.
- A shared phone or e-mail merges when the names agree (token-set ratio ≥ NAME_AGREES), or when the row has no name;
  with different names (a spouse's phone, a shared office e-mail) it goes to review.
- The same name in the same city with no shared contact goes to review, never merged silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

NAME_AGREES = 80

# The reasons a decision records are stable codes (kept in reviews and merges); people read these.
REASON_LABELS = {
    "same CPF": _("same CPF"),
    "same id in the source": _("same id in the source system"),
    "same phone": _("same phone"),
    "same e-mail": _("same e-mail"),
    "same phone, different name": _("same phone, different name"),
    "same e-mail, different name": _("same e-mail, different name"),
    "same name and city, different contacts": _("same name and city, different contacts"),
    "repeated in the file": _("repeated in the file"),
    "shares a contact in the file, different name": _("shares a contact with another row of the file, different name"),
    "linked by an imported row": _("linked by an imported row"),
    "same name": _("same name"),
    "new": _("new"),
}


def reason_label(reason: str) -> str:
    """A stored reason → its pt-BR sentence; a reason typed by a person is shown as typed."""
    return str(REASON_LABELS.get(reason, reason))


@dataclass
class Existing:
    id: int
    name_key: str
    city: str = ""


@dataclass
class Candidates:
    """Existing leads reachable from the batch's keys (filled by the pipeline with a few indexed queries)."""

    by_phone: dict[str, list[int]] = field(default_factory=dict)  # a number can be on several leads (reviews)
    by_email: dict[str, list[int]] = field(default_factory=dict)
    by_document: dict[str, int] = field(default_factory=dict)  # blind index → lead id
    by_external: dict[str, int] = field(default_factory=dict)
    by_name_key: dict[str, list[int]] = field(default_factory=dict)
    leads: dict[int, Existing] = field(default_factory=dict)


@dataclass
class Decision:
    row: object  # LeadRow
    action: str  # "create" | "merge" | "review"
    target_id: int | None = None  # an existing lead
    target_row: object | None = None  # another row of this batch (its lead is created first)
    reason: str = ""
    confidence: float = 0.0
    # Other existing leads this row proves to be the same person (e.g. its phone is on one lead and its e-mail on
    # another, and the names agree): the pipeline merges them into ``target_id`` too.
    also_merge: list[int] = field(default_factory=list)


def name_similarity(a: str, b: str) -> float:
    """Token-set similarity of the name keys, or of their letters when a typo moved a space ("MilenaF onseca")."""
    if not a or not b:
        return 0.0
    letters = fuzz.ratio("".join(sorted(a.replace(" ", ""))), "".join(sorted(b.replace(" ", ""))))
    return max(fuzz.token_set_ratio(a, b), letters if letters >= 95 else 0)


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def row_keys(row, document_key) -> list[tuple[str, str]]:
    keys = [("phone", p) for p in row.valid_phones] + [("email", e) for e in row.valid_emails]
    if row.document:
        keys.append(("document", document_key(row.document)))
    if row.external_ref:
        keys.append(("external", row.external_ref))
    return keys


def _targets(candidates: Candidates, kind: str, value: str) -> list[int]:
    if kind == "phone":
        return candidates.by_phone.get(value, [])
    if kind == "email":
        return candidates.by_email.get(value, [])
    if kind == "document":
        target = candidates.by_document.get(value)
        return [target] if target else []
    return []


def _linked_targets(row, keys, candidates: Candidates, chosen: int) -> list[int]:
    """Existing leads other than ``chosen`` that share a key with ``row`` and whose names agree with it."""
    linked = []
    for kind, value in keys:
        for target in _targets(candidates, kind, value):
            if target == chosen or target in linked:
                continue
            existing = candidates.leads.get(target)
            if kind == "document" or (
                existing and row.name_key and name_similarity(row.name_key, existing.name_key) >= NAME_AGREES
            ):
                linked.append(target)
    return linked


def _match_existing(row, keys, candidates: Candidates) -> Decision | None:
    decision = _match_existing_one(row, keys, candidates)
    if decision is not None and decision.action == "merge":
        decision.also_merge = _linked_targets(row, keys, candidates, decision.target_id)
    return decision


def _match_existing_one(row, keys, candidates: Candidates) -> Decision | None:
    """The best existing lead for ``row`` through its keys, as a merge or a review."""
    for kind, value in keys:
        if kind in ("document", "external"):
            target = (candidates.by_document if kind == "document" else candidates.by_external).get(value)
            if target:
                reason = "same CPF" if kind == "document" else "same id in the source"
                return Decision(row, "merge", target_id=target, reason=reason, confidence=0.99)
    best: Decision | None = None
    shared = [
        (kind, value, target)
        for kind, value in keys
        if kind in ("phone", "email")
        for target in _targets(candidates, kind, value)
    ]
    # The lead whose name agrees best comes first (a number shared by several leads: pick the right one).
    shared.sort(key=lambda kvt: -name_similarity(row.name_key, getattr(candidates.leads.get(kvt[2]), "name_key", "")))
    for kind, _value, target in shared:
        existing = candidates.leads.get(target)
        similarity = name_similarity(row.name_key, existing.name_key if existing else "")
        label = "phone" if kind == "phone" else "e-mail"
        if not row.name_key or similarity >= NAME_AGREES:
            confidence = 0.9 + similarity / 1000 if row.name_key else 0.85
            decision = Decision(row, "merge", target_id=target, reason=f"same {label}", confidence=confidence)
        else:
            decision = Decision(
                row,
                "review",
                target_id=target,
                reason=f"same {label}, different name",
                confidence=round(0.4 + similarity / 500, 3),
            )
        if decision.action == "merge":
            return decision
        if best is None or decision.confidence > best.confidence:
            best = decision
    if best is not None:
        return best
    for target in candidates.by_name_key.get(row.name_key, []) if row.name_key else []:
        existing = candidates.leads.get(target)
        if existing and existing.city and existing.city == row.city:
            return Decision(
                row, "review", target_id=target, reason="same name and city, different contacts", confidence=0.4
            )
    return None


def dedup_decide(rows: list, candidates: Candidates, document_key) -> list[Decision]:
    """One decision per row. Rows of the batch that share a key form a group: its first row is matched against the
    base (or created), the others merge into it — unless their names disagree, then they go to review."""
    keys = [row_keys(row, document_key) for row in rows]
    union = _UnionFind(len(rows))
    first_with: dict[tuple[str, str], int] = {}
    for index, row_key_list in enumerate(keys):
        for key in row_key_list:
            if key in first_with:
                union.union(first_with[key], index)
            else:
                first_with[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(rows)):
        groups.setdefault(union.find(index), []).append(index)
    decisions: list[Decision] = []
    leader_decision: dict[int, Decision] = {}
    for index, row in enumerate(rows):
        root = union.find(index)
        if root == index:
            group_keys = [key for member in groups[root] for key in keys[member]]
            decision = _match_existing(row, group_keys, candidates) or Decision(row, "create", reason="new")
            leader_decision[index] = decision
            decisions.append(decision)
            continue
        leader = rows[root]
        lead_decision = leader_decision[root]
        similarity = name_similarity(row.name_key, leader.name_key)
        agrees = not row.name_key or not leader.name_key or similarity >= NAME_AGREES
        target_id = lead_decision.target_id if lead_decision.action == "merge" else None
        target_row = None if target_id else leader
        if agrees:
            decisions.append(
                Decision(
                    row,
                    "merge",
                    target_id=target_id,
                    target_row=target_row,
                    reason="repeated in the file",
                    confidence=0.9 + similarity / 1000,
                )
            )
        else:
            decisions.append(
                Decision(
                    row,
                    "review",
                    target_id=target_id,
                    target_row=target_row,
                    reason="shares a contact in the file, different name",
                    confidence=round(0.4 + similarity / 500, 3),
                )
            )
    return decisions
