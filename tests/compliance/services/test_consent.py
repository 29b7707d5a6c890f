"""Consent decisions per legal basis, opt-out keywords, a suppression list that survives re-imports, and what the
inbound screen applies for each opt-out action (issue #20: suppression, calls-only revocation, preference, resume,
nothing for a question)."""

from __future__ import annotations

import pytest
from django.db import transaction

from compliance.models import (
    AuditEntry,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentText,
    ContactPreference,
    LegalBasis,
    OptOutKeyword,
    SuppressionEntry,
    SuppressionReason,
)
from compliance.services.consent import (
    ConsentInvalid,
    consent_record,
    contact_index,
    contact_suppressed,
    inbound_text_screen,
    may_contact,
    suppression_add_by_consultant,
    suppression_confirmation_mark,
)
from leads.normalization import phone_normalize
from leads.services import lead_create
from tests.factories import LeadSourceFactory

pytestmark = pytest.mark.django_db
PHONE = "+5511988887777"
MARKETING, SERVICE, COLLECTION = ConsentPurpose.MARKETING, ConsentPurpose.SERVICE, ConsentPurpose.COLLECTION


def _grant(basis, purpose=MARKETING, channel=ConsentChannel.WHATSAPP, status=ConsentStatus.GRANTED):
    text = ConsentText.objects.get_or_create(purpose=purpose, version=1, defaults={"text": "Aceito receber ofertas"})[0]
    return consent_record(
        contact=PHONE,
        kind="phone",
        purpose=purpose,
        channel=channel,
        legal_basis=basis,
        status=status,
        source=ConsentSource.FORM,
        text=text,
        ip_address="203.0.113.9",
    )


def _may(purpose=MARKETING, channel=ConsentChannel.WHATSAPP):
    return may_contact(contact=PHONE, kind="phone", channel=channel, purpose=purpose)


# (basis, purpose, allowed)
BASIS_CASES = [
    (LegalBasis.CONSENT, MARKETING, True),
    (LegalBasis.LEGITIMATE_INTEREST, MARKETING, True),
    (LegalBasis.CONTRACT, MARKETING, False),
    (LegalBasis.CONTRACT, SERVICE, True),
    (LegalBasis.LEGAL_OBLIGATION, MARKETING, False),
    (LegalBasis.LEGAL_OBLIGATION, SERVICE, True),
    (LegalBasis.CREDIT_PROTECTION, COLLECTION, True),
    (LegalBasis.CREDIT_PROTECTION, MARKETING, False),
    (LegalBasis.EXERCISE_OF_RIGHTS, COLLECTION, True),
    (LegalBasis.VITAL_INTEREST, SERVICE, True),
    (LegalBasis.VITAL_INTEREST, MARKETING, False),
    (LegalBasis.HEALTH, MARKETING, False),
    (LegalBasis.PUBLIC_POLICY, MARKETING, False),
    (LegalBasis.RESEARCH, MARKETING, False),
]


@pytest.mark.parametrize(("basis", "purpose", "allowed"), BASIS_CASES)
def test_each_legal_basis_covers_only_its_purposes(basis, purpose, allowed):
    _grant(basis, purpose)
    decision = _may(purpose)
    assert decision.allowed is allowed
    assert decision.code == ("allowed" if allowed else "basis_does_not_cover")


def test_no_record_means_no_contact_and_the_latest_record_decides():
    assert _may().code == "no_basis"
    _grant(LegalBasis.CONSENT)
    assert _may().allowed
    _grant(LegalBasis.CONSENT, status=ConsentStatus.REVOKED)
    assert _may().code == "revoked"
    _grant(LegalBasis.CONSENT)
    assert _may().allowed


def test_consent_on_one_channel_does_not_cover_another_but_any_covers_all():
    _grant(LegalBasis.CONSENT, channel=ConsentChannel.EMAIL)
    assert _may(channel=ConsentChannel.WHATSAPP).code == "no_basis"
    _grant(LegalBasis.CONSENT, channel=ConsentChannel.ANY)
    assert _may(channel=ConsentChannel.WHATSAPP).allowed


def test_consent_must_name_the_text_shown():
    with pytest.raises(ConsentInvalid):
        consent_record(
            contact=PHONE,
            kind="phone",
            purpose=MARKETING,
            channel=ConsentChannel.WHATSAPP,
            legal_basis=LegalBasis.CONSENT,
            status=ConsentStatus.GRANTED,
            source=ConsentSource.FORM,
        )


