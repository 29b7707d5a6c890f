"""Issue #20, item 1 ("Opt-out that does not miss") on messages in voices the first training file never had: stop
requests with typos, regional or angry wording, a question, a third party or a stop that is one clause of a long
message arrive as signed Meta webhooks and suppress the contact; near-misses in the same voices suppress nobody;
"não consigo ouvir áudio" and "depois das 19h" are stored as the person's preferences; "me adiciona de novo na
lista" is a new consent that lifts the person's own stop."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db

STOPS = [
    "pare de me mamdar mensagen",
    "tem como parar de me mandar isso?",
    "Oi, troquei de emprego e agora estou sem tempo pra nada. Por favor, me tirem da lista.",
    "Nos termos do art. 18 da Lei 13.709, solicito a eliminação dos meus dados e a interrupção dos contatos.",
    "🚫 mensagens 🚫",
]
NEAR_MISSES = [
    "não quero parar de receber, gosto das ofertas",
    "tira o segundo apartamento da lista de visitas, só quero ver o primeiro",
    "chega de aluguel, quero meu próprio canto",
    "meu celular bloqueou, por isso não respondi",
]


def _wa_id(i: int) -> str:
    return f"55119876{i:05d}"


@pytest.mark.parametrize(("i", "text"), list(enumerate(STOPS)))
def test_a_stop_in_another_voice_over_whatsapp_suppresses_the_contact(wa, meta_post, i, text):
    """Issue #20 item 1: "about half of the plain stop requests tried" slipped through; these, in voices the first
    data never had, arrive through Meta's signed webhook and put the contact on the do-not-contact list."""
    from compliance.models import SuppressionEntry

    assert meta_post(inbound_text_body(wa_id=_wa_id(i), text=text)).status_code == 200
    entry = SuppressionEntry.objects.get()
    assert "keyword" in entry.details or entry.details["layer"] in {"rule", "model"}
    assert text not in json.dumps(entry.details)


@pytest.mark.parametrize(("i", "text"), list(enumerate(NEAR_MISSES)))
def test_a_near_miss_in_another_voice_suppresses_nobody(wa, meta_post, i, text):
    """Issue #20 target: 0 false suppressions on near-misses."""
    from compliance.models import ConsentRecord, ConsentStatus, SuppressionEntry

    assert meta_post(inbound_text_body(wa_id=_wa_id(100 + i), text=text)).status_code == 200
    assert not SuppressionEntry.objects.exists()
    assert not ConsentRecord.objects.filter(status=ConsentStatus.REVOKED).exists()


def test_preferences_and_resume_in_other_words_over_whatsapp(wa, meta_post):
    """Issue #20 item 1: "não quero receber áudio" sets a preference, a time sets contact hours, "voltar a receber"
    is a new consent — here in other words ("não consigo ouvir áudio, manda escrito", "depois das 19h",
    "me adiciona de novo na lista")."""
    from compliance.models import ConsentRecord, ConsentStatus, ContactPreference, SuppressionEntry

    wa_id = _wa_id(200)
    assert meta_post(inbound_text_body(wa_id=wa_id, text="não consigo ouvir áudio, manda escrito")).status_code == 200
    assert meta_post(inbound_text_body(wa_id=wa_id, text="depois das 19h")).status_code == 200
    assert not SuppressionEntry.objects.exists()
    preference = ContactPreference.objects.get()
    assert preference.no_audio is True and preference.contact_hours == ["19:00", "21:00"]

    assert meta_post(inbound_text_body(wa_id=wa_id, text="para d mandar mensagen pra mim")).status_code == 200
    assert SuppressionEntry.objects.exists()
    assert meta_post(inbound_text_body(wa_id=wa_id, text="me adiciona de novo na lista")).status_code == 200
    assert not SuppressionEntry.objects.exists()
    granted = ConsentRecord.objects.filter(status=ConsentStatus.GRANTED).get()
    assert granted.purpose == "marketing" and granted.evidence == {"layer": "rule", "rule": "resume"}


def test_optout_check_reads_typos_and_abbreviations(tmp_path):
    """Done when: `optout_check --text TEXT --json` decides through the same path; a message in another voice is
    read as what it asks, and `optout_eval --file` scores such a file with the issue's metrics."""
    out = io.StringIO()
    call_command("optout_check", "--text", "nao qro mais resever msg", "--json", stdout=out)
    assert json.loads(out.getvalue())["action"] == "stop"

    sample = tmp_path / "voices.psv"
    sample.write_text(
        "family|expected|scope|text\n"
        "a|stop|any|me tira dessa lsta pf\n"
        "b|stop|any|Bah tchê, não me manda mais essas mensagens\n"
        "c|none||vou parar no posto e já chego\n"
        "d|preference|days:5,6|fds\n"
        "e|resume|marketing|pode voltar a mandar\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("optout_eval", "--json", "--file", str(sample), stdout=out)
    report = json.loads(out.getvalue())
    assert report["stop_recall"] == 1.0 and report["false_suppressions"] == 0
    assert report["per_action"]["preference"]["accuracy"] == 1.0 and report["per_action"]["resume"]["accuracy"] == 1.0
