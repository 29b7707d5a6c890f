"""Writes of qualification: scoring leads (one or 100,000 at a time), config drafts, previews and activation.

``leads_score`` is the one entry point every trigger uses (new lead, message, AI reading, stage change, time decay,
new config or model): it reads the facts in one query, scores the batch with numpy, applies the serving model and
the segmentation, writes the current scores with COPY, appends history where something changed, syncs rule tags,
and tells the apps above which leads changed class."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import rows_copy, rows_upsert
from common.errors import ApplicationError
from common.tasks import task_send_on_commit
from leads import selectors as lead_selectors
from leads import services as lead_services
from qualification import learning, segmentation
from qualification.config import default_definition, definition_check
from qualification.engine import actions_for, rule_features, score_columns, tags_for
from qualification.indicators import columns_of
from qualification.models import ConfigStatus, LeadScore, ScoreHistory, ScoringConfig, Trend, Trigger
from qualification.selectors import score_for_lead
from qualification.signals import leads_scored

logger = logging.getLogger(__name__)

CHUNK = 10_000
TREND_POINTS = 3.0  # a move of at least this many points against a week ago is a trend
TREND_DAYS = 7
HISTORY_POINTS = 0.5  # smaller moves are not written to the history
SCORE_COLUMNS = (
    "lead_id",
    "score",
    "category",
    "confidence",
    "dimensions",
    "factors",
    "action",
    "rule_tags",
    "sla_minutes",
    "config_version",
    "probability",
    "model_version",
    "segment",
    "previous_score",
    "recorded_score",
    "trend",
    "trigger",
    "scored_at",
)
HISTORY_COLUMNS = (
    "lead_id",
    "score",
    "category",
    "confidence",
    "config_version",
    "model_version",
    "probability",
    "trigger",
    "created_at",
)


class ScoringConfigLocked(ApplicationError):
    code = "scoring_config_locked"


def scoring_config_active_get_or_create() -> ScoringConfig:
    """The active config (the shipped default is created as version 1 the first time it is needed)."""
    config = ScoringConfig.objects.filter(status=ConfigStatus.ACTIVE).first()
    if config is None:
        with transaction.atomic():
            config = ScoringConfig.objects.select_for_update().filter(status=ConfigStatus.ACTIVE).first()
            if config is None:
                version = (
                    ScoringConfig.objects.order_by("-version").values_list("version", flat=True).first() or 0
                ) + 1
                config = ScoringConfig.objects.create(
                    version=version,
                    status=ConfigStatus.ACTIVE,
                    definition=default_definition(),
                    notes="Fluxo default",
                    activated_at=timezone.now(),
                )
    return config


@dataclass
class ScoreRun:
    scored: int = 0
    changed_class: list[int] = field(default_factory=list)
    history: int = 0
    tags_changed: int = 0
    classes: Counter = field(default_factory=Counter)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class PreviousScore(NamedTuple):
    """A lead's stored score, as the next scoring compares against it."""

    lead_id: int
    recorded_score: float | None
    category: str
    config_version: int
    model_version: int | None
    rule_tags: list[str] | None


def _score_chunk(lead_ids: list[int], *, config: ScoringConfig, trigger: str, now: datetime, run: ScoreRun) -> None:
    rows = lead_selectors.lead_scoring_rows(lead_ids=lead_ids)
    if not rows:
        return
    definition = config.definition
    batch = score_columns(columns_of(rows), definition, now)
    n = len(batch)
    served = learning.serving_classes(batch)
    probability, model_version, category = served.probability, served.model_version, served.category
    segments = segmentation.segments_of(batch)
    features = rule_features(batch, category=category, score=batch.score, segments=segments, probability=probability)
    actions = actions_for(definition, features, n)
    rule_tags, managed = tags_for(definition, features, n)
    previous = {
        row.lead_id: row
        for row in map(
            PreviousScore._make,
            LeadScore.objects.filter(lead_id__in=batch.lead_ids).values_list(*PreviousScore._fields),
        )
    }
    reference = _trend_reference(batch.lead_ids if previous else [], now)
    sla = definition["sla_minutes"]
    upserts, history, tag_changes, changed_class = [], [], {}, []
    for i, lead_id in enumerate(batch.lead_ids):
        score = round(float(batch.score[i]), 2)
        cat = category[i]
        confidence = round(float(batch.confidence[i]), 3)
        prob = None if probability[i] is None else round(float(probability[i]), 4)
        prev = previous.get(lead_id)
        record = (
            prev is None
            or prev.recorded_score is None
            or abs(score - prev.recorded_score) >= HISTORY_POINTS
            or prev.category != cat
            or prev.config_version != config.version
            or prev.model_version != model_version
        )
        recorded = score if record else prev.recorded_score
        before = reference.get(lead_id)
        trend = Trend.STEADY
        if before is not None:
            trend = (
                Trend.RISING
                if score - before >= TREND_POINTS
                else Trend.FALLING
                if score - before <= -TREND_POINTS
                else Trend.STEADY
            )
        tags = sorted(rule_tags[i])
        upserts.append(
            (
                lead_id,
                score,
                cat,
                confidence,
                _json(batch.dimensions(i)),
                _json(batch.factors(i)),
                actions[i],
                _json(tags),
                int(sla[cat]),
                config.version,
                prob,
                model_version,
                segments[i] or "",
                before,
                recorded,
                trend,
                trigger,
                now,
            )
        )
        if record:
            history.append((lead_id, score, cat, confidence, config.version, model_version, prob, trigger, now))
        if prev is None or prev.category != cat:
            changed_class.append(lead_id)
        if prev is None or sorted(prev.rule_tags or []) != tags:
            tag_changes[lead_id] = set(tags)
        run.classes[cat] += 1
    with transaction.atomic():  # lock order (docs/locks.md): qualification.LeadScore/ScoreHistory, then leads tags
        rows_upsert(LeadScore._meta.db_table, SCORE_COLUMNS, upserts, conflict="lead_id", update=SCORE_COLUMNS[1:])
        rows_copy(ScoreHistory._meta.db_table, HISTORY_COLUMNS, history)
        run.tags_changed += lead_services.leads_rule_tags_sync(wanted=tag_changes, managed=managed)
    run.scored += n
    run.history += len(history)
    run.changed_class += changed_class