OPT_OUTS = [
    "SAIR",
    "sair",
    "Sair!",
    "  PARAR. ",
    "pare",
    "STOP",
    "Cancelar",
    "DESCADASTRAR",
    "remover 🙏",
    "Não quero mais",
    "nao quero mais, obrigado",
    "por favor me tire da lista",
    "Quero SAIR da lista!!",
    "para de mandar mensagem",
    "PARE DE ME MANDAR ISSO",
    "unsubscribe",
    "Chega",
    "não entre mais em contato",
    "Bom dia, sair por favor",
    "não quero mais receber essas mensagens",
    "Não tenho interesse, obrigado",
]
LOOKALIKES = [
    "vou sair mais cedo hoje",
    "posso parar na garagem?",
    "a obra vai parar?",
    "cancelar a visita de sábado",
    "quero mais informações",
    "não quero mais esperar, vamos fechar!",
    "parará",
    "sairá o financiamento?",
    "Saio às 18h",
    "remover o piso da sala?",
    "não tenho interesse em casa, só apartamento",
]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_every_opt_out_keyword_suppresses_the_contact(text):
    assert inbound_text_screen(contact=PHONE, kind="phone", text=text).is_stop
    assert _may().code == "suppressed"


@pytest.mark.parametrize("text", LOOKALIKES)
def test_words_that_only_look_like_an_opt_out_do_not(text):
    assert inbound_text_screen(contact=PHONE, kind="phone", text=text).action == "none"
    assert not SuppressionEntry.objects.exists()


def test_a_lookalike_the_second_opinion_doubts_is_asked_about_never_suppressed():
    """ "stop and go por favor": no rule stops it, the sentence-embedding second opinion leans to a stop — the person
    is asked (one tap), nothing is suppressed."""
    decision = inbound_text_screen(contact=PHONE, kind="phone", text="stop and go por favor")
    assert decision.action == "confirm" and decision.evidence["cue"] == "second_opinion"
    assert decision.evidence["second_opinion"] > 0.5
    assert not SuppressionEntry.objects.exists()


def test_admins_can_add_keywords_and_the_entry_keeps_the_keyword_not_the_message():
    OptOutKeyword.objects.create(phrase="me esquece", match="phrase")
    inbound_text_screen(contact=PHONE, kind="phone", text="Por favor me esquece, já comprei")
    entry = SuppressionEntry.objects.get()
    assert entry.details == {"keyword": "me esquece"}
    assert "comprei" not in str(entry.details)
    assert PHONE not in entry.contact_hint


def test_suppression_survives_a_reimport_in_another_format_and_is_confirmed_once(django_capture_on_commit_callbacks):
    sent = []
    contact_suppressed.connect(lambda **kw: sent.append(kw["entry"].pk), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            inbound_text_screen(contact=PHONE, kind="phone", text="SAIR")
        with django_capture_on_commit_callbacks(execute=True):
            inbound_text_screen(contact=PHONE, kind="phone", text="PARAR")  # already suppressed: no 2nd signal
    finally:
        contact_suppressed.disconnect(dispatch_uid="t")
    assert len(sent) == 1
    entry = SuppressionEntry.objects.get()
    assert suppression_confirmation_mark(entry=entry) is True
    assert suppression_confirmation_mark(entry=entry) is False  # never confirmed twice

    with transaction.atomic():  # next year's spreadsheet brings the same person back, formatted differently
        lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="Volta", phones=["(11) 98888-7777"])
    e164 = lead.contact_points.get().value
    assert e164 == phone_normalize("11 9 8888 7777").e164 == PHONE
    _grant(LegalBasis.CONSENT)  # even a fresh consent record does not override an opt-out
    assert may_contact(contact=e164, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=MARKETING).code == (
        "suppressed"
    )


def test_an_email_opt_out_is_confirmed_to_the_person_exactly_once(django_capture_on_commit_callbacks, mailoutbox):
    for text in ("DESCADASTRAR", "sair"):
        with django_capture_on_commit_callbacks(execute=True):
            inbound_text_screen(contact="fulana@exemplo.com", kind="email", text=text)
    assert [m.to for m in mailoutbox] == [["fulana@exemplo.com"]]
    assert SuppressionEntry.objects.get().confirmation_sent_at is not None


