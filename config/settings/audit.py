"""The audit log: which models it records, and when audit_verify calls entries stale. Its key (AUDIT_HMAC_KEY) is in
security.py."""

from __future__ import annotations

from config.settings.base import env

# Off only to measure what auditing costs (bench/audit_contention.py); nothing is recorded while it is off.
AUDIT_ENABLED = env.bool("AUDIT_ENABLED", default=True)
# audit_verify reports entries still unsealed after this long: the sealer (beat, a worker) is not running.
AUDIT_SEAL_STALE_MINUTES = env.int("AUDIT_SEAL_STALE_MINUTES", default=10)
AUDIT_MODELS = [
    "leads.lead",
    "leads.contactpoint",
    "leads.leadsource",
    "leads.tag",
    "leads.bulkchange",
    # Not assignment.notification: an in-app message, not a change to people's data or to who owns what.
    "assignment.team",
    "assignment.consultantprofile",
    "assignment.absence",
    "assignment.assignment",
    "auth.user",
    "auth.group",
    "compliance.suppressionentry",
    "compliance.apitoken",
    "compliance.optoutkeyword",
    "compliance.consenttext",
]