def lead_score_current(*, lead_id: int) -> LeadScore:
    """The lead's score, computed now if it has none yet (it arrived a moment ago, or before scoring existed)."""
    score = score_for_lead(lead_id=lead_id)
    if score is None:
        leads_score(lead_ids=[lead_id], trigger=Trigger.MANUAL)
        score = LeadScore.objects.get(lead_id=lead_id)
    return score


def _trend_reference(lead_ids: list[int], now: datetime) -> dict[int, float]:
    """Per lead, the score a week ago (the last history point at least TREND_DAYS old), else its first score."""
    if not lead_ids:
        return {}
    history = ScoreHistory.objects.filter(lead_id__in=lead_ids)
    older = dict(
        history.filter(created_at__lte=now - timedelta(days=TREND_DAYS))
        .order_by("lead_id", "-created_at", "-id")
        .distinct("lead_id")
        .values_list("lead_id", "score")
    )
    missing = [i for i in lead_ids if i not in older]
    if missing:
        older.update(
            history.filter(lead_id__in=missing)
            .order_by("lead_id", "created_at", "id")
            .distinct("lead_id")
            .values_list("lead_id", "score")
        )
    return older


def leads_score(*, lead_ids: list[int], trigger: str = Trigger.MANUAL, now: datetime | None = None) -> ScoreRun:
    """Score ``lead_ids`` under the active config (and the serving model, if any); see the module docstring."""
    config = scoring_config_active_get_or_create()
    now = now or timezone.now()
    run = ScoreRun()
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), CHUNK):
        _score_chunk(ids[start : start + CHUNK], config=config, trigger=trigger, now=now, run=run)
    if run.changed_class:
        changed = list(run.changed_class)
        transaction.on_commit(
            lambda: leads_scored.send(sender=LeadScore, lead_ids=changed, trigger=trigger), robust=True
        )
    return run


def leads_score_open(*, trigger: str = Trigger.DECAY, now: datetime | None = None) -> ScoreRun:
    """Re-score every open lead (time decay, a new config or model), CHUNK at a time."""
    total = ScoreRun()
    after = 0
    while True:
        ids = lead_selectors.lead_ids_open(after_id=after, limit=CHUNK)
        if not ids:
            return total
        run = leads_score(lead_ids=ids, trigger=trigger, now=now)
        total.scored += run.scored
        total.history += run.history
        total.tags_changed += run.tags_changed
        total.changed_class += run.changed_class
        total.classes.update(run.classes)
        after = ids[-1]


