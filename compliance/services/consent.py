"""Consent ledger, suppression list and the send-path question: may we contact this person, now, for this?

Contacts are identified by the blind index of their normalized value (E.164 phone, lower-cased e-mail), so this app
never needs the lead and a re-import of the same contact finds the same suppression entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from compliance.crypto import blind_index
from compliance.models import (
    AuditCategory,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentText,
    ContactPreference,
    LegalBasis,
    OptOutKeyword,
    OptOutMatch,
    ProcessingActivity,
    SuppressionEntry,
    SuppressionReason,
)
from compliance.optout import CONFIRM, PREFERENCE, RESUME, STOP, KeywordRule, OptOutDecision, optout_decide
from compliance.services.audit import audit_record
from compliance.signals import contact_suppressed

# Which purposes each legal basis can cover (LGPD Art. 7). Marketing needs consent or legitimate interest.
BASIS_PURPOSES: dict[str, frozenset[str]] = {
    LegalBasis.CONSENT: frozenset(ConsentPurpose.values),
    LegalBasis.LEGITIMATE_INTEREST: frozenset(
        {ConsentPurpose.MARKETING, ConsentPurpose.SERVICE, ConsentPurpose.PROFILING, ConsentPurpose.COLLECTION}
    ),
    LegalBasis.CONTRACT: frozenset({ConsentPurpose.SERVICE, ConsentPurpose.COLLECTION}),
    LegalBasis.LEGAL_OBLIGATION: frozenset({ConsentPurpose.SERVICE, ConsentPurpose.COLLECTION}),
    LegalBasis.CREDIT_PROTECTION: frozenset({ConsentPurpose.COLLECTION}),
    LegalBasis.EXERCISE_OF_RIGHTS: frozenset({ConsentPurpose.COLLECTION}),
    LegalBasis.VITAL_INTEREST: frozenset({ConsentPurpose.SERVICE}),
    LegalBasis.HEALTH: frozenset(),
    LegalBasis.PUBLIC_POLICY: frozenset(),
    LegalBasis.RESEARCH: frozenset(),
}


def contact_index(value: str, kind: str) -> str:
    """``value`` must already be normalized (E.164 phone, lower-cased e-mail)."""
    return blind_index(value.strip().lower() if kind == "email" else value.strip(), kind=f"contact:{kind}")


def contact_mask(value: str, kind: str) -> str:
    """``+5511988887777`` → ``+55 11 9****-7777``; ``maria@x.com`` → ``m***@x.com``."""
    value = value.strip()
    if kind == "email":
        local, _sep, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    if len(value) >= 8:
        return (
            f"{value[:3]} {value[3:5]} {value[5]}****-{value[-4:]}" if value.startswith("+55") else value[:-4] + "****"
        )
    return "****"


@transaction.atomic
def consent_record(
    *,
    contact: str,
    kind: str,
    purpose: ConsentPurpose,
    channel: ConsentChannel,
    legal_basis: LegalBasis,
    status: ConsentStatus,
    source: ConsentSource,
    text: ConsentText | None = None,
    actor_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    evidence: dict | None = None,
) -> ConsentRecord:
    """Append a grant or a revocation. Consent (Art. 7 I) must point at the exact text shown (Art. 8 §2)."""
    if legal_basis == LegalBasis.CONSENT and status == ConsentStatus.GRANTED and text is None:
        raise ConsentInvalid(_("Consent needs the text version the person agreed to."))
    record = ConsentRecord.objects.create(
        subject_index=contact_index(contact, kind),
        contact_kind=kind,
        contact_hint=contact_mask(contact, kind),
        purpose=purpose,
        channel=channel,
        legal_basis=legal_basis,
        status=status,
        source=source,
        text=text,
        actor_id=actor_id,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        evidence=evidence or {},
    )
    audit_record(
        action=f"consent.{status}",
        category=AuditCategory.CONSENT,
        obj=record,
        details={"purpose": purpose, "channel": channel, "basis": legal_basis},
    )
    return record


class ConsentInvalid(ApplicationError):
    code = "consent_invalid"


def suppression_add(
    *, contact: str, kind: str, reason: SuppressionReason, actor_id: int | None = None, details: dict | None = None
) -> tuple[SuppressionEntry, bool]:
    """Put a contact on the do-not-contact list (idempotent). Returns (entry, created)."""
    index = contact_index(contact, kind)
    existing = SuppressionEntry.objects.filter(subject_index=index).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            entry = SuppressionEntry.objects.create(
                subject_index=index,
                contact_kind=kind,
                contact_hint=contact_mask(contact, kind),
                reason=reason,
                actor_id=actor_id,
                details=details or {},
            )
            audit_record(
                action="suppression.added", category=AuditCategory.CONSENT, obj=entry, details={"reason": reason}
            )
    except IntegrityError:  # a concurrent opt-out of the same contact won the race
        return SuppressionEntry.objects.get(subject_index=index), False
    transaction.on_commit(
        lambda: contact_suppressed.send(sender=SuppressionEntry, entry=entry, contact=contact, kind=kind)
    )
    return entry, True


def suppression_add_by_consultant(*, contact: str, kind: str, actor_id: int | None, note: str = ""):
    """A consultant records that the person asked not to be contacted (any channel, any purpose)."""
    return suppression_add(
        contact=contact,
        kind=kind,
        reason=SuppressionReason.CONSULTANT,
        actor_id=actor_id,
        details={"note": note.strip()[:200]},
    )


def suppression_confirmation_mark(*, entry: SuppressionEntry) -> bool:
    """Record that the single confirmation was sent; False if it had been sent already (never twice)."""
    return bool(
        SuppressionEntry.objects.filter(pk=entry.pk, confirmation_sent_at__isnull=True).update(
            confirmation_sent_at=timezone.now()
        )
    )


def is_suppressed(*, contact: str, kind: str) -> bool:
    return SuppressionEntry.objects.filter(subject_index=contact_index(contact, kind)).exists()


def consent_text_current(purpose: ConsentPurpose) -> ConsentText | None:
    """The newest text version for ``purpose``: what a form must show and the ledger must point at."""
    return ConsentText.objects.filter(purpose=purpose).order_by("-version").first()


def marketing_consent_text() -> ConsentText | None:
    """The marketing text a public form shows next to its checkbox."""
    return consent_text_current(ConsentPurpose.MARKETING)


def consent_from_web_form(
    *,
    contacts: list[tuple[str, str]],
    marketing_text: ConsentText | None,
    ip_address: str | None,
    user_agent: str,
    evidence: dict,
) -> None:
    """A person filled a form asking to be contacted: service contact rests on preliminary procedures (Art. 7 V);
    marketing only with the box ticked, pointing at the exact text shown (Art. 8)."""
    for value, kind in contacts:
        consent_record(
            contact=value,
            kind=kind,
            purpose=ConsentPurpose.SERVICE,
            channel=ConsentChannel.ANY,
            legal_basis=LegalBasis.CONTRACT,
            status=ConsentStatus.GRANTED,
            source=ConsentSource.FORM,
            ip_address=ip_address,
            user_agent=user_agent,
            evidence=evidence,
        )
        if marketing_text is not None:
            consent_record(
                contact=value,
                kind=kind,
                purpose=ConsentPurpose.MARKETING,
                channel=ConsentChannel.ANY,
                legal_basis=LegalBasis.CONSENT,
                status=ConsentStatus.GRANTED,
                source=ConsentSource.FORM,
                text=marketing_text,
                ip_address=ip_address,
                user_agent=user_agent,
                evidence=evidence,
            )


def suppressed_among(contacts: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (value, kind) contacts are suppressed, in one query."""
    by_index = {contact_index(value, kind): (value, kind) for value, kind in contacts}
    found = SuppressionEntry.objects.filter(subject_index__in=by_index).values_list("subject_index", flat=True)
    return {by_index[index] for index in found}


