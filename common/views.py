from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from common.tasks import worker_last_seen


def _service_checks() -> dict[str, str]:
    """The database and Redis answer (a check reports, it does not raise)."""
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
    return checks


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database and Redis answer."""
    checks = _service_checks()
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    return JsonResponse(checks, status=status)


_migrations_applied = False  # once true in a process it stays true: a deploy that migrates starts new processes


def _migrations_check() -> str:
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:  # a readiness check reports, it does not raise
        return "down"
    _migrations_applied = not pending
    return "ok" if not pending else "pending"


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 until this instance can do its work — the database and Redis answer, every migration is
    applied and a Celery worker reported in the last ``FLUXO_READY_WORKER_SECONDS`` (beat's heartbeat runs every
    minute). A load balancer or Kubernetes readiness probe uses this one; liveness uses /healthz (a silent worker is
    no reason to restart the web server)."""
    checks = _service_checks()
    checks["migrations"] = _migrations_check() if checks["database"] == "ok" else "down"
    try:
        seen = worker_last_seen() if checks["redis"] == "ok" else None
    except Exception:
        seen = None
    checks["worker"] = "ok" if seen is not None and seen <= settings.FLUXO_READY_WORKER_SECONDS else "silent"
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    return JsonResponse(checks, status=status)


def favicon(request):
    """The app's icon where browsers look for one by default (the admin's pages name none): a 404 there was a
    console error on every admin page. Resolved per request, so the hashed static name is the current one."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
