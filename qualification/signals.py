"""Domain signals of qualification (sent after commit).

- ``leads_scored(lead_ids, trigger)``: these leads were scored for the first time or changed class; assignment
  routes the new ones and re-times SLAs.
"""

from django.dispatch import Signal

leads_scored = Signal()