def optout_rules() -> list[KeywordRule]:
    rows = OptOutKeyword.objects.filter(is_active=True).values_list("phrase", "match")
    return [KeywordRule(phrase, match == OptOutMatch.WHOLE_MESSAGE) for phrase, match in rows]


def inbound_text_screen(
    *,
    contact: str,
    kind: str,
    text: str,
    source: ConsentSource | None = None,
    llm: Callable[[str], str] | None = None,
) -> OptOutDecision:
    """Every inbound message passes here (issue #20's layered decision, ``compliance.optout.optout_decide``) and
    what it asks is applied at once:

    * stop, any channel: the contact goes on the suppression list; with the ``source`` channel it arrived on
      (WhatsApp's inbound processing passes it) the consent ledger also records the objection to every purpose.
    * stop, calls only ("não me liga"): no suppression (WhatsApp stays allowed); the ledger revokes every purpose
      on the phone-call channel only.
    * preference: ``contact_preference_set`` (text instead of audio, own days, own hours).
    * resume ("pode me colocar na lista de novo"): a new GRANTED marketing consent pointing at the current marketing
      text, source = the channel; a suppression entry is lifted only when it came from the person's own inbound
      words (reason ``keyword``: a keyword, rule or model stop) — never one a consultant, a data-subject request, a
      complaint or Meta's opt-out put there.
    * confirm: marketing is held for this contact (``optout_hold``) until the person answers the one-tap question
      the caller asks ("Sim, parar" suppresses, "Não" releases the hold); service replies go on.
    * none: nothing applied.

    Every applied decision is audited with its evidence (layer, rule or model version, score), never the message.
    ``llm`` is an optional callable the caller injects for the uncertain middle (compliance imports no AI code)."""
    decision = optout_decide(text, optout_rules(), llm=llm)
    if decision.action == STOP:
        _apply_stop(decision, contact=contact, kind=kind, source=source)
    elif decision.action == PREFERENCE:
        contact_preference_set(contact=contact, kind=kind, evidence=dict(decision.evidence), **decision.scope)
    elif decision.action == RESUME:
        _apply_resume(decision, contact=contact, kind=kind, source=source)
        optout_hold_release(contact=contact, kind=kind)
    elif decision.action == CONFIRM:
        optout_hold(contact=contact, kind=kind, evidence=dict(decision.evidence))
    else:
        return decision
    audit_record(
        action=f"optout.{decision.action}",
        category=AuditCategory.CONSENT,
        object_type="contact",
        object_id=contact_index(contact, kind)[:16],
        details={"scope": decision.scope, "evidence": decision.evidence},
    )
    return decision


