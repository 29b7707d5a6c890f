"""Who sees which leads: the one visibility rule (admins and integrators: every lead; supervisors: their teams'
leads; consultants: their own) and where a new lead is placed. The lowest of leads' read modules: the filters, the
search, the selectors and the services all build on it; it imports none of them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from compliance.roles import Role, user_roles
from compliance.teams import team_for_member, team_member_ids, teams_supervised_by
from leads.errors import LeadOwnerNotAllowed
from leads.models import Lead


def _visibility(user, prefix: str = "") -> Q | None:
    """The visibility rule as a filter on ``owner`` and ``team`` (None: everything), on a lead reached through
    ``prefix`` (``"lead__"``) or on anything with those two fields. Admins and integrators: every lead. Supervisors:
    their teams' leads (by team or by owner). Consultants: the leads they own. Anybody else: nothing."""
    roles = user_roles(user)
    if Role.ADMIN in roles or Role.INTEGRATOR in roles:
        return None
    scope = Q(**{f"{prefix}pk__in": []})
    if Role.SUPERVISOR in roles:
        teams = teams_supervised_by(user)
        scope |= Q(**{f"{prefix}team__in": teams}) | Q(**{f"{prefix}owner__in": team_member_ids(teams)})
    if Role.CONSULTANT in roles:
        scope |= Q(**{f"{prefix}owner": user})
    return scope


def lead_visible_to(user) -> QuerySet[Lead]:
    """Admins and integrators: every lead. Supervisors: their teams' leads (by team or by owner).
    Consultants: the leads they own. Anybody else: nothing."""
    scope = _visibility(user)
    leads = Lead.objects.all()
    return leads if scope is None else leads.filter(scope)


def lead_placement_for_create(*, user, owner):
    """Who owns, and which team holds, a lead that ``user`` creates — checked before anything is written, so that
    the creator can see what they made. ``owner`` must be someone whose leads ``user`` may see
    (``owners_visible_to``): a consultant creates only leads they own (no owner means themselves). The lead joins
    the owner's team; a supervisor's unowned lead joins the (first) team they supervise.
    Returns ``(owner, team)``; raises LeadOwnerNotAllowed."""
    roles = user_roles(user)
    if owner is None and Role.CONSULTANT in roles and not roles & {Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATOR}:
        owner = user
    if owner is not None and not owners_visible_to(user).filter(pk=owner.pk).exists():
        raise LeadOwnerNotAllowed(
            _(
                "You may not give a lead to this person: leave the owner out to own it yourself, "
                "or choose someone in your teams."
            ),
            details={"owner": [_("Not someone whose leads you may see.")]},
        )
    if owner is not None:
        return owner, team_for_member(owner)
    team = teams_supervised_by(user).order_by("id").first() if Role.SUPERVISOR in roles else None
    return None, team


def owners_visible_to(user) -> QuerySet:
    """People whose leads ``user`` may filter by."""
    users = get_user_model().objects.filter(is_active=True)
    roles = user_roles(user)
    if Role.ADMIN in roles or Role.INTEGRATOR in roles:
        return users.filter(groups__name__in=[Role.CONSULTANT, Role.SUPERVISOR]).distinct().order_by("first_name")
    if Role.SUPERVISOR in roles:
        return users.filter(id__in=team_member_ids(teams_supervised_by(user))).order_by("first_name")
    return users.filter(pk=user.pk)
