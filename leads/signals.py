"""Domain signals the leads app sends (after commit) so higher apps can react without leads importing them.

- ``lead_message_received(lead_id, event_id)``: an inbound message was appended to the timeline (AI extraction).
- ``lead_message_sent(lead_id, event_id, text, suggestion_id)``: a consultant sent a message; ``suggestion_id`` is
  the AI reply suggestion it started from, if any (the AI middleware learns from the edit).
- ``lead_stage_changed(lead_id, stage, previous)``: the lead moved stage (conversions, re-scoring).
- ``leads_created(lead_ids)``: new leads exist (one form, one API call or one import chunk): scoring, routing.
- ``optout_confirmation_declined(contact, lead_id, original_event_id)``: the person answered "Não" to "Quer parar de
  receber nossas mensagens?": the message that raised the question (``original_event_id``, a timeline event) was
  not an opt-out — the AI middleware keeps it as a labelled example.
"""

from django.dispatch import Signal

lead_message_received = Signal()
lead_message_sent = Signal()
lead_stage_changed = Signal()
leads_created = Signal()
optout_confirmation_declined = Signal()
