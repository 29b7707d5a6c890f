"""Subscriptions to lower apps' domain signals (connected in LeadsConfig.ready)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from leads.models import ContactKind, EventChannel, EventKind, Lead, LeadSource, SourceKind
from leads.selectors import lead_find_by_phone
from leads.services.lead import lead_create
from leads.services.timeline import timeline_event_record
from leads.signals import lead_message_received

WHATSAPP_SOURCE_NAME = "WhatsApp"


def whatsapp_inbound_received(
    sender, *, message, profile_name: str = "", referral: dict | None = None, opt_out: str = "", **kwargs
):
    """An inbound WhatsApp message: find the lead by phone (ninth-digit variants arrive already normalized) or
    create one from source "WhatsApp" with the ad referral, then append the message to its timeline. A message the
    compliance screen found to be an opt-out (``opt_out``: the keyword; the contact is already suppressed) also
    puts the opt-out on the timeline, and is not handed to AI extraction or re-scoring."""
    if not message.contact:
        return  # a username-only contact: kept in the gateway, no phone to match a lead on
    profile_name = " ".join(str(profile_name or "").split())[: Lead._meta.get_field("full_name").max_length]
    lead = lead_find_by_phone(e164=message.contact)
    if lead is None:
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
        lead = lead_create(
            actor=None,
            source=source,
            full_name=profile_name or _("WhatsApp contact"),
            phones=[message.contact],
            channel=EventChannel.WHATSAPP,
            occurred_at=message.created_at,
            attributes=attributes,
            **fields,
        )
    event = timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_IN,
        channel=EventChannel.WHATSAPP,
        occurred_at=message.created_at,
        payload={"message_id": message.pk, "type": message.kind, "text": message.text[:1000]},
    )
    if opt_out:
        timeline_event_record(
            lead=lead,
            kind=EventKind.CONSENT,
            channel=EventChannel.WHATSAPP,
            occurred_at=message.created_at,
            payload={
                "text": _("Opted out on WhatsApp (“%(keyword)s”): this number will not be contacted again.")
                % {"keyword": opt_out},
                "opt_out": True,
                "contact_kind": ContactKind.PHONE,
                "keyword": opt_out,
                "message_id": message.pk,
            },
        )
        return  # the person asked to stop: nothing reads the message to sell to them
    if message.text:
        lead_id, event_id = lead.pk, event.pk
        transaction.on_commit(
            lambda: lead_message_received.send(sender=Lead, lead_id=lead_id, event_id=event_id), robust=True
        )
