"""Teams as the visibility rule sees them: who supervises which team, who belongs to one.

The ``Team`` model lives in ``assignment`` (above ``leads`` on the map: it routes leads to consultants), but the
rule "supervisors see their teams' leads" is applied lower down, in ``leads``' selectors. Rather than ``leads``
importing upwards, the lower layer names what it needs here and ``assignment`` plugs its selectors in at startup
(``AssignmentConfig.ready``): the import points down, the data stays where it is."""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class TeamDirectory(Protocol):
    def teams_supervised_by(self, user) -> QuerySet: ...

    def teams_managed_by(self, user) -> QuerySet: ...

    def team_member_ids(self, teams: QuerySet) -> QuerySet: ...

    def team_for_member(self, user): ...


_directory: TeamDirectory | None = None


def team_directory_register(directory: TeamDirectory) -> None:
    global _directory
    _directory = directory


def _registered() -> TeamDirectory:
    if _directory is None:
        raise ImproperlyConfigured("No team directory is registered: the assignment app must be installed.")
    return _directory


def teams_supervised_by(user) -> QuerySet:
    """The active teams ``user`` supervises."""
    return _registered().teams_supervised_by(user)


def teams_managed_by(user) -> QuerySet:
    """Admins and integrators: every active team; supervisors: theirs."""
    return _registered().teams_managed_by(user)


def team_member_ids(teams: QuerySet) -> QuerySet:
    """A subquery of the user ids that belong to ``teams``."""
    return _registered().team_member_ids(teams)


def team_for_member(user):
    """The first active team ``user`` is a member of, or None."""
    return _registered().team_for_member(user)