@pytest.mark.django_db
def test_a_paraphrased_stop_suppresses_and_audits_the_evidence_never_the_text():
    decision = inbound_text_screen(
        contact=PHONE, kind="phone", text="chega dessas mensagens, obrigado", source=ConsentSource.WHATSAPP
    )
    entry = SuppressionEntry.objects.get()
    assert entry.reason == SuppressionReason.KEYWORD and entry.details["layer"] == "model"
    assert set(ConsentRecord.objects.values_list("status", flat=True)) == {ConsentStatus.REVOKED}
    audit = AuditEntry.objects.get(action="optout.stop")
    assert audit.details["evidence"] == decision.evidence
    assert "mensagens" not in str(audit.details) and "mensagens" not in str(entry.details)


@pytest.mark.django_db
def test_a_calls_only_stop_revokes_phone_calls_and_keeps_whatsapp():
    ConsentRecord.objects.create(
        subject_index=contact_index(PHONE, "phone"),
        contact_kind="phone",
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.ANY,
        legal_basis="consent",
        status=ConsentStatus.GRANTED,
        source=ConsentSource.FORM,
    )
    decision = inbound_text_screen(contact=PHONE, kind="phone", text="não me liga", source=ConsentSource.WHATSAPP)
    assert decision.scope["channels"] == ["phone"]
    assert not SuppressionEntry.objects.exists()
    marketing = ConsentPurpose.MARKETING
    assert may_contact(contact=PHONE, kind="phone", channel=ConsentChannel.PHONE, purpose=marketing).code == "revoked"
    assert may_contact(contact=PHONE, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=marketing).allowed


@pytest.mark.django_db
def test_audio_and_hours_are_preferences_not_suppressions():
    inbound_text_screen(
        contact=PHONE, kind="phone", text="para de mandar áudio, não consigo ouvir aqui, manda por escrito"
    )
    inbound_text_screen(contact=PHONE, kind="phone", text="só depois das 18h")
    assert not SuppressionEntry.objects.exists()
    preference = ContactPreference.objects.get()
    assert preference.no_audio is True and preference.contact_hours == ["18:00", "21:00"]
    assert preference.evidence == {"layer": "rule", "rule": "contact_time"}
    assert AuditEntry.objects.filter(action="optout.preference").count() == 2


@pytest.mark.django_db
def test_resume_is_a_new_consent_and_lifts_only_the_persons_own_stop():
    inbound_text_screen(contact=PHONE, kind="phone", text="SAIR", source=ConsentSource.WHATSAPP)
    assert SuppressionEntry.objects.exists()
    inbound_text_screen(
        contact=PHONE, kind="phone", text="pode me colocar na lista de novo", source=ConsentSource.WHATSAPP
    )
    assert not SuppressionEntry.objects.exists()
    granted = ConsentRecord.objects.filter(status=ConsentStatus.GRANTED).get()
    assert (granted.purpose, granted.source, granted.text_id is not None) == ("marketing", "whatsapp", True)
    assert granted.evidence == {"layer": "rule", "rule": "resume"}
    marketing = ConsentPurpose.MARKETING
    assert may_contact(contact=PHONE, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=marketing).allowed

    other = "+5511977776666"
    suppression_add_by_consultant(contact=other, kind="phone", actor_id=None, note="pediu por telefone")
    inbound_text_screen(contact=other, kind="phone", text="quero voltar a receber", source=ConsentSource.WHATSAPP)
    assert SuppressionEntry.objects.filter(subject_index=contact_index(other, "phone")).exists()


@pytest.mark.django_db
def test_a_question_suppresses_nothing_and_holds_marketing_until_answered():
    from compliance.models import ConsentPurpose, ContactPreference
    from compliance.services.consent import may_contact

    decision = inbound_text_screen(contact=PHONE, kind="phone", text="não", source=ConsentSource.WHATSAPP)
    assert decision.action == "confirm"
    assert not SuppressionEntry.objects.exists() and not ConsentRecord.objects.exists()
    assert ContactPreference.objects.get().marketing_held_at is not None
    assert list(AuditEntry.objects.filter(action__startswith="optout.").values_list("action", flat=True)) == [
        "optout.confirm"
    ]
    marketing = may_contact(contact=PHONE, kind="phone", channel="whatsapp", purpose=ConsentPurpose.MARKETING)
    service = may_contact(contact=PHONE, kind="phone", channel="whatsapp", purpose=ConsentPurpose.SERVICE)
    assert (marketing.allowed, marketing.code) == (False, "held")
    assert service.code != "held"
