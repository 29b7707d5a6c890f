"""Anti-ban: the outbound pipeline's contact rules, pacing, dispatch, warm-up, number health and bulk review."""

from __future__ import annotations

from config.settings.base import env

FLUXO_BUSINESS_NAME = env("FLUXO_BUSINESS_NAME", default="Fluxo")  # marketing messages must name the business
ANTIBAN_MARKETING_PER_WEEK = env.int("ANTIBAN_MARKETING_PER_WEEK", default=2)
ANTIBAN_CONTACT_HOURS = env.list("ANTIBAN_CONTACT_HOURS", default=["09:00", "20:00"])  # local time
ANTIBAN_CONTACT_DAYS = [int(d) for d in env.list("ANTIBAN_CONTACT_DAYS", default=["0", "1", "2", "3", "4", "5"])]
ANTIBAN_SKIP_HOLIDAYS = env.bool("ANTIBAN_SKIP_HOLIDAYS", default=True)  # Brazil's national holidays
ANTIBAN_PAIR_INTERVAL_S = env.float("ANTIBAN_PAIR_INTERVAL_S", default=6.0)  # same number → same person
ANTIBAN_MAX_ATTEMPTS = env.int("ANTIBAN_MAX_ATTEMPTS", default=5)
ANTIBAN_IDENTICAL_PER_HOUR = env.int("ANTIBAN_IDENTICAL_PER_HOUR", default=20)  # same free text to N people
# Rate: a number's calls are paced by a sliding window in Redis: at most ceil(rate) in any ceil(rate)/rate seconds,
# each counted from Meta's answer (later than Meta received it), so the margin is built in; headroom lowers the rate
# itself (e.g. 0.95 for a number shared with another sending tool).
ANTIBAN_RATE_HEADROOM = env.float("ANTIBAN_RATE_HEADROOM", default=1.0)
# Claims keep each number's backlog (rows claimed, not yet sent) this many seconds of its rate deep: one database
# round trip for many sends, and the number never waits for a claim.
ANTIBAN_DISPATCH_AHEAD_S = env.float("ANTIBAN_DISPATCH_AHEAD_S", default=2.0)
ANTIBAN_SENDING_TIMEOUT_S = env.int("ANTIBAN_SENDING_TIMEOUT_S", default=120)  # then SENDING → UNKNOWN
# An UNKNOWN row whose status webhook never came is failed after this (never sent again; a late webhook still
# reconciles it). Meta reports a send's status within seconds; a day covers its webhook redelivery backlog.
ANTIBAN_UNKNOWN_EXPIRY_S = env.int("ANTIBAN_UNKNOWN_EXPIRY_S", default=86_400)
ANTIBAN_DISPATCHERS = env.int("ANTIBAN_DISPATCHERS", default=4)  # dispatch tasks started per kick
ANTIBAN_BATCHES_IN_FLIGHT = env.int("ANTIBAN_BATCHES_IN_FLIGHT", default=8)  # per dispatcher, being sent
ANTIBAN_DISPATCH_BATCH = env.int("ANTIBAN_DISPATCH_BATCH", default=256)  # rows claimed per transaction
ANTIBAN_DISPATCH_SLICE_S = env.float("ANTIBAN_DISPATCH_SLICE_S", default=20.0)  # then the task hands over
ANTIBAN_DISPATCH_MAX_NAP_S = 1.0  # a dispatcher waits for a free cell up to this, else it stops
# Warm-up: business-initiated messages per day on each day of the ramp; no marketing in the first days
ANTIBAN_WARMUP_NEW_NUMBERS = env.bool("ANTIBAN_WARMUP_NEW_NUMBERS", default=True)
ANTIBAN_WARMUP_PLAN = [
    int(v)
    for v in env.list(
        "ANTIBAN_WARMUP_PLAN", default=["50", "100", "200", "300", "500", "750", "1000", "1500", "2000", "3000"]
    )
]
ANTIBAN_WARMUP_REPLIES_FIRST_DAYS = env.int("ANTIBAN_WARMUP_REPLIES_FIRST_DAYS", default=3)
ANTIBAN_WARMUP_MIN_HEALTH = env.int("ANTIBAN_WARMUP_MIN_HEALTH", default=70)  # to advance one day
# Health: below this a number rests; circuit breaker probes and recovery
ANTIBAN_REST_BELOW = env.int("ANTIBAN_REST_BELOW", default=40)
ANTIBAN_REST_MINUTES = env.int("ANTIBAN_REST_MINUTES", default=60)
ANTIBAN_PROBES = env.int("ANTIBAN_PROBES", default=5)  # successful probes that close the breaker
ANTIBAN_PROBE_INTERVAL_S = env.float("ANTIBAN_PROBE_INTERVAL_S", default=10.0)
ANTIBAN_RECOVERY_HOURS = env.float("ANTIBAN_RECOVERY_HOURS", default=6.0)  # restrictive after a pause or drop
# Bulk sends: audiences at least this large always wait for a supervisor (yellow)
ANTIBAN_BULK_REVIEW_SIZE = env.int("ANTIBAN_BULK_REVIEW_SIZE", default=1000)