# --- Config versions: draft → preview → activate ------------------------------------------------------------------
@transaction.atomic
def config_draft_create(*, actor, base: ScoringConfig | None = None, notes: str = "") -> ScoringConfig:
    """A new draft, a copy of ``base`` (the active version by default), to edit."""
    base = base or scoring_config_active_get_or_create()
    version = (
        ScoringConfig.objects.select_for_update().order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    return ScoringConfig.objects.create(
        version=version, status=ConfigStatus.DRAFT, definition=base.definition, notes=notes, created_by=actor
    )


def config_draft_update(*, config: ScoringConfig, definition: dict, notes: str | None = None) -> ScoringConfig:
    if config.status != ConfigStatus.DRAFT:
        raise ScoringConfigLocked(
            _("Version %(v)d is not a draft: create a new draft to change it.") % {"v": config.version}
        )
    config.definition = definition_check(definition)
    if notes is not None:
        config.notes = notes
    config.save(update_fields=["definition", "notes"])
    return config


def config_preview(*, config: ScoringConfig, limit: int = 2000, now: datetime | None = None) -> dict:
    """What ``config`` would do to the ``limit`` newest leads next to the active version: score distribution (tenths
    of 0–100), classes, the class-change matrix, mean move and the biggest movers. Writes nothing."""
    definition = definition_check(config.definition)
    active = scoring_config_active_get_or_create()
    now = now or timezone.now()
    cols = columns_of(lead_selectors.lead_scoring_rows(lead_ids=lead_selectors.lead_ids_recent(limit=limit)))
    new = score_columns(cols, definition, now)
    old = score_columns(cols, active.definition, now)
    bins = list(range(0, 101, 10))

    def histogram(scores: np.ndarray) -> list[int]:
        return [int(x) for x in np.histogram(scores, bins=bins)[0]] if len(scores) else [0] * 10

    # Classes as the serving scorer decides them, with the code scoring uses: a serving learned model decides from
    # the lead's facts (so a draft moves scores and explanations but not classes); otherwise the rules' thresholds.
    served_old, served_new = learning.serving_classes(old), learning.serving_classes(new)
    matrix = Counter(zip(served_old.category, served_new.category, strict=True))
    delta = new.score - old.score
    movers = np.argsort(-np.abs(delta))[:10] if len(delta) else []
    return {
        "leads": len(new),
        "active_version": active.version,
        "version": config.version,
        "bins": [f"{b}–{b + 10}" for b in bins[:-1]],
        "histogram_active": histogram(old.score),
        "histogram_draft": histogram(new.score),
        "decided_by": served_new.decided_by,
        "model_version": served_new.model_version,
        "classes_active": {c: int((served_old.category == c).sum()) for c in ("hot", "warm", "cold")},
        "classes_draft": {c: int((served_new.category == c).sum()) for c in ("hot", "warm", "cold")},
        "changes": {f"{a}→{b}": n for (a, b), n in sorted(matrix.items()) if a != b},
        "changed": int(sum(n for (a, b), n in matrix.items() if a != b)),
        "mean_delta": round(float(delta.mean()), 2) if len(delta) else 0.0,
        "movers": [
            {
                "lead_id": int(new.lead_ids[i]),
                "from": round(float(old.score[i]), 1),
                "to": round(float(new.score[i]), 1),
                "class_from": served_old.category[i],
                "class_to": served_new.category[i],
            }
            for i in movers
        ],
    }


def config_activate(*, config: ScoringConfig, actor) -> ScoringConfig:
    """Make ``config`` the active version (the previous one retires) and re-score the open leads with it."""
    definition_check(config.definition)
    with transaction.atomic():
        config = ScoringConfig.objects.select_for_update().get(pk=config.pk)
        if config.status == ConfigStatus.ACTIVE:
            return config
        ScoringConfig.objects.filter(status=ConfigStatus.ACTIVE).update(status=ConfigStatus.RETIRED)
        config.status = ConfigStatus.ACTIVE
        config.activated_at = timezone.now()
        config.activated_by = actor
        config.save(update_fields=["status", "activated_at", "activated_by"])
    task_send_on_commit("qualification.rescore_open", Trigger.CONFIG)
    return config


# --- Learned model and segmentation -------------------------------------------------------------------------------
def _batch_for(lead_ids: list[int], now: datetime | None = None):
    config = scoring_config_active_get_or_create()
    rows = []
    ids = list(lead_ids)
    for start in range(0, len(ids), CHUNK):
        rows += lead_selectors.lead_scoring_rows(lead_ids=ids[start : start + CHUNK])
    return score_columns(columns_of(rows), config.definition, now or timezone.now())


def lead_model_train() -> tuple:
    """``manage.py train_lead_model``: train, report, store; re-score the open leads when who serves changed."""
    was_serving = learning.serving_model()
    model, report = learning.train(outcomes=lead_selectors.lead_outcomes(), batch_for=_batch_for)
    if model.serving or was_serving is not None:
        task_send_on_commit("qualification.rescore_open", Trigger.MODEL)
    return model, report


def segmentation_fit(*, limit: int = 20000) -> dict:
    """``manage.py segment_leads``: fit on the newest ``limit`` leads (open and closed), label the open leads."""
    ids = lead_selectors.lead_ids_recent(limit=limit)
    outcomes = {o[0]: o[1] == "won" for o in lead_selectors.lead_outcomes()}
    fitted = segmentation.fit(_batch_for(ids), outcomes)
    leads_score_open(trigger=Trigger.MANUAL)
    if not fitted.meaningful:
        return {
            "meaningful": False,
            "k": None,
            "reason": _(
                "No meaningful segmentation: every grouping tried (2 to 6 clusters) left a cluster with less than "
                "%(share)s of the leads, or the leads are too alike to split. No lead is labelled with a segment."
            )
            % {"share": f"{fitted.min_share:.0%}"},
            "min_share": fitted.min_share,
            "rejected": fitted.rejected,
            "leads": fitted.leads,
            "features": fitted.features,
            "segments": [],
        }
    return {
        "meaningful": True,
        "min_share": fitted.min_share,
        "rejected": fitted.rejected,
        "k": fitted.k,
        "silhouette": fitted.silhouette,
        "silhouette_per_k": fitted.silhouettes,
        "monotonic": fitted.monotonic,
        "leads": fitted.leads,
        "features": fitted.features,
        "segments": fitted.segments,
    }
