"""Domain signals of the AI middleware. docs/events.md lists senders and receivers (`manage.py events_table`)."""

from django.dispatch import Signal

# Facts were extracted from a lead's inbound message and merged into the lead (with provenance): qualification
# scores the lead on them (the first score of a lead created by that message). kwargs: extraction_id, lead_id.
# Sent on commit.
extraction_recorded = Signal()
