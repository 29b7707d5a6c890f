"""The four roles of Fluxo, as Django groups created by a migration.

Visibility of leads by role is one rule, applied everywhere through ``leads.selectors.lead_visible_to``:
admins and integrators see every lead; supervisors see their teams' leads; consultants see their own.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "Admin", _("Admin")
    SUPERVISOR = "Supervisor", _("Supervisor")
    CONSULTANT = "Consultant", _("Consultant")
    INTEGRATOR = "Integrator", _("Integrator")


def user_roles(user) -> frozenset[str]:
    """The user's roles, cached on the user object for the request (one query at most)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_fluxo_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        user._fluxo_roles = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def role_grant(*, user, role: Role) -> None:
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_fluxo_roles", None)


def role_emails(role: Role) -> list[str]:
    """The e-mail addresses of the active people with ``role``: who gets operational alerts."""
    return list(
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def primary_role(user) -> str | None:
    """The role that decides the user's home page, most powerful first."""
    roles = user_roles(user)
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.CONSULTANT, Role.INTEGRATOR):
        if role in roles:
            return role
    return None


def contacts_unmasked_in_lists(user) -> bool:
    """Least privilege: people who contact leads (consultants), admins and integrators see phones and e-mails in
    lists; a supervisor sees them masked there (the lead's own page shows them, and that read is audited)."""
    roles = user_roles(user)
    return bool(roles & {Role.ADMIN, Role.INTEGRATOR, Role.CONSULTANT})


def role_required(*roles: str):
    """View decorator: authenticated users holding one of ``roles``; others are sent to log in or get 404."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, *roles):
                raise Http404("no such page for this role")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


ANY_STAFF_ROLE = (Role.ADMIN, Role.SUPERVISOR, Role.CONSULTANT)
