"""Domain signals: the WhatsApp gateway tells the apps above it what happened, without importing them.
docs/events.md lists senders and receivers (``python manage.py events_table``)."""

from django.dispatch import Signal

# An inbound message was stored and screened by compliance; the leads app finds or creates the lead and appends the
# message to its timeline. kwargs: message, profile_name, referral, opt_out (the opt-out keyword matched, "" if
# none: the contact is already on the do-not-contact list), optout_decision (compliance.optout.OptOutDecision or
# None; for the marketing template's stop button Meta's own: scope {"channels": ["whatsapp"], "purposes":
# ["marketing"]}, evidence {"layer": "meta", "signal": "stop_button"}).
# Sent at once, inside the processing transaction (not on commit): the lead and timeline commit with the message.
inbound_message_received = Signal()

# An outbound message's status moved (sent, delivered, read, failed): anti-ban reads error signals from it, leads
# moves a "new" lead to "contacted". kwargs: message.
# Sent on commit for a webhook status; at once (not on commit) by the dispatcher right after Meta answered a send.
message_status_changed = Signal()

# Meta changed a number's quality or limit (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE): anti-ban throttles or pauses the
# number. kwargs: number, event, previous (the previous quality rating). Sent on commit.
number_quality_changed = Signal()

# A status whose wamid Fluxo never saved but which carries our biz_opaque_callback_data (a worker died between
# Meta's answer and our commit): anti-ban reconciles the send; a receiver returns True when it handled it.
# kwargs: status (the raw status dict). Sent at once, inside the webhook's transaction (not on commit).
status_for_unsaved_send = Signal()
