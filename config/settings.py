"""Fluxo settings: everything that differs between machines comes from the environment.

The documented list of variables is in README.md ("Configuration"). With nothing set, Fluxo runs in
development mode (DEBUG on) against an embedded PostgreSQL and Redis under ``.data/``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)


def _dev_secret(name: str, make) -> str:
    """Production must set ``name``; a development checkout gets one generated once under .data/."""
    value = env(name, default="")
    if value:
        return value
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see README, Configuration).")
    path = BASE_DIR / ".data" / "secrets" / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _random_secret() -> str:
    import secrets

    return secrets.token_urlsafe(48)


SECRET_KEY = _dev_secret("SECRET_KEY", _random_secret)
# Field encryption (MultiFernet, newest key first), blind index and audit-chain keys: see compliance/crypto.py.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in _dev_secret("FIELD_ENCRYPTION_KEYS", _fernet_key).split(",") if k.strip()]
BLIND_INDEX_KEY = _dev_secret("BLIND_INDEX_KEY", _random_secret)
AUDIT_HMAC_KEY = _dev_secret("AUDIT_HMAC_KEY", _random_secret)
BACKUP_ENCRYPTION_KEY = _dev_secret("BACKUP_ENCRYPTION_KEY", _fernet_key)
# Where pg_dump/pg_restore of the server's major version live (default: searched, see compliance/backup.py).
FLUXO_PG_BIN_DIR = env("FLUXO_PG_BIN_DIR", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Services: PostgreSQL and Redis (embedded when unset) -------------------------------------------
_database_url = env("DATABASE_URL", default="")
_redis_url = env("REDIS_URL", default="")
if not (_database_url and _redis_url) and env.bool("FLUXO_EMBEDDED", default=True):
    from config import embedded

    _urls = embedded.ensure_running(postgres=not _database_url, redis=not _redis_url)
    _database_url = _database_url or _urls["DATABASE_URL"]
    _redis_url = _redis_url or _urls["REDIS_URL"]

# Under pytest, Redis DB 15 keeps tests away from a running development stack's cache and queues.
TESTING = "pytest" in sys.modules or env.bool("FLUXO_TESTING", default=False)
if TESTING:
    _redis_url = re.sub(r"/\d*$", "", _redis_url.rstrip("/")) + "/15"
    # Fast hashing for the hundreds of users tests create; production keeps Django's PBKDF2 default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DATABASES = {"default": env.db_url_config(_database_url)}
# Tests start worker and live-server threads: short-lived connections let the test database be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# No JIT compilation: PostgreSQL compiles a query whose estimated cost passes jit_above_cost (a subquery over a
# million leads that is never run, say) and a page waited 30–80 ms for code it did not need. Short OLTP queries are
# Fluxo's load; FLUXO_DB_JIT=true gives it back.
if not env.bool("FLUXO_DB_JIT", default=False):
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
REDIS_URL = _redis_url

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="fluxo"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Applications ----------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Fluxo, in the order of the map (see ARCHITECTURE.md)
    "common",
    "compliance",
    "leads",
    "qualification",
    "assignment",
    "whatsapp",
    "antiban",
    "ai_middleware",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "compliance.twofactor.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "compliance.context.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes must be last: it turns locked-out authentication attempts into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "leads.context_processors.navigation",
            ],
        },
    }
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: English source strings, Brazilian Portuguese by default ----------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="pt-br")
LANGUAGES = [("pt-br", _("Brazilian Portuguese")), ("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
if TESTING:
    MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # uploads and exports made by tests stay out of media/
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production values apply when DEBUG is off) -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Django REST framework and the OpenAPI schema -----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compliance.auth.ScopedTokenAuthentication",
        "compliance.auth.VerifiedSessionAuthentication",  # a 2FA session only after its code step
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "compliance.auth.TokenHasScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    # JSON nested too deep or carrying NUL characters is a 400 naming where (common.jsonbody), never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "common.parsers.NulFreeFormParser",
        "common.parsers.NulFreeMultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fluxo API",
    "DESCRIPTION": "Lead management for WhatsApp-first sales teams. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from local static files (no CDN), its init script served separately for the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadStageEnum": "leads.models.LeadStage",
        "InterestTypeEnum": "leads.models.InterestType",
        "BrazilianStateEnum": "leads.models.BrazilianState",
        "EventKindEnum": "leads.models.EventKind",
        "EventChannelEnum": "leads.models.EventChannel",
        "SourceKindEnum": "leads.models.SourceKind",
        "ContactKindEnum": "leads.models.ContactKind",
        "SubjectRightEnum": "compliance.models.SubjectRight",
        "SubjectRequestStatusEnum": "compliance.models.SubjectRequestStatus",
    },
}

# --- Celery: Redis broker, JSON only, at-least-once delivery -----------------------------------------
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

# --- Qualification: segments ----------------------------------------------------------------------------------------
# A k whose smallest cluster holds less than this share of the leads is no segmentation: an outlier is not a segment.
QUALIFICATION_SEGMENT_MIN_SHARE = env.float("QUALIFICATION_SEGMENT_MIN_SHARE", default=0.05)

# --- Assignment: the roulette and the first-contact SLA -------------------------------------------------------------
ASSIGNMENT_AUTO = env.bool("ASSIGNMENT_AUTO", default=True)  # route new leads with the roulette
ASSIGNMENT_ONLINE_MINUTES = env.int("ASSIGNMENT_ONLINE_MINUTES", default=10)  # seen this recently = online
ASSIGNMENT_REMINDER_SHARE = env.float("ASSIGNMENT_REMINDER_SHARE", default=0.2)  # remind at 80 % of the SLA
ASSIGNMENT_SLA_GRACE_MINUTES = env.int("ASSIGNMENT_SLA_GRACE_MINUTES", default=15)  # then reassign

# --- Pipeline: stages that need a reason, the first message moving a new lead on ------------------------------------
LEADS_STAGES_REQUIRING_REASON = env.list("LEADS_STAGES_REQUIRING_REASON", default=["lost"])  # people say why
ASSIGNMENT_TASK_REMIND_MINUTES = env.int("ASSIGNMENT_TASK_REMIND_MINUTES", default=15)  # notify before due
# The score's recommended action as a task: at most this many open per consultant (the hottest leads first), and
# "get back in touch" only for a lead quiet this many days.
ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER = env.int("ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER", default=20)
ASSIGNMENT_NURTURE_QUIET_DAYS = env.int("ASSIGNMENT_NURTURE_QUIET_DAYS", default=7)
LEADS_FIRST_MESSAGE_CONTACTED = env.bool("LEADS_FIRST_MESSAGE_CONTACTED", default=True)  # new → contacted on send

# --- Logging: structured enough to grep, never personal data ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"pii": {"()": "compliance.logging.PIIRedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["pii"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # request lines carry tokens and proofs
        "httpcore": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # the openai SDK's vendored httpx
        "openai": {"level": "WARNING"},
    },
}

# --- Brute-force lockout (django-axes): login page, admin and API token issuance -------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "compliance.views.lockout_response"
AXES_ENABLE_ADMIN = True
# Lockouts, rate limits and the audit log key on one client address (common.network.client_ip).
AXES_CLIENT_IP_CALLABLE = "common.network.client_ip"
# Reverse proxies whose X-Forwarded-For is believed: IPs / CIDR networks and/or a number of proxy hops.
FLUXO_TRUSTED_PROXIES = env.list("FLUXO_TRUSTED_PROXIES", default=[])

# --- Content Security Policy (django-csp): same-origin only, no inline scripts --------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Audit log ------------------------------------------------------------------------------------------
# Off only to measure what auditing costs (bench/audit_contention.py); nothing is recorded while it is off.
AUDIT_ENABLED = env.bool("AUDIT_ENABLED", default=True)
# audit_verify reports entries still unsealed after this long: the sealer (beat, a worker) is not running.
AUDIT_SEAL_STALE_MINUTES = env.int("AUDIT_SEAL_STALE_MINUTES", default=10)
AUDIT_MODELS = [
    "leads.lead",
    "leads.contactpoint",
    "leads.leadsource",
    "leads.tag",
    "leads.bulkchange",
    # Not assignment.notification: an in-app message, not a change to people's data or to who owns what.
    "assignment.team",
    "assignment.consultantprofile",
    "assignment.absence",
    "assignment.assignment",
    "auth.user",
    "auth.group",
    "compliance.suppressionentry",
    "compliance.apitoken",
    "compliance.optoutkeyword",
    "compliance.consenttext",
]

# --- E-mail (subject-request codes, admin alerts) -------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Fluxo <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

OTP_TOTP_ISSUER = "Fluxo"

# --- Fluxo -------------------------------------------------------------------------------------------
# --- Meta (Facebook/Instagram lead ads, WhatsApp Cloud API) ---------------------------------------------
META_APP_SECRET = env("META_APP_SECRET", default="")  # signs webhooks and Graph calls (appsecret_proof)
META_VERIFY_TOKEN = env("META_VERIFY_TOKEN", default="")  # the webhook subscription handshake
META_GRAPH_URL = env("META_GRAPH_URL", default="https://graph.facebook.com")
META_GRAPH_VERSION = env("META_GRAPH_VERSION", default="v24.0")
META_HTTP_TIMEOUT = env.float("META_HTTP_TIMEOUT", default=10.0)

# --- WhatsApp Cloud API ---------------------------------------------------------------------------------
WHATSAPP_BACKEND = env("WHATSAPP_BACKEND", default="console")  # cloud_api | simulator | console
WHATSAPP_GRAPH_URL = env(
    "WHATSAPP_GRAPH_URL",
    default=f"http://127.0.0.1:{env.int('WHATSAPP_SIMULATOR_PORT', default=8765)}"
    if WHATSAPP_BACKEND == "simulator"
    else META_GRAPH_URL,
)
# The simulator signs its webhooks like Meta: a development checkout gets a generated secret for it.
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", default="") or META_APP_SECRET
if not WHATSAPP_APP_SECRET and WHATSAPP_BACKEND == "simulator" and DEBUG:
    WHATSAPP_APP_SECRET = _dev_secret("WHATSAPP_APP_SECRET", _random_secret)
WHATSAPP_SIMULATOR_PORT = env.int("WHATSAPP_SIMULATOR_PORT", default=8765)
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", default=META_VERIFY_TOKEN)
# A webhook event whose processing fails is parked and tried again after RETRY_S, 2×, 4×… up to MAX_ATTEMPTS times
WHATSAPP_EVENT_MAX_ATTEMPTS = env.int("WHATSAPP_EVENT_MAX_ATTEMPTS", default=5)
WHATSAPP_EVENT_RETRY_S = env.int("WHATSAPP_EVENT_RETRY_S", default=60)
# The trained opt-out classifier is kept here by version (training data, code, scikit-learn), so each worker process
# loads it instead of training it; empty disables the file (each process trains its own).
OPTOUT_MODEL_DIR = env("OPTOUT_MODEL_DIR", default=str(BASE_DIR / ".data" / "models"))
# The marketing template's "stop" quick-reply button: an inbound button whose payload or text is one of these revokes
# the person's WhatsApp marketing consent at once (compared ignoring case and accents).
WHATSAPP_MARKETING_STOP_PAYLOADS = env.list(
    "WHATSAPP_MARKETING_STOP_PAYLOADS", default=["Parar promoções", "Stop promotions", "STOP_PROMOTIONS"]
)
# Outbound fetches of URLs that came from outside (media URLs in Graph answers) refuse private and loopback
# addresses; these origins (scheme://host:port) are trusted as well. The configured Graph URLs (WHATSAPP_GRAPH_URL,
# META_GRAPH_URL: the simulator on loopback in development) are always trusted.
OUTBOUND_TRUSTED_ORIGINS = env.list("OUTBOUND_TRUSTED_ORIGINS", default=[])

# --- Anti-ban ------------------------------------------------------------------------------------------------
FLUXO_BUSINESS_NAME = env("FLUXO_BUSINESS_NAME", default="Fluxo")  # marketing messages must name the business
ANTIBAN_MARKETING_PER_WEEK = env.int("ANTIBAN_MARKETING_PER_WEEK", default=2)
ANTIBAN_CONTACT_HOURS = env.list("ANTIBAN_CONTACT_HOURS", default=["09:00", "20:00"])  # local time
ANTIBAN_CONTACT_DAYS = [int(d) for d in env.list("ANTIBAN_CONTACT_DAYS", default=["0", "1", "2", "3", "4", "5"])]
ANTIBAN_SKIP_HOLIDAYS = env.bool("ANTIBAN_SKIP_HOLIDAYS", default=True)  # Brazil's national holidays
ANTIBAN_PAIR_INTERVAL_S = env.float("ANTIBAN_PAIR_INTERVAL_S", default=6.0)  # same number → same person
ANTIBAN_MAX_ATTEMPTS = env.int("ANTIBAN_MAX_ATTEMPTS", default=5)
ANTIBAN_IDENTICAL_PER_HOUR = env.int("ANTIBAN_IDENTICAL_PER_HOUR", default=20)  # same free text to N people
# Rate: a number's calls are paced by a sliding window in Redis: at most ceil(rate) in any ceil(rate)/rate seconds,
# each counted from Meta's answer (later than Meta received it), so the margin is built in; headroom lowers the rate
# itself (e.g. 0.95 for a number shared with another sending tool).
ANTIBAN_RATE_HEADROOM = env.float("ANTIBAN_RATE_HEADROOM", default=1.0)
# Claims keep each number's backlog (rows claimed, not yet sent) this many seconds of its rate deep: one database
# round trip for many sends, and the number never waits for a claim.
ANTIBAN_DISPATCH_AHEAD_S = env.float("ANTIBAN_DISPATCH_AHEAD_S", default=2.0)
ANTIBAN_SENDING_TIMEOUT_S = env.int("ANTIBAN_SENDING_TIMEOUT_S", default=120)  # then SENDING → UNKNOWN
# An UNKNOWN row whose status webhook never came is failed after this (never sent again; a late webhook still
# reconciles it). Meta reports a send's status within seconds; a day covers its webhook redelivery backlog.
ANTIBAN_UNKNOWN_EXPIRY_S = env.int("ANTIBAN_UNKNOWN_EXPIRY_S", default=86_400)
ANTIBAN_DISPATCHERS = env.int("ANTIBAN_DISPATCHERS", default=4)  # dispatch tasks started per kick
ANTIBAN_BATCHES_IN_FLIGHT = env.int("ANTIBAN_BATCHES_IN_FLIGHT", default=8)  # per dispatcher, being sent
ANTIBAN_DISPATCH_BATCH = env.int("ANTIBAN_DISPATCH_BATCH", default=256)  # rows claimed per transaction
ANTIBAN_DISPATCH_SLICE_S = env.float("ANTIBAN_DISPATCH_SLICE_S", default=20.0)  # then the task hands over
ANTIBAN_DISPATCH_MAX_NAP_S = 1.0  # a dispatcher waits for a free cell up to this, else it stops
# Warm-up: business-initiated messages per day on each day of the ramp; no marketing in the first days
ANTIBAN_WARMUP_NEW_NUMBERS = env.bool("ANTIBAN_WARMUP_NEW_NUMBERS", default=True)
ANTIBAN_WARMUP_PLAN = [
    int(v)
    for v in env.list(
        "ANTIBAN_WARMUP_PLAN", default=["50", "100", "200", "300", "500", "750", "1000", "1500", "2000", "3000"]
    )
]
ANTIBAN_WARMUP_REPLIES_FIRST_DAYS = env.int("ANTIBAN_WARMUP_REPLIES_FIRST_DAYS", default=3)
ANTIBAN_WARMUP_MIN_HEALTH = env.int("ANTIBAN_WARMUP_MIN_HEALTH", default=70)  # to advance one day
# Health: below this a number rests; circuit breaker probes and recovery
ANTIBAN_REST_BELOW = env.int("ANTIBAN_REST_BELOW", default=40)
ANTIBAN_REST_MINUTES = env.int("ANTIBAN_REST_MINUTES", default=60)
ANTIBAN_PROBES = env.int("ANTIBAN_PROBES", default=5)  # successful probes that close the breaker
ANTIBAN_PROBE_INTERVAL_S = env.float("ANTIBAN_PROBE_INTERVAL_S", default=10.0)
ANTIBAN_RECOVERY_HOURS = env.float("ANTIBAN_RECOVERY_HOURS", default=6.0)  # restrictive after a pause or drop
# Bulk sends: audiences at least this large always wait for a supervisor (yellow)
ANTIBAN_BULK_REVIEW_SIZE = env.int("ANTIBAN_BULK_REVIEW_SIZE", default=1000)

# --- AI middleware ---------------------------------------------------------------------------------------------
# The local engine is the default and needs nothing. An OpenAI-compatible provider (OpenAI, Groq, Gemini's
# OpenAI endpoint, Ollama, vLLM) is used when AI_LLM_BASE_URL or AI_LLM_API_KEY is set; AI_FALLBACK_* is tried
# when it fails or times out.
AI_LLM_BASE_URL = env("AI_LLM_BASE_URL", default="")  # empty with a key: api.openai.com
AI_LLM_API_KEY = env("AI_LLM_API_KEY", default="")
AI_LLM_MODEL = env("AI_LLM_MODEL", default="gpt-4o-mini")
AI_LLM_TIMEOUT_S = env.float("AI_LLM_TIMEOUT_S", default=20.0)
AI_FALLBACK_BASE_URL = env("AI_FALLBACK_BASE_URL", default="")
AI_FALLBACK_API_KEY = env("AI_FALLBACK_API_KEY", default="")
AI_FALLBACK_MODEL = env("AI_FALLBACK_MODEL", default="")
AI_ESCALATE_BELOW = env.float("AI_ESCALATE_BELOW", default=0.55)  # local intent confidence that asks the LLM
AI_DAILY_BUDGET_USD = env.float("AI_DAILY_BUDGET_USD", default=2.0)  # LLM spend per day, then local only
AI_BUDGET_ALERT_AT = 0.8  # share of the daily budget that e-mails supervisors
AI_PROVIDER_RPM = env.int("AI_PROVIDER_RPM", default=120)  # calls per minute per provider
AI_CACHE_TTL_S = env.int("AI_CACHE_TTL_S", default=7 * 24 * 3600)  # exact-match response cache
AI_CONTEXT_TOKENS = env.int("AI_CONTEXT_TOKENS", default=600)  # the recent timeline's share of a prompt
AI_AUTO_EXTRACT = env.bool("AI_AUTO_EXTRACT", default=True)  # extract every inbound message

FLUXO_DEMO_PASSWORD = env("FLUXO_DEMO_PASSWORD", default="fluxo-demo-2026")
FLUXO_STALE_LEAD_DAYS = env.int("FLUXO_STALE_LEAD_DAYS", default=7)
# /readyz answers 503 while no Celery worker reported within this many seconds (beat: a heartbeat every minute).
FLUXO_READY_WORKER_SECONDS = env.int("FLUXO_READY_WORKER_SECONDS", default=150)
# Lists count matching rows only up to this many ("more than 10.000 leads"): no COUNT(*) over a million-lead base.
FLUXO_LIST_COUNT_CAP = env.int("FLUXO_LIST_COUNT_CAP", default=10_000)
# ... and spend at most this long counting them; past it the list shows PostgreSQL's estimate ("cerca de N leads").
FLUXO_LIST_COUNT_BUDGET_MS = env.int("FLUXO_LIST_COUNT_BUDGET_MS", default=40)
FLUXO_IMPORT_MAX_ROWS = env.int("FLUXO_IMPORT_MAX_ROWS", default=1_000_000)
FLUXO_IMPORT_CHUNK_ROWS = env.int("FLUXO_IMPORT_CHUNK_ROWS", default=5000)
FLUXO_IMPORT_WORKERS = env.int("FLUXO_IMPORT_WORKERS", default=0)  # normalizing processes (0: one thread)
