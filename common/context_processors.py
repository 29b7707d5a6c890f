from compliance.roles import Role, user_roles


def navigation(request):
    roles = user_roles(getattr(request, "user", None))
    unread = 0
    if Role.CONSULTANT in roles:
        from leads.selectors import whatsapp_unread_count

        unread = whatsapp_unread_count(user=request.user)
    return {
        "whatsapp_unread": unread,
        "nav_roles": roles,
        "is_supervisor": bool(roles & {Role.SUPERVISOR, Role.ADMIN}),
        "is_consultant": Role.CONSULTANT in roles,
        "is_admin": Role.ADMIN in roles,
    }
