"""Subscriptions to lower apps' domain signals (connected in LeadsConfig.ready)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from antiban.selectors import outbox_lead_for_message
from leads.selectors import LIST_CHOICES_VERSION_KEY, lead_optout_question_sent_by
from leads.services.lead import lead_contacted_on_first_message
from leads.services.whatsapp_inbound import lead_whatsapp_inbound_record


def whatsapp_inbound_received(
    sender,
    *,
    message,
    profile_name: str = "",
    referral: dict | None = None,
    opt_out: str = "",
    optout_decision=None,
    **kwargs,
):
    """``whatsapp.signals.inbound_message_received``: the lead's side of it (``lead_whatsapp_inbound_record``)."""
    lead_whatsapp_inbound_record(
        message=message, profile_name=profile_name, referral=referral, opt_out=opt_out, optout_decision=optout_decision
    )


REACHED_STATUSES = ("sent", "delivered", "read")


def whatsapp_message_status_changed(sender, *, message, **kwargs) -> None:
    """An outbound message reached the person (bulk sends and campaigns included, which do not pass through the
    lead page): the first one moves a lead still in "New" to "Contacted" (``LEADS_FIRST_MESSAGE_CONTACTED``)."""
    if message.direction != "out" or message.status not in REACHED_STATUSES:
        return
    found = outbox_lead_for_message(contact=message.contact, message_id=message.pk)
    if found and not lead_optout_question_sent_by(lead_id=found[0], outbox_id=found[2]):
        # Fluxo's own "do you want to stop?" is no contact: the lead stays "New" (user tour, #22)
        lead_contacted_on_first_message(lead_id=found[0], actor_id=found[1])


def lead_list_choices_changed(sender, **kwargs) -> None:
    """A source, a person, a team, a team's members or someone's roles changed: the list form's cached choices
    (``leads.selectors.lead_list_choices``) are stale — now, and again once the change commits (a request in
    between may have cached what it read before the commit)."""
    if sender is get_user_model() and set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # every sign-in saves last_login: no choice shows it
    action = kwargs.get("action")  # m2m_changed: only once the change is made
    if action is not None and not action.startswith("post_"):
        return
    _lead_list_choices_bump()
    transaction.on_commit(_lead_list_choices_bump)


def _lead_list_choices_bump() -> None:
    try:
        cache.incr(LIST_CHOICES_VERSION_KEY)
    except ValueError:  # not set yet (or Redis lost it)
        cache.set(LIST_CHOICES_VERSION_KEY, 1, timeout=None)
