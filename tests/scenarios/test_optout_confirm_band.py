"""Issue #20 (task optband): the confirm band. Through `manage.py optout_check` (the screen a real inbound message
passes), a message with a cue of refusing or stopping that no rule resolves is asked about ("Quer parar de receber
nossas mensagens?") rather than ignored; a stop found by a phrase rule or the model where another person, another
object or a hedge is in play is asked about rather than suppressed; clear stops, clear near-misses and ordinary
messages keep their decision. The evidence names the policy and its cue or guard, never the text."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _check(text: str) -> dict:
    out = io.StringIO()
    call_command("optout_check", "--text", text, "--json", stdout=out)
    return json.loads(out.getvalue())


# Uncertain: a refusal or cessation cue no rule resolves, or a stop with a guard → asked, never ignored nor taken.
ASKED = [
    "recebo mensagem demais de vocês",
    "quem passou meu contato pra vocês?",
    "eu nunca autorizei isso",
    "👎👎",
    "podem parar, agradeço",
    "nada de promoção, por favor",
    "já fechei com outra imobiliária, obrigado",
    "pensando bem, melhor não",
    "a outra corretora não para de me mandar mensagem, que chato",
    "meu sócio disse que vocês tiraram ele da lista, foi engano?",
    "não me mandem mais fatura pelo zap, só por email",
    # relayed: her stop, but this number may be hers or the writer's own
    "minha mãe pediu pra vcs pararem de mandar mensagem pra ela",
    # someone else's words in quotes: "parem de mandar" quoted from a neighbour's group
    "meu cunhado escreveu “parem de mandar propaganda” no grupo da família, foi pra vocês?",
    # a what-if about leaving, with sending welcome for now
    "se eu quiser sair da lista depois, como faço? por enquanto pode mandar",
]
# Clear ones keep their decision.
UNCHANGED = [
    ("SAIR", "stop"),
    ("parem de me mandar mensagem", "stop"),
    ("me tira da lista de vocês por favor", "stop"),
    ("oi tenho interesse", "none"),
    # a greeting is never asked about (too short for the sentence model's second opinion)
    ("Oi", "none"),
    ("tá", "none"),
    ("qual o valor?", "none"),
    ("quanto sai a parcela?", "none"),
    ("cancela a visita de sábado, remarco depois", "none"),
    ("não recebi o folder ainda", "none"),
    ("agora não dá, me chama mês que vem", "none"),
    ("não me liga, só whats", "stop"),
    # a filter on what is offered, not a stop
    ("não quero mais terreno, só apartamento pronto", "none"),
    # calls refused while messages go on
    ("parem de ligar, mas podem continuar mandando mensagem", "stop"),
    # text instead of audio is a preference, whatever else the sentence says about messages
    ("não quero receber áudio, mensagem normal tá ótimo", "preference"),
    # contact welcome again
    ("podem voltar a me contatar, agora tenho interesse", "resume"),
    # a time window and named days are preferences
    ("das 14h às 17h", "preference"),
    ("de segunda a sábado tudo bem, domingo não", "preference"),
    # LGPD opposition and a conditional complaint are stops
    ("Registro minha oposição ao recebimento de publicidade.", "stop"),
    ("vou reclamar na ANPD se continuarem mandando mensagem", "stop"),
    # a day mentioned beside a removal from the list is not a contact-time preference
    ("me mandaram mensagem sábado às 6 da manhã, tirem meu número da lista de vocês", "stop"),
    # calls refused in English
    ("no calls please, só mensagem", "stop"),
    # the stop request itself withdrawn
    ("desconsidera aquele pedido de não me mandar nada, podem me chamar", "resume"),
    # a forwarded ad's "só até sexta" is not the person's own days
    ("Encaminhada: “oferta só até sexta”. Obrigado, mas não quero mais receber nada de vocês", "stop"),
]


@pytest.mark.parametrize("text", ASKED)
def test_an_uncertain_message_is_asked_about_with_the_policy_as_evidence(text):
    decision = _check(text)
    assert decision["action"] == "confirm", decision
    evidence = decision["evidence"]
    # asked by the confirm band (its cue or guard named) or by the classifier's own uncertain band (its score)
    assert (evidence.get("policy") == "confirm_band" and (evidence.get("cue") or evidence.get("guard"))) or (
        evidence["layer"] == "model" and "score" in evidence
    ), evidence
    assert text not in json.dumps(evidence, ensure_ascii=False)


@pytest.mark.parametrize(("text", "action"), UNCHANGED)
def test_clear_messages_keep_their_decision(text, action):
    """The confirm band leaves them as they are; only the sentence-model second opinion may turn a stop it scores
    low (< 0.6 in more than six words) into the question — never into nothing — and the evidence then says so."""
    decision = _check(text)
    evidence = decision["evidence"]
    if action == "stop" and decision["action"] == "confirm":
        assert evidence.get("guard") == "second_opinion" and evidence["second_opinion"] < 0.6, decision
        return
    assert decision["action"] == action, decision
    assert "policy" not in evidence
