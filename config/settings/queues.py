"""Celery: Redis broker, JSON only, at-least-once delivery; the queues, the beat schedule, and the readiness probe's
patience with a silent worker."""

from __future__ import annotations

from celery.schedules import crontab

from config.settings.base import BASE_DIR, TIME_ZONE, env
from config.settings.cache import REDIS_URL

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# A task that is acked late must not be redelivered while it is still running: keep the visibility
# timeout well above the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# LLM calls have their own queue, so a slow provider never holds the WhatsApp pipeline's workers. Inbound WhatsApp
# processing has its own queue and worker (Procfile ``inbound``, docker-compose ``inbound-worker``): a message from a
# lead reaches the lead page within seconds even while scoring, AI backfill or an import fills the default queue.
CELERY_TASK_ROUTES = {"ai_middleware.*": {"queue": "ai"}, "whatsapp.webhook_events_drain": {"queue": "inbound"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "common.heartbeat": {"task": "common.heartbeat", "schedule": 60.0},
    "compliance.retention_apply": {"task": "compliance.retention_apply", "schedule": crontab(hour=3, minute=17)},
    # Entries are sealed on commit (kicked); this catches any kick lost with a broker hiccup.
    "compliance.audit_seal": {"task": "compliance.audit_seal", "schedule": 60.0},
    "compliance.subject_requests_deadline_alert": {
        "task": "compliance.subject_requests_deadline_alert",
        "schedule": crontab(hour="8-18", minute=5),
    },
    "antiban.outbox_sweep": {"task": "antiban.outbox_sweep", "schedule": env.float("ANTIBAN_SWEEP_S", default=10.0)},
    "antiban.numbers_health_refresh": {"task": "antiban.numbers_health_refresh", "schedule": 60.0},
    "antiban.warmup_advance": {"task": "antiban.warmup_advance", "schedule": crontab(hour=0, minute=5)},
    "whatsapp.webhook_events_drain": {"task": "whatsapp.webhook_events_drain", "schedule": 60.0},
    "whatsapp.templates_sync_all": {"task": "whatsapp.templates_sync_all", "schedule": crontab(minute=40)},
    "leads.facebook_leads_sweep": {"task": "leads.facebook_leads_sweep", "schedule": crontab(minute="*/15")},
    "ai_middleware.budget_check": {"task": "ai_middleware.budget_check", "schedule": 300.0},
    "qualification.rescore_open": {"task": "qualification.rescore_open", "schedule": crontab(minute=23)},
    "qualification.score_pending": {"task": "qualification.score_pending", "schedule": 60.0},
    "assignment.sla_watch": {"task": "assignment.sla_watch", "schedule": 60.0},
    "assignment.tasks_remind_due": {"task": "assignment.tasks_remind_due", "schedule": 60.0},
    "assignment.unassigned_sweep": {"task": "assignment.unassigned_sweep", "schedule": 60.0},
    "assignment.counters_reconcile": {"task": "assignment.counters_reconcile", "schedule": crontab(minute="*/10")},
    # The supervisor home's and the board's counts are sums of rows triggers append; this folds them.
    "leads.lead_counts_compact": {"task": "leads.lead_counts_compact", "schedule": 60.0},
}
# /readyz answers 503 while no Celery worker reported within this many seconds (beat: a heartbeat every minute).
FLUXO_READY_WORKER_SECONDS = env.int("FLUXO_READY_WORKER_SECONDS", default=150)
