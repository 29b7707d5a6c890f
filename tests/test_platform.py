"""Project-wide guarantees: the OpenAPI schema, production settings, Celery wiring, demo data, supervisor home."""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from compliance.roles import Role
from leads.models import Lead, LeadEvent, LeadStage

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_openapi_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/leads/", "/api/v1/leads/{lead_id}/stage/", "/api/v1/leads/{lead_id}/timeline/"):
        assert path in text


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_production_settings_pass_check_deploy_with_zero_warnings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "x7Hq-" + "k2N9pL4vR8tW1yZ3bD6fG0jM5sQ" * 2,
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": settings.DATABASES["default"].get("NAME") and _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "BLIND_INDEX_KEY": "b" * 48,
        "AUDIT_HMAC_KEY": "a" * 48,
        "BACKUP_ENCRYPTION_KEY": settings.BACKUP_ENCRYPTION_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME'].removeprefix('test_')}"


def test_settings_defaults_are_brazilian_and_celery_is_at_least_once():
    assert settings.LANGUAGE_CODE == "pt-br"
    assert settings.TIME_ZONE == "America/Sao_Paulo"
    assert settings.USE_TZ is True
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_every_beat_entry_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_from_the_redis_broker():
    """Beat's tasks go through Redis to a real worker thread and leave their result where the UI reads it."""
    from celery.contrib.testing.worker import start_worker

    from common.tasks import heartbeat_task, worker_last_seen
    from config.celery import app

    assert worker_last_seen() is None
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        heartbeat_task.delay()
        deadline = time.monotonic() + 180  # a deadline, not a speed: a busy machine starts the worker slowly
        while worker_last_seen() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert worker_last_seen() is not None


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_world_once_and_prints_logins():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="known password"):  # tests run with DEBUG off, like production
        call_command("seed_demo", "--leads", "60", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--leads", "60", "--force", stdout=out)
    counts = (Lead.objects.count(), LeadEvent.objects.count())
    call_command("seed_demo", "--leads", "60", "--force", stdout=StringIO())

    assert (Lead.objects.count(), LeadEvent.objects.count()) == counts
    assert counts[0] == 60
    assert Lead.objects.values("source__kind").distinct().count() == 7  # every source kind
    assert all(LeadEvent.objects.filter(lead=lead).exists() for lead in Lead.objects.all())
    from django.utils import timezone

    # A demo lead's story ends by now: an event dated in the future would sit above everything new on its timeline.
    assert not LeadEvent.objects.filter(occurred_at__gt=timezone.now()).exists()
    printed = out.getvalue()
    for login in ("admin", "supervisor", "consultant1", "integrator"):
        assert login in printed
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(username="supervisor")
    assert supervisor.groups.filter(name=Role.SUPERVISOR).exists()
    assert supervisor.check_password(settings.FLUXO_DEMO_PASSWORD)


@pytest.mark.django_db
def test_supervisor_home_shows_real_counts_per_stage_and_consultant(client, world):
    from leads.services import lead_change_stage

    lead_change_stage(lead=world["leads"]["ana"][0], actor=None, stage=LeadStage.WON)
    client.force_login(world["sup_a"])

    response = client.get(reverse("assignment:supervisor_home"))

    assert response.status_code == 200
    assert response.context["total"] == 5
    assert {column["stage"]: column["count"] for column in response.context["stages"]}["won"] == 1
    rows = {(row["owner"].username if row["owner"] else None): row for row in response.context["by_owner"]}
    assert rows["ana"]["stages"]["won"] == 1
    assert rows["ana"]["total"] == 2
    assert rows[None]["total"] == 1
    client.force_login(world["ana"])
    assert client.get(reverse("assignment:supervisor_home")).status_code == 404


@pytest.mark.django_db
def test_home_sends_each_role_to_its_page(client, world):
    client.force_login(world["sup_a"])
    assert client.get("/").url == reverse("assignment:supervisor_home")
    client.force_login(world["ana"])
    assert client.get("/").url == reverse("leads:list")


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.json() == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readyz_answers_503_until_a_worker_has_reported_recently(client, celery_eager, settings):
    """Issue #22 item 8: readiness beside liveness. No worker has run the heartbeat: not ready (a load balancer
    keeps traffic away), while /healthz stays 200 (nothing to restart). A worker runs it: ready. A worker silent for
    longer than FLUXO_READY_WORKER_SECONDS: not ready again."""
    import time

    from django.core.cache import cache

    from common.tasks import HEARTBEAT_KEY, heartbeat_task

    waiting = client.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json() == {"database": "ok", "redis": "ok", "migrations": "ok", "worker": "silent"}
    assert client.get("/healthz").status_code == 200

    heartbeat_task.delay()  # what a worker does every minute (beat) and at its start
    ready = client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json().values()) == {"ok"}

    cache.set(HEARTBEAT_KEY, time.time() - settings.FLUXO_READY_WORKER_SECONDS - 5, timeout=None)  # went quiet
    assert client.get("/readyz").status_code == 503


@pytest.mark.parametrize("first", ["common.api", "rest_framework.views", "rest_framework.pagination"])
def test_a_fresh_process_imports_the_api_modules_in_any_order(first):
    """A Celery worker's start-up imports DRF's pagination (and so ``common.api``) before ``rest_framework.views``;
    the parser setting must not lead back into a half-imported module (that loop stopped ``make run``)."""
    import subprocess
    import sys

    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        f"import django; django.setup(); import {first}; import common.api, rest_framework.views;"
        "from rest_framework.views import APIView; print(len(APIView.parser_classes))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "3"