def _ledger_source(source: ConsentSource | None, kind: str) -> ConsentSource:
    # Partial stops and resumes live only in the ledger, so they are recorded even without a channel given.
    return source or (ConsentSource.WHATSAPP if kind == "phone" else ConsentSource.API)


def _apply_stop(
    decision: OptOutDecision, *, contact: str, kind: str, source: ConsentSource | None
) -> SuppressionEntry | None:
    channels = decision.scope.get("channels") or ["any"]
    if "any" not in channels:
        for channel in channels:
            for purpose in ConsentPurpose:
                consent_record(
                    contact=contact,
                    kind=kind,
                    purpose=purpose,
                    channel=ConsentChannel(channel),
                    legal_basis=LegalBasis.CONSENT,  # LGPD Art. 8 §5 revocation / Art. 18 §2 objection
                    status=ConsentStatus.REVOKED,
                    source=_ledger_source(source, kind),
                    evidence=dict(decision.evidence),
                )
        return None
    evidence = decision.evidence
    details = (
        {"keyword": evidence.get("rule", "")}
        if evidence.get("layer") == "keyword"
        else {key: evidence[key] for key in ("layer", "rule", "model_version", "score") if key in evidence}
    )
    entry, created = suppression_add(contact=contact, kind=kind, reason=SuppressionReason.KEYWORD, details=details)
    if created and source:
        for purpose in ConsentPurpose:
            consent_record(
                contact=contact,
                kind=kind,
                purpose=purpose,
                channel=ConsentChannel.ANY,
                legal_basis=LegalBasis.CONSENT,  # LGPD Art. 8 §5 revocation / Art. 18 §2 objection
                status=ConsentStatus.REVOKED,
                source=source,
                evidence=dict(evidence),
            )
    return entry


