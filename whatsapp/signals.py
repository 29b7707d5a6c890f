"""Domain signals: the WhatsApp gateway tells the apps above it what happened, without importing them.

- ``inbound_message_received(message, profile_name, referral, opt_out)``: sent inside the processing transaction,
  after the compliance screen; the leads app finds or creates the lead and appends to its timeline. ``opt_out`` is
  the opt-out keyword the message matched ("" if none): the contact is already on the do-not-contact list;
  ``optout_decision`` the compliance screen's whole decision (``compliance.optout.OptOutDecision``) or None; for
  the marketing template's stop button it is Meta's own: a stop with scope {"channels": ["whatsapp"],
  "purposes": ["marketing"]} and evidence {"layer": "meta", "signal": "stop_button"} (marketing consent revoked).
- ``message_status_changed(message)``: after commit; the anti-ban pipeline reads error signals from it.
- ``number_quality_changed(number, event, previous)``: after commit; anti-ban throttles or pauses the number.
- ``status_for_unsaved_send(status)``: a status whose wamid Fluxo never saved but which carries our
  ``biz_opaque_callback_data`` (a worker died between Meta's answer and our commit); anti-ban reconciles it.
"""

from django.dispatch import Signal

inbound_message_received = Signal()
message_status_changed = Signal()
number_quality_changed = Signal()
status_for_unsaved_send = Signal()
