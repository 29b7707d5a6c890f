"""The lead pipeline: lists and counts, stages, qualification's segments, assignment's roulette, SLA and tasks."""

from __future__ import annotations

from config.settings.base import env

# --- Leads: lists, stages, the first message ------------------------------------------------------------------------
# Lists count matching rows only up to this many ("more than 10.000 leads"): no COUNT(*) over a million-lead base.
FLUXO_LIST_COUNT_CAP = env.int("FLUXO_LIST_COUNT_CAP", default=10_000)
# ... and spend at most this long counting them; past it the list shows PostgreSQL's estimate ("cerca de N leads").
FLUXO_LIST_COUNT_BUDGET_MS = env.int("FLUXO_LIST_COUNT_BUDGET_MS", default=40)
FLUXO_STALE_LEAD_DAYS = env.int("FLUXO_STALE_LEAD_DAYS", default=7)  # still new after this: stale (supervisor home)
LEADS_STAGES_REQUIRING_REASON = env.list("LEADS_STAGES_REQUIRING_REASON", default=["lost"])  # people say why
LEADS_FIRST_MESSAGE_CONTACTED = env.bool("LEADS_FIRST_MESSAGE_CONTACTED", default=True)  # new → contacted on send

# --- Qualification: segments ----------------------------------------------------------------------------------------
# A k whose smallest cluster holds less than this share of the leads is no segmentation: an outlier is not a segment.
QUALIFICATION_SEGMENT_MIN_SHARE = env.float("QUALIFICATION_SEGMENT_MIN_SHARE", default=0.05)
# A lead created by an inbound message is scored once its AI reading lands; if none lands within this many seconds
# (extraction failed, ai queue down, an opt-out the AI never reads) the next ``score_pending`` scores it anyway.
QUALIFICATION_READING_WAIT_S = env.int("QUALIFICATION_READING_WAIT_S", default=120)

# --- Assignment: the roulette, the first-contact SLA, tasks ---------------------------------------------------------
ASSIGNMENT_AUTO = env.bool("ASSIGNMENT_AUTO", default=True)  # route new leads with the roulette
ASSIGNMENT_ONLINE_MINUTES = env.int("ASSIGNMENT_ONLINE_MINUTES", default=10)  # seen this recently = online
ASSIGNMENT_REMINDER_SHARE = env.float("ASSIGNMENT_REMINDER_SHARE", default=0.2)  # remind at 80 % of the SLA
ASSIGNMENT_SLA_GRACE_MINUTES = env.int("ASSIGNMENT_SLA_GRACE_MINUTES", default=15)  # then reassign
ASSIGNMENT_TASK_REMIND_MINUTES = env.int("ASSIGNMENT_TASK_REMIND_MINUTES", default=15)  # notify before due
# The score's recommended action as a task: at most this many open per consultant (the hottest leads first), and
# "get back in touch" only for a lead quiet this many days.
ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER = env.int("ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER", default=20)
ASSIGNMENT_NURTURE_QUIET_DAYS = env.int("ASSIGNMENT_NURTURE_QUIET_DAYS", default=7)