def _apply_resume(decision: OptOutDecision, *, contact: str, kind: str, source: ConsentSource | None) -> None:
    text = consent_text_current(ConsentPurpose.MARKETING)
    lifted = SuppressionEntry.objects.filter(
        subject_index=contact_index(contact, kind), reason=SuppressionReason.KEYWORD
    ).first()
    if lifted is not None:
        lifted.delete()
        audit_record(
            action="suppression.lifted",
            category=AuditCategory.CONSENT,
            object_type="suppressionentry",
            object_id=lifted.pk,
            details={"reason": lifted.reason, "evidence": decision.evidence},
        )
    if text is None:  # no marketing text to point at: the wish is audited, no consent can be recorded
        return
    for purpose in decision.scope.get("purposes") or [ConsentPurpose.MARKETING]:
        consent_record(
            contact=contact,
            kind=kind,
            purpose=ConsentPurpose(purpose),
            channel=ConsentChannel.ANY,
            legal_basis=LegalBasis.CONSENT,
            status=ConsentStatus.GRANTED,
            source=_ledger_source(source, kind),
            text=text,
            evidence=dict(decision.evidence),
        )


def contact_preference_set(*, contact: str, kind: str, evidence: dict, **preferences) -> ContactPreference:
    """A person's own wishes about how we contact them, short of a stop: ``no_audio`` (text instead of audio),
    ``contact_days`` (weekdays, 0 = Monday), ``contact_hours`` ("HH:MM", "HH:MM"). Only the given ones change."""
    allowed = {"no_audio", "contact_days", "contact_hours"}
    unknown = set(preferences) - allowed
    if unknown:
        raise ValueError(f"unknown contact preferences: {sorted(unknown)}")
    preference, _created = ContactPreference.objects.get_or_create(
        subject_index=contact_index(contact, kind),
        defaults={"contact_kind": kind, "contact_hint": contact_mask(contact, kind)},
    )
    for name, value in preferences.items():
        setattr(preference, name, value)
    preference.evidence = evidence
    preference.updated_at = timezone.now()
    preference.save()
    return preference


def contact_preferences_many(*, contacts: list[str], kind: str) -> dict[str, ContactPreference]:
    """The stated preferences of each contact that has any (one query)."""
    indexes = {contact_index(contact, kind): contact for contact in contacts}
    return {indexes[p.subject_index]: p for p in ContactPreference.objects.filter(subject_index__in=list(indexes))}


def optout_hold(*, contact: str, kind: str, evidence: dict) -> ContactPreference:
    """A message that may have asked to stop is being confirmed: no marketing to this contact until the person
    answers (a stop not yet sure is still honoured for what matters most); replies and service messages go on."""
    preference, _created = ContactPreference.objects.get_or_create(
        subject_index=contact_index(contact, kind),
        defaults={"contact_kind": kind, "contact_hint": contact_mask(contact, kind)},
    )
    if preference.marketing_held_at is None:
        preference.marketing_held_at = timezone.now()
        preference.evidence = evidence
        preference.updated_at = timezone.now()
        preference.save(update_fields=["marketing_held_at", "evidence", "updated_at"])
    return preference


def optout_hold_release(*, contact: str, kind: str) -> bool:
    """The person answered "Não" to the confirmation question (or asked to receive again): marketing is no longer
    held. True when a hold was released."""
    return bool(
        ContactPreference.objects.filter(
            subject_index=contact_index(contact, kind), marketing_held_at__isnull=False
        ).update(marketing_held_at=None, updated_at=timezone.now())
    )


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    code: str
    reason: str
    legal_basis: str = ""


def may_contact(*, contact: str, kind: str, channel: ConsentChannel, purpose: ConsentPurpose) -> ContactDecision:
    """The send path's question. Two indexed queries: the suppression list, then the latest ledger record for
    this purpose on this channel or on any channel."""
    return may_contact_many(contacts=[contact], kind=kind, channel=channel, purpose=purpose)[contact]


def may_contact_many(
    *, contacts: list[str], kind: str, channel: ConsentChannel, purpose: ConsentPurpose
) -> dict[str, ContactDecision]:
    """``may_contact`` for a batch (a dispatcher's claim, a bulk send) in two queries whatever its size."""
    indexes = {contact: contact_index(contact, kind) for contact in contacts}
    suppressed = set(
        SuppressionEntry.objects.filter(subject_index__in=indexes.values()).values_list("subject_index", flat=True)
    )
    latest = {
        record.subject_index: record
        for record in ConsentRecord.objects.filter(
            subject_index__in=[i for i in indexes.values() if i not in suppressed],
            purpose=purpose,
            channel__in=[channel, ConsentChannel.ANY],
        )
        .order_by("subject_index", "-occurred_at", "-id")
        .distinct("subject_index")
        .only("subject_index", "status", "legal_basis")
    }
    held = (
        set(
            ContactPreference.objects.filter(
                subject_index__in=[i for i in indexes.values() if i not in suppressed], marketing_held_at__isnull=False
            ).values_list("subject_index", flat=True)
        )
        if purpose == ConsentPurpose.MARKETING
        else set()
    )
    return {
        contact: _decision(index in suppressed, latest.get(index), purpose, held=index in held)
        for contact, index in indexes.items()
    }


