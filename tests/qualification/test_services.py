"""Qualification against real PostgreSQL: classes, SLAs and rule tags, config versions (draft, preview, activation),
time decay, the learned model's serve-only-if-better rule, segment ordering and batch scoring."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from leads.models import EventKind, LeadEvent, LeadStage, SourceKind
from qualification import services
from qualification.models import ConfigStatus, LeadModel, LeadScore, ScoreHistory, ScoringConfig, Trigger
from tests.factories import LeadFactory, LeadSourceFactory
from tests.qualification.builders import HOT_AI, _lead, _messages, _score

pytestmark = pytest.mark.django_db

COLD_AI = {
    "intent": "not_interested",
    "urgency": "low",
    "buying_stage": "awareness",
    "objections": ["price", "timing", "trust"],
    "sentiment": "negative",
}


def test_classes_sla_action_and_rule_tags():
    hot = _lead(ai=HOT_AI, budget=1_200_000, kind=SourceKind.REFERRAL, interest_type="apartment")
    _messages(hot, 5)
    cold = _lead(ai=COLD_AI, budget=160_000)
    hot_score, cold_score = _score(hot), _score(cold)
    assert hot_score.category == "hot" and hot_score.sla_minutes == 25
    assert hot_score.action == "schedule_meeting"
    assert cold_score.category == "cold" and cold_score.sla_minutes == 360
    assert cold_score.action == "discard"
    assert "interesse/apartamento/alto-padrão" in hot_score.rule_tags
    assert set(hot.tags.values_list("path", flat=True)) >= {"interesse/apartamento/alto-padrão", "urgência/alta"}
    assert LeadEvent.objects.filter(lead=hot, kind=EventKind.TAGS_CHANGED).exists()
    # a warm lead with the SLA of its class, configurable
    config = services.config_draft_create(actor=None)
    definition = config.definition
    definition["sla_minutes"]["hot"] = 10
    services.config_draft_update(config=config, definition=definition)
    services.config_activate(config=config, actor=None)
    assert _score(hot).sla_minutes == 10 and _score(cold).sla_minutes == 360


def test_rule_tags_follow_the_facts_and_leave_peoples_tags_alone():
    lead = _lead(ai=HOT_AI, budget=1_200_000, interest_type="apartment", tags=["perfil/vip"])
    _score(lead)
    lead.budget_max = Decimal(300_000)
    lead.save(update_fields=["budget_max"])
    services.leads_score(lead_ids=[lead.pk])
    paths = set(lead.tags.values_list("path", flat=True))
    assert "interesse/apartamento/alto-padrão" not in paths
    assert {"interesse/apartamento/compacto", "perfil/vip"} <= paths


def test_draft_preview_then_activate_keeps_one_active_and_history_records_the_version(
    django_capture_on_commit_callbacks, celery_eager
):
    leads = [_lead(ai=HOT_AI if i % 2 else None, budget=500_000 + i * 10_000) for i in range(12)]
    services.leads_score(lead_ids=[lead.pk for lead in leads])
    active = services.scoring_config_active_get_or_create()
    draft = services.config_draft_create(actor=None, notes="stricter hot")
    definition = draft.definition
    definition["classes"] = {"hot": 30, "warm": 20}
    services.config_draft_update(config=draft, definition=definition)
    preview = services.config_preview(config=draft, limit=100)
    assert preview["leads"] == 12 and preview["active_version"] == active.version
    assert preview["classes_draft"]["hot"] > preview["classes_active"]["hot"]
    assert preview["changed"] > 0 and sum(preview["histogram_draft"]) == 12
    assert LeadScore.objects.filter(config_version=draft.version).count() == 0  # a preview writes nothing
    with pytest.raises(services.ScoringConfigLocked):
        services.config_draft_update(config=active, definition=definition)
    with django_capture_on_commit_callbacks(execute=True):
        services.config_activate(config=draft, actor=None)
    assert ScoringConfig.objects.filter(status=ConfigStatus.ACTIVE).get().pk == draft.pk
    active.refresh_from_db()
    assert active.status == ConfigStatus.RETIRED
    assert set(LeadScore.objects.values_list("config_version", flat=True)) == {draft.version}
    assert ScoreHistory.objects.filter(config_version=draft.version, trigger=Trigger.CONFIG).count() == 12


def test_time_decay_lowers_the_score_and_shows_a_falling_trend():
    lead = _lead(ai=HOT_AI, budget=800_000)
    _messages(lead, 3, ago_days=0)
    first = _score(lead)
    later = timezone.now() + timedelta(days=30)
    services.leads_score_open(trigger=Trigger.DECAY, now=later)
    decayed = LeadScore.objects.get(lead=lead)
    assert decayed.score < first.score - 3
    assert decayed.trend == "falling" and decayed.dimensions["urgency"] < first.dimensions["urgency"]
    assert ScoreHistory.objects.filter(lead=lead, trigger=Trigger.DECAY).exists()


# --- learned model --------------------------------------------------------------------------------------------------
def _history(n: int, *, signal: bool, seed: int = 1):
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=700)
    sources = {k: LeadSourceFactory(kind=k) for k in (SourceKind.ADS, SourceKind.REFERRAL, SourceKind.WEB_FORM)}
    for i in range(n):
        budget = rng.choice([200, 600, 1500]) * 1000
        intent = rng.choice(["interested", "wants_info", "not_interested", "schedule_meeting"])
        kind = rng.choice(list(sources))
        if signal:  # mid budgets and visit requests win; the rules' monotonic budget cannot see the sweet spot
            logit = (
                -1.0
                + (2.0 if budget == 600_000 else -1.0)
                + {"schedule_meeting": 1.5, "not_interested": -2.5}.get(intent, 0.0)
            )
            won = rng.random() < 1 / (1 + math.exp(-logit))
        else:
            won = rng.random() < 0.3
        LeadFactory(
            source=sources[kind],
            budget_max=Decimal(budget),
            attributes={"ai": {"intent": intent}},
            stage=LeadStage.WON if won else LeadStage.LOST,
            created_at=start + timedelta(hours=i * 6),
        )


def test_learned_model_serves_only_when_it_beats_the_rules():
    _history(600, signal=True)
    model, report = services.lead_model_train()
    assert report["model"]["auc"] > report["rules"]["auc"] + 0.01
    assert report["holdout"] == 150 and report["train"] == 450
    assert {"brier", "ece", "bins"} <= set(report["model"]["calibration"])
    assert model.serving and LeadModel.objects.filter(serving=True).count() == 1
    open_lead = _lead(ai={"intent": "schedule_meeting"}, budget=600_000)
    scored = _score(open_lead)
    assert scored.model_version == model.version and 0 <= scored.probability <= 1


def test_a_model_without_signal_does_not_serve_and_the_rules_keep_serving():
    _history(600, signal=False, seed=5)
    model, report = services.lead_model_train()
    assert not model.serving and report["serving"] is False
    assert LeadModel.objects.filter(serving=True).count() == 0
    scored = _score(_lead(ai=HOT_AI))
    assert scored.probability is None and scored.model_version is None


def test_training_refuses_with_too_little_history():
    _history(20, signal=True)
    with pytest.raises(services.learning.TrainingRefused):
        services.lead_model_train()


# --- segmentation ---------------------------------------------------------------------------------------------------
def test_segments_are_ordered_by_value_named_and_validated():
    mid = {"intent": "wants_info", "urgency": "medium", "buying_stage": "consideration", "objections": ["price"]}
    groups = [(HOT_AI, 800_000, 0.7), (mid, 400_000, 0.4), (COLD_AI, 160_000, 0.1)]
    start = timezone.now() - timedelta(days=400)
    for i in range(240):
        ai, budget, rate = groups[i % 3]
        closed = (i // 3) % 2 == 1
        won = ((i // 6) % 10) < rate * 10
        LeadFactory(
            budget_max=Decimal(budget),
            attributes={"ai": ai},
            stage=(LeadStage.WON if won else LeadStage.LOST) if closed else LeadStage.NEW,
            created_at=start + timedelta(hours=i),
        )
    result = services.segmentation_fit(limit=1000)
    assert result["k"] >= 2 and result["silhouette"] > 0.3
    segments = result["segments"]
    assert [s["rank"] for s in segments] == list(range(1, len(segments) + 1))
    values = [s["value"] for s in segments]
    assert values == sorted(values, reverse=True)
    assert segments[0]["key"] == "champions"
    assert result["monotonic"] is True, segments
    assert segments[0]["outcome_rate"] > segments[-1]["outcome_rate"]
    labelled = set(LeadScore.objects.exclude(segment="").values_list("segment", flat=True))
    assert labelled <= {s["key"] for s in segments} and labelled


def test_batch_scoring_matches_single_scoring():
    leads = [_lead(ai=HOT_AI if i % 3 else COLD_AI, budget=300_000 + 50_000 * i) for i in range(9)]
    services.leads_score(lead_ids=[lead.pk for lead in leads])
    batch = {s.lead_id: s.score for s in LeadScore.objects.all()}
    for lead in leads:
        LeadScore.objects.filter(lead=lead).delete()
        assert _score(lead).score == pytest.approx(batch[lead.pk])
    assert np.isfinite(list(batch.values())).all()
