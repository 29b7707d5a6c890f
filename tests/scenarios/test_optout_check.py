"""Issue #20, item 1 and its "Done when": `manage.py optout_check --text TEXT --json` prints the decision for one
inbound text with its evidence through the same screen a real inbound message passes; a paraphrased stop sent by
Meta (signed webhook) suppresses the contact with the model's evidence; "não me liga" stops calls only; the
evaluation command reports the group-aware split."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987650001"
PHONE = "+5511987650001"


def _check(text: str) -> dict:
    out = io.StringIO()
    call_command("optout_check", "--text", text, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_optout_check_prints_the_decision_and_its_evidence_and_keeps_nothing():
    """Done when: `optout_check --text TEXT --json` prints stop/confirm/preference/resume/none with evidence (the
    layer, rule or model version and score — never the text); the check writes nothing that stays."""
    from compliance.models import AuditEntry, ConsentRecord, ContactPreference, SuppressionEntry

    stop = _check("chega dessas mensagens, obrigado")
    assert stop["action"] == "stop" and stop["scope"] == {"channels": ["any"], "purposes": ["any"]}
    assert stop["evidence"]["layer"] == "model" and "sklearn" in stop["evidence"]["model_version"]
    assert "mensagens" not in json.dumps(stop["evidence"])

    assert _check("para de mandar áudio, não consigo ouvir aqui, manda por escrito") == {
        "action": "preference",
        "scope": {"no_audio": True},
        "evidence": {"layer": "rule", "rule": "no_audio"},
    }
    assert _check("não me liga")["scope"]["channels"] == ["phone"]
    assert _check("só no fim de semana")["scope"] == {"contact_days": [5, 6]}
    assert _check("pode me colocar na lista de novo")["action"] == "resume"
    assert _check("não")["action"] == "confirm"
    assert _check("vou sair mais cedo hoje")["action"] == "none"
    assert not SuppressionEntry.objects.exists()
    assert not ConsentRecord.objects.exists() and not ContactPreference.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="optout.").exists()


def test_optout_check_refuses_an_empty_text_with_a_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--text"):
        call_command("optout_check", "--text", "  ", "--json")


def test_a_paraphrased_stop_over_whatsapp_suppresses_the_contact_with_the_models_evidence(wa, meta_post):
    """Issue #20 item 1: "chega dessas mensagens" (no keyword) arrives as a signed Meta webhook → the contact is on
    the do-not-contact list, the ledger revokes every purpose, both carrying the model's name/version and score."""
    from compliance.models import ConsentChannel, ConsentPurpose, ConsentRecord, ConsentStatus, SuppressionEntry
    from compliance.services.consent import may_contact

    assert meta_post(inbound_text_body(wa_id=WA_ID, text="chega dessas mensagens, obrigado")).status_code == 200

    entry = SuppressionEntry.objects.get()
    assert entry.details["layer"] == "model" and entry.details["score"] >= 0.5
    revoked = ConsentRecord.objects.filter(status=ConsentStatus.REVOKED)
    assert revoked.count() == len(ConsentPurpose) and {r.evidence["layer"] for r in revoked} == {"model"}
    decision = may_contact(contact=PHONE, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.SERVICE)
    assert decision.code == "suppressed"


def test_nao_me_liga_over_whatsapp_stops_calls_and_not_whatsapp(wa, meta_post):
    """Issue #20: "não me liga" stops calls, not WhatsApp."""
    from compliance.models import ConsentChannel, ConsentRecord, SuppressionEntry

    assert meta_post(inbound_text_body(wa_id=WA_ID, text="whats pode mandar, só não quero ligação")).status_code == 200

    assert not SuppressionEntry.objects.exists()
    assert set(ConsentRecord.objects.values_list("channel", "status").distinct()) == {(ConsentChannel.PHONE, "revoked")}


def test_optout_eval_reports_the_group_aware_split(tmp_path):
    """Done when: the evaluation reports recall, false suppressions and per-action accuracy; a file is scored with
    the same metrics (the challenge file's format)."""
    sample = tmp_path / "sample.psv"
    sample.write_text(
        "family|expected|scope|text\n"
        "a|stop|any|me tira dessa lista\n"
        "b|none||vou sair mais cedo hoje\n"
        "c|preference|no_audio|não quero áudio, manda por escrito\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("optout_eval", "--json", "--file", str(sample), stdout=out)
    report = json.loads(out.getvalue())
    assert report["stop_recall"] == 1.0 and report["false_suppressions"] == 0
    assert report["per_action"]["preference"] == {"n": 1, "accuracy": 1.0}
    # timings are reported (speed lives in bench/, never in a test)
    assert 0 <= report["decision_ms"]["p50"] <= report["decision_ms"]["p95"]


def test_optout_check_warm_trains_once_and_later_processes_load_the_stored_model(settings, tmp_path, monkeypatch):
    """`make run` runs `optout_check --warm` before the workers start: the trained classifier is kept on disk by
    version, and the next process (a worker; here the same one with its in-memory model dropped) loads that file
    instead of training it again (nothing rewritten)."""
    from compliance import optout

    settings.OPTOUT_MODEL_DIR = str(tmp_path)

    def warm() -> str:
        monkeypatch.setattr(optout, "_model", None)  # a process that has not loaded the model yet
        out = io.StringIO()
        call_command("optout_check", "--warm", stdout=out)
        return out.getvalue().strip()

    version = warm().split()[0]  # the classifier's version, then the second opinion's
    stored = tmp_path / f"{version}.pickle"
    assert version.startswith("optout-lr-") and stored.is_file()
    written = stored.stat().st_mtime_ns

    assert warm().split()[0] == version  # the next process serves the same model ...
    assert stored.stat().st_mtime_ns == written  # ... loaded from the file, not trained and stored again
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]  # no temporary file left behind
    assert _check("me tira dessa lista por favor")["action"] == "stop"  # and it decides as before
