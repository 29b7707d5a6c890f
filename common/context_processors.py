from compliance.roles import Role, user_roles


def navigation(request):
    roles = user_roles(getattr(request, "user", None))
    return {
        "nav_roles": roles,
        "is_supervisor": bool(roles & {Role.SUPERVISOR, Role.ADMIN}),
        "is_consultant": Role.CONSULTANT in roles,
        "is_admin": Role.ADMIN in roles,
    }
