"""Reads about teams and their people."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from assignment.models import Team


def teams_supervised_by(user) -> QuerySet[Team]:
    return Team.objects.filter(supervisor=user, is_active=True)


def team_member_ids(teams: QuerySet[Team]) -> QuerySet:
    """A subquery of the user ids that belong to ``teams`` (usable inside another query)."""
    return Team.members.through.objects.filter(team__in=teams).values("user_id")


def team_for_member(user) -> Team | None:
    return Team.objects.filter(members=user, is_active=True).order_by("id").first()


def consultants_of(teams: QuerySet[Team]) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(id__in=team_member_ids(teams), is_active=True)
        .order_by("first_name", "username")
    )
