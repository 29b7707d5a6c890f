"""The inbound side of a lead's WhatsApp conversation: a message that arrived (stored by the gateway) lands on the
lead's timeline — the lead found by phone or created from source "WhatsApp" — and what the opt-out screen decided is
acted on. ``leads.receivers`` hands every ``whatsapp.signals.inbound_message_received`` to
``lead_whatsapp_inbound_record``; ``lead_message_received`` goes out once the work commits."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from antiban.services import OutboxState, Priority, outbox_enqueue
from compliance.optout import optout_rule_label, text_fold
from compliance.services.consent import ConsentSource, optout_confirmed, optout_hold_release
from leads.models import ContactKind, EventChannel, EventKind, Lead, LeadSource, SourceKind
from leads.selectors import lead_find_by_phone
from leads.services.lead import lead_create
from leads.services.timeline import timeline_event_record
from leads.signals import lead_message_received, optout_confirmation_declined
from whatsapp import payloads

WHATSAPP_SOURCE_NAME = "WhatsApp"

# The one-tap confirmation asked when the opt-out decision is uncertain (issue #20): reply-button ids.
CONFIRM_YES, CONFIRM_NO = "optout_confirm_yes", "optout_confirm_no"
CONFIRM_EVERY = timedelta(hours=24)  # asked at most once per contact in this long


def lead_whatsapp_inbound_record(
    *,
    message,
    profile_name: str = "",
    referral: dict | None = None,
    opt_out: str = "",
    optout_decision=None,
) -> None:
    """An inbound WhatsApp message: find the lead by phone (ninth-digit variants arrive already normalized) or
    create one from source "WhatsApp" with the ad referral, then append the message to its timeline. Then what the
    compliance screen decided (``optout_decision``; ``opt_out`` the keyword of a stop):

    - a stop of everything (the contact is already suppressed): on the timeline, and not handed to AI extraction;
    - a stop of one channel or purpose ("não me liga", Meta's marketing stop): on the timeline, the rest goes on;
    - uncertain ("confirm"): the one-tap question "Quer parar de receber nossas mensagens?" goes out through the
      anti-ban outbox as a reply, at most once per contact in 24 hours; the answer comes back as a button reply:
      "Sim, parar" stops like a keyword, "Não" leaves everything as it was and the message becomes a labelled
      "not an opt-out" example;
    - a preference (text instead of audio, own days or hours) or a resume: noted on the timeline."""
    if not message.contact:
        return  # a username-only contact: kept in the gateway, no phone to match a lead on
    lead = _lead_for(message, profile_name, referral)
    event = timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_IN,
        channel=EventChannel.WHATSAPP,
        occurred_at=message.created_at,
        payload={"message_id": message.pk, "type": message.kind, "text": message.text[:1000]},
    )
    answer = _confirmation_answer(message) or _typed_confirmation_answer(lead, message)
    if answer:
        _confirmation_answered(lead, message, answer)
        return  # a tap on our own question: nothing for AI extraction to read
    decision = optout_decision
    stops_everything = (decision.is_stop and _stops_everything(decision)) if decision is not None else bool(opt_out)
    if stops_everything:
        evidence = decision.evidence if decision else {}
        keyword = opt_out or str(evidence.get("rule") or "")
        # A keyword is the person's own word ("sair"), quoted; a rule is a code, shown as what the person asked.
        layer = evidence.get("layer", "keyword")
        rule_label = optout_rule_label(keyword) if layer != "keyword" else ""
        if rule_label:
            text = _("Opted out on WhatsApp (%(reason)s): this number will not be contacted again.") % {
                "reason": rule_label
            }
        elif keyword and layer == "keyword":
            text = _("Opted out on WhatsApp (“%(keyword)s”): this number will not be contacted again.") % {
                "keyword": keyword
            }
        else:
            text = _("Opted out on WhatsApp: this number will not be contacted again.")
        _consent_note(
            lead,
            message,
            text,
            opt_out=True,
            keyword=keyword,
            evidence=dict(decision.evidence) if decision else {},
        )
        return  # the person asked to stop: nothing reads the message to sell to them
    if decision is not None and decision.action != "none":
        if decision.action == "confirm":
            _confirmation_ask(lead, message, event, decision)
            return  # maybe a stop: nothing reads it to sell to them until the person answers
        _consent_note(lead, message, _decision_text(decision), evidence=dict(decision.evidence), scope=decision.scope)
    if message.text:
        lead_id, event_id = lead.pk, event.pk
        transaction.on_commit(
            lambda: lead_message_received.send(sender=Lead, lead_id=lead_id, event_id=event_id), robust=True
        )


def _lead_for(message, profile_name: str, referral: dict | None) -> Lead:
    profile_name = " ".join(str(profile_name or "").split())[: Lead._meta.get_field("full_name").max_length]
    lead = lead_find_by_phone(e164=message.contact)
    if lead is not None:
        return lead
    source, _created = LeadSource.objects.get_or_create(
        name=WHATSAPP_SOURCE_NAME, defaults={"kind": SourceKind.WHATSAPP_INBOUND}
    )
    attributes = {}
    fields = {}
    if referral:
        attributes = {
            f"whatsapp_referral_{key}": str(value)[:300]
            for key, value in referral.items()
            if key in ("source_type", "source_id", "source_url", "headline", "ctwa_clid", "media_type")
        }
        if referral.get("source_type") == "ad":
            fields["ad_ref"] = str(referral.get("source_id") or "")[:120]
    return lead_create(
        actor=None,
        source=source,
        full_name=profile_name or _("WhatsApp contact"),
        phones=[message.contact],
        channel=EventChannel.WHATSAPP,
        occurred_at=message.created_at,
        attributes=attributes,
        **fields,
    )


def _consent_note(lead, message, text: str, **payload):
    return timeline_event_record(
        lead=lead,
        kind=EventKind.CONSENT,
        channel=EventChannel.WHATSAPP,
        occurred_at=message.created_at,
        payload={"text": text, "contact_kind": ContactKind.PHONE, "message_id": message.pk, **payload},
    )


def _stops_everything(decision) -> bool:
    channels = decision.scope.get("channels") or ["any"]
    purposes = decision.scope.get("purposes") or ["any"]
    return "any" in channels and "any" in purposes


def _decision_text(decision) -> str:
    scope = decision.scope
    if decision.action == "stop":
        if scope.get("channels") == ["phone"]:
            return _("Asked not to be called: WhatsApp messages may go on.")
        if "marketing" in (scope.get("purposes") or []):
            return _("Stopped marketing messages on WhatsApp: service messages may go on.")
        return _("Asked to stop some contacts: %(channels)s.") % {"channels": ", ".join(scope.get("channels") or [])}
    if decision.action == "preference":
        parts = []
        if scope.get("no_audio"):
            parts.append(_("Asked for written messages instead of audio."))
        if scope.get("contact_days"):
            parts.append(_("Asked to be contacted only on their own days."))
        if scope.get("contact_hours"):
            parts.append(
                _("Asked to be contacted only between %(start)s and %(end)s.")
                % {"start": scope["contact_hours"][0], "end": scope["contact_hours"][-1]}
            )
        return " ".join(parts) or _("Stated how they want to be contacted.")
    if decision.action == "resume":
        return _("Asked to receive our messages again.")
    return _("Opt-out decision: %(action)s.") % {"action": decision.action}


def _confirmation_answer(message) -> str:
    """ "yes"/"no" when the message is a tap on our confirmation question's buttons, else ""."""
    if message.kind != "interactive":
        return ""
    reply = (message.payload.get("interactive") or {}).get("button_reply") or {}
    return {CONFIRM_YES: "yes", CONFIRM_NO: "no"}.get(str(reply.get("id") or ""), "")


# An answer typed instead of tapped, to the question asked in the last 24 hours and not yet answered: the button's
# own words or a short yes/no ("Sim, parar", "sim", "pode parar"; "Não", "não, pode continuar").
_TYPED_YES = re.compile(
    r"^(?:sim|s|ss|yes|confirmo|isso|quero|pode|claro|com certeza)?[\s,.!]*(?:sim[\s,.!]*)?"
    r"(?:pode |quero |favor |por favor )?(?:parar|para|pare|paren|parem|sair|cancelar|sim)?[\s,.!]*"
    r"(?:por favor|pf|pfv|obg|obrigad[oa])?[\s.!]*$"
)
_TYPED_NO = re.compile(
    r"^nao quero (?:parar|sair)\b[^?]*$"
    r"|^(?:nao|n|no|nope|negativo)[\s,.!]*(?:(?:obrigad[oa]|obg|valeu|pode continuar|podem continuar|continua|"
    r"continuem|pode mandar|quero continuar|nao precisa)[\s,.!]*)*$"
)


def _typed_confirmation_answer(lead, message) -> str:
    if message.kind != "text" or len(message.text.split()) > 6:
        return ""
    since = timezone.now() - CONFIRM_EVERY
    question = (
        lead.events.filter(kind=EventKind.CONSENT, payload__optout_question=True, occurred_at__gte=since)
        .order_by("-occurred_at", "-id")
        .first()
    )
    if (
        question is None
        or lead.events.filter(
            Q(payload__optout_declined=True) | Q(payload__opt_out=True), kind=EventKind.CONSENT, id__gt=question.id
        ).exists()
    ):
        return ""  # nothing asked, or already answered
    folded = text_fold(message.text).strip()
    if not re.search(r"[a-z]", folded):
        return ""
    if _TYPED_NO.match(folded):
        return "no"
    if _TYPED_YES.match(folded):
        return "yes"
    return ""


def _confirmation_ask(lead, message, event, decision) -> None:
    """Ask once (per contact, per 24 h) through the anti-ban outbox, as a reply inside the window just opened."""
    since = timezone.now() - CONFIRM_EVERY
    if lead.events.filter(kind=EventKind.CONSENT, payload__optout_question=True, occurred_at__gte=since).exists():
        _consent_note(
            lead,
            message,
            _("Maybe asked to stop: already asked in the last 24 hours."),
            evidence=dict(decision.evidence),
        )
        return
    # a question the outbox refused in the last 24 hours is not queued again (it would be refused again)
    refused = (
        lead.events.filter(kind=EventKind.CONSENT, payload__optout_question_refused=True, occurred_at__gte=since)
        .order_by("-id")
        .first()
    )
    if refused is not None:
        _consent_note(
            lead,
            message,
            _("Maybe asked to stop: the confirmation question could not be sent (%(reason)s).")
            % {"reason": refused.payload.get("reason", "")},
            evidence=dict(decision.evidence),
            outbox_id=refused.payload.get("outbox_id"),
        )
        return
    with translation.override("pt-br"):  # the person reads Portuguese whoever's request this runs in
        body = _("Do you want to stop receiving our messages?")
        buttons = [
            (CONFIRM_YES, pgettext("opt-out button", "Yes, stop")),
            (CONFIRM_NO, pgettext("opt-out button", "No")),
        ]
    row = outbox_enqueue(
        contact=message.contact,
        priority=Priority.REPLY,
        payload=payloads.buttons_payload(message.contact, body, buttons),
        text=body,
        lead_id=lead.pk,
        pinned_number=message.number,
    )
    if row.state == OutboxState.REFUSED:  # kept in the outbox with its reason; the timeline says so
        _consent_note(
            lead,
            message,
            _("Maybe asked to stop: the confirmation question could not be sent (%(reason)s).")
            % {"reason": row.last_reason},
            evidence=dict(decision.evidence),
            outbox_id=row.pk,
            optout_question_refused=True,
            reason=row.last_reason,
        )
        return
    timeline_event_record(
        lead=lead,
        kind=EventKind.CONSENT,
        channel=EventChannel.WHATSAPP,
        payload={
            "text": _("Maybe asked to stop: asked them to confirm (“%(question)s”).") % {"question": body},
            "optout_question": True,
            "original_event_id": event.pk,
            "outbox_id": row.pk,
            "evidence": dict(decision.evidence),
        },
    )


def _confirmation_answered(lead, message, answer: str) -> None:
    question = (
        lead.events.filter(kind=EventKind.CONSENT, payload__optout_question=True)
        .order_by("-occurred_at", "-id")
        .first()
    )
    original_event_id = (question.payload.get("original_event_id") if question else None) or None
    if answer == "yes":
        optout_confirmed(
            contact=message.contact,
            kind="phone",
            source=ConsentSource.WHATSAPP,
            evidence={"layer": "confirmation"},
        )
        _consent_note(
            lead,
            message,
            _("Confirmed on WhatsApp that they want to stop: this number will not be contacted again."),
            opt_out=True,
            keyword="",
            evidence={"layer": "confirmation"},
        )
        return
    released = optout_hold_release(contact=message.contact, kind="phone")
    _consent_note(
        lead,
        message,
        _("Answered that they do not want to stop: nothing was suppressed, marketing may go on.")
        if released
        else _("Answered that they do not want to stop: nothing was suppressed."),
        optout_declined=True,
        original_event_id=original_event_id,
    )
    contact, lead_id = message.contact, lead.pk
    transaction.on_commit(
        lambda: optout_confirmation_declined.send(
            sender=Lead, contact=contact, lead_id=lead_id, original_event_id=original_event_id
        ),
        robust=True,
    )
