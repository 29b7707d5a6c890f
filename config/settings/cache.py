"""Redis: the cache and the sessions (and, through REDIS_URL, Celery's broker: see queues.py).

With REDIS_URL unset (and FLUXO_EMBEDDED not false) Redis is the embedded one: this module only computes its
address; the entry points start it (config/embedded.py says which)."""

from __future__ import annotations

import re

from config import embedded
from config.settings.base import TESTING, env

REDIS_URL = env("REDIS_URL", default="")
if embedded.wanted()["redis"]:
    REDIS_URL = embedded.redis_url()
# Under pytest, Redis DB 15 keeps tests away from a running development stack's cache and queues.
if TESTING:
    REDIS_URL = re.sub(r"/\d*$", "", REDIS_URL.rstrip("/")) + "/15"

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="fluxo"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
