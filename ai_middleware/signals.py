"""Domain signals of the AI middleware (sent after commit).

- ``extraction_recorded(extraction_id, lead_id)``: facts were extracted from a lead's message and merged into the
  lead; qualification re-scores on it.
"""

from django.dispatch import Signal

extraction_recorded = Signal()