def _decision(suppressed: bool, latest, purpose: ConsentPurpose, *, held: bool = False) -> ContactDecision:
    if suppressed:
        return ContactDecision(False, "suppressed", _("The person opted out: never contact them again."))
    if held:
        return ContactDecision(
            False,
            "held",
            _("The person may have asked to stop: no marketing until they answer the confirmation question."),
        )
    if latest is None:
        return ContactDecision(False, "no_basis", _("No legal basis is recorded for this purpose."))
    if latest.status == ConsentStatus.REVOKED:
        return ContactDecision(
            False, "revoked", _("The person revoked or objected to this purpose."), latest.legal_basis
        )
    if purpose not in BASIS_PURPOSES[latest.legal_basis]:
        return ContactDecision(
            False,
            "basis_does_not_cover",
            _("The legal basis “%(basis)s” does not cover %(purpose)s.")
            % {"basis": LegalBasis(latest.legal_basis).label, "purpose": ConsentPurpose(purpose).label},
            latest.legal_basis,
        )
    return ContactDecision(
        True,
        "allowed",
        _("Allowed under %(basis)s.") % {"basis": LegalBasis(latest.legal_basis).label},
        latest.legal_basis,
    )


# --- issue #20: what the product does with an opt-out decision (confirmation, Meta's signals, partial stops) -------
def optout_confirmed(*, contact: str, kind: str, source: ConsentSource, evidence: dict) -> SuppressionEntry:
    """The person answered "Sim, parar" to the confirmation question: the same stop as an explicit keyword — on the
    do-not-contact list at once, and every purpose revoked in the ledger with ``evidence`` (the layer, never the
    message)."""
    return _apply_stop(
        OptOutDecision(STOP, {"channels": ["any"], "purposes": ["any"]}, dict(evidence)),
        contact=contact,
        kind=kind,
        source=source,
    )


def marketing_consent_from_meta(*, contact: str, kind: str, stopped: bool, evidence: dict) -> ConsentRecord | None:
    """Meta told us the person stopped (or resumed) marketing messages from this business (the ``user_preferences``
    webhook, the marketing template's stop button): the WhatsApp marketing consent is revoked (or granted again)
    at once, so the outbox's marketing check refuses (or allows) the next marketing send. A resume is a new
    consent given in WhatsApp's own interface; it points at the current marketing text, and without one nothing is
    granted (None)."""
    text = None if stopped else consent_text_current(ConsentPurpose.MARKETING)
    if not stopped and text is None:
        return None
    return consent_record(
        contact=contact,
        kind=kind,
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.WHATSAPP,
        legal_basis=LegalBasis.CONSENT,
        status=ConsentStatus.REVOKED if stopped else ConsentStatus.GRANTED,
        source=ConsentSource.META,
        text=text,
        evidence=dict(evidence),
    )


def calls_refused_among(*, contacts: list[str]) -> set[str]:
    """Which of these phones asked not to be called ("não me liga"): their latest record for phone calls (or for
    any channel) is a revocation. Two queries whatever the number."""
    decisions = may_contact_many(
        contacts=contacts, kind="phone", channel=ConsentChannel.PHONE, purpose=ConsentPurpose.SERVICE
    )
    return {contact for contact, decision in decisions.items() if decision.code in ("revoked", "suppressed")}


# The record of processing (Art. 37) under which texts people wrote may be kept to train and evaluate the models.
TRAINING_ACTIVITY = "Melhoria dos modelos de IA com exemplos rotulados"


def training_use_recorded() -> bool:
    """Whether the records of processing list the use of people's messages to train and evaluate the AI models: a
    labelled example keeps its text only then."""
    return ProcessingActivity.objects.filter(name=TRAINING_ACTIVITY).exists()
