"""Writes on teams."""

from __future__ import annotations

from django.db import transaction

from assignment.models import Team


@transaction.atomic
def team_ensure(*, name: str, supervisor, members=()) -> Team:
    """The team called ``name`` (created with ``supervisor`` if new), with ``members`` added."""
    team, _created = Team.objects.get_or_create(name=name, defaults={"supervisor": supervisor})
    if members:
        team.members.add(*members)
    return team
