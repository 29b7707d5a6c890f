"""Domain signals the leads app sends so higher apps can react without leads importing them. Each is described by
the comment above it (what happened, kwargs, when it is sent); docs/events.md lists senders and receivers
(``python manage.py events_table``)."""

from django.dispatch import Signal

# An inbound message was appended to a lead's timeline (AI extraction reads it; qualification re-scores, or waits
# for that reading when the message created the lead). kwargs: lead_id, event_id (the timeline event).
# Sent on commit; not sent for a stop of everything, an opt-out question or its answer, or a message without text.
lead_message_received = Signal()

# A consultant sent a WhatsApp message from the lead page. kwargs: lead_id, event_id, text, suggestion_id (the AI
# reply suggestion it started from, or None: the AI middleware learns from the edit).
# Sent on commit.
lead_message_sent = Signal()

# The lead moved stage (conversions, re-scoring, SLA clock, closed leads free the consultant's slot).
# kwargs: lead_id, stage, previous. Sent on commit.
lead_stage_changed = Signal()

# New leads exist (one form, one API call, one import chunk, one first WhatsApp message): scoring, then routing.
# kwargs: lead_ids. Sent on commit.
leads_created = Signal()

# The person answered "Não" to "Quer parar de receber nossas mensagens?": the message that raised the question
# (original_event_id, a timeline event) was not an opt-out; the AI middleware keeps it as a labelled example.
# kwargs: contact, lead_id, original_event_id. Sent on commit.
optout_confirmation_declined = Signal()
