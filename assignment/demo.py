"""The demo team and its consultants' profiles, for ``seed_demo``."""

from __future__ import annotations

from datetime import time

from assignment.models import ConsultantProfile, Team
from assignment.services import consultant_profile_get_or_create, team_ensure

# Room for the demo's day: each consultant holds ~300 open leads and the first roulette hands out the unowned ones
# (~45 each), so a rebalance of one consultant (~300 leads over the other four) and a bulk assignment of a few leads
# fit in today's limit; a supervisor can still make a consultant full to see the capacity tools at work.
DEMO_MAX_OPEN = 600
DEMO_MAX_NEW_PER_DAY = 150
OLD_DEMO_CAPS = (600, 80)

# The demo team works around the clock so the roulette can be watched at any hour; specialties differ.
SKILLS = [
    (["apartment"], None, 900_000, ["SP"]),
    (["apartment", "house"], 700_000, None, ["SP", "RJ"]),
    (["house", "land"], None, None, ["MG", "PR", "RS", "SC"]),
    (["commercial", "investment"], 500_000, None, []),
    ([], None, None, []),
]


def consultants_demo_ensure(*, supervisor, consultants: list) -> Team:
    """The demo team (led by ``supervisor``, with the five ``consultants``) and each consultant's profile: skills,
    the demo's caps, every day around the clock. Idempotent; a profile seeded before with the old caps gets the room
    of today's demo."""
    team = team_ensure(name="Equipe São Paulo", supervisor=supervisor, members=consultants)
    for user, (types, low, high, regions) in zip(consultants, SKILLS, strict=True):
        profile = consultant_profile_get_or_create(
            user,
            property_types=types,
            price_min=low,
            price_max=high,
            regions=regions,
            max_open_leads=DEMO_MAX_OPEN,
            max_new_per_day=DEMO_MAX_NEW_PER_DAY,
            work_days=list(range(7)),
            work_start=time(0, 0),
            work_end=time(23, 59, 59),
        )
        if (profile.max_open_leads, profile.max_new_per_day) == OLD_DEMO_CAPS:  # a demo seeded before: its room
            ConsultantProfile.objects.filter(pk=profile.pk).update(
                max_open_leads=DEMO_MAX_OPEN, max_new_per_day=DEMO_MAX_NEW_PER_DAY
            )
    return team
