"""Domain signals of qualification. docs/events.md lists senders and receivers (``python manage.py events_table``)."""

from django.dispatch import Signal

# These leads were scored for the first time or changed class: assignment routes the new ones (the roulette runs on
# this score's class) and re-times SLAs. A lead created by an inbound message gets its first score, and so this
# signal, once its AI reading has landed (or QUALIFICATION_READING_WAIT_S later). kwargs: lead_ids, trigger.
# Sent on commit.
leads_scored = Signal()
