from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from compliance.roles import Role, primary_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = primary_role(request.user)
    if role in (Role.SUPERVISOR, Role.ADMIN):
        return redirect("assignment:supervisor_home")
    return redirect("leads:list")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database and Redis answer."""
    from django.core.cache import cache

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # a health check reports, it does not raise
        checks["database"] = "down"
    try:
        cache.set("fluxo:healthz", 1, timeout=5)
        checks["redis"] = "ok"
    except Exception:
        checks["redis"] = "down"
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    return JsonResponse(checks, status=status)


def favicon(request):
    """The app's icon where browsers look for one by default (the admin's pages name none): a 404 there was a
    console error on every admin page. Resolved per request, so the hashed static name is the current one."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
