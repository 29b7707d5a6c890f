"""The menu's context on every page: the person's roles, the unread WhatsApp count, the list masking rule."""

from compliance.roles import Role, contacts_unmasked_in_lists, user_roles
from leads.selectors import whatsapp_unread_count


def navigation(request):
    roles = user_roles(getattr(request, "user", None))
    unread = 0
    if Role.CONSULTANT in roles:
        unread = whatsapp_unread_count(user=request.user)
    return {
        "whatsapp_unread": unread,
        "nav_roles": roles,
        "is_supervisor": bool(roles & {Role.SUPERVISOR, Role.ADMIN}),
        "is_consultant": Role.CONSULTANT in roles,
        "is_admin": Role.ADMIN in roles,
        # One masking rule for every list, HTML and API alike (compliance.roles.contacts_unmasked_in_lists).
        "unmask_contacts": contacts_unmasked_in_lists(getattr(request, "user", None)),
        # Signed in with a password but not yet through the code step: the menu (and its polling) waits for it.
        "otp_pending": getattr(request, "otp_pending", False),
    }
