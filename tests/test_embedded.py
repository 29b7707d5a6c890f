"""The embedded PostgreSQL and Redis a newcomer gets when DATABASE_URL / REDIS_URL are unset (issue #22 item 6):
settings only name their addresses; the entry points (manage.py here) start them."""

import os
import socket
import subprocess
import sys

import psycopg
import pytest
import redis
from django.conf import settings

from config import embedded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _bare_machine(data_dir) -> dict:
    """A machine with nothing configured: no URLs (empty beats a developer's .env, which never overrides), embedded
    servers allowed, their own data folder and free ports."""
    return {
        **os.environ,
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "FLUXO_EMBEDDED": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FLUXO_DATA_DIR": str(data_dir),
        "FLUXO_EMBEDDED_PG_PORT": str(_free_port()),
        "FLUXO_EMBEDDED_REDIS_PORT": str(_free_port()),
    }


def _python(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,  # a guard against a hung child (initdb on a busy machine), not a speed assertion
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def test_importing_settings_starts_no_server(tmp_path):
    """Settings (and django.setup(), and the Celery app) read the environment and name the embedded servers'
    addresses; they start nothing: no process, no open port, nothing written in the servers' data folder."""
    data = tmp_path / "data"
    env = _bare_machine(data)
    pg_port, redis_port = env["FLUXO_EMBEDDED_PG_PORT"], env["FLUXO_EMBEDDED_REDIS_PORT"]
    code = (
        "import django; django.setup(); from django.conf import settings; import config.celery;"
        "print(settings.DATABASES['default']['PORT'], settings.DATABASES['default']['NAME'], settings.REDIS_URL)"
    )
    out = _python("-c", code, env=env).split()
    assert out == [pg_port, "fluxo", f"redis://127.0.0.1:{redis_port}/0"]
    assert not _listening(int(pg_port)) and not _listening(int(redis_port))
    assert not data.exists()  # no lock, no PostgreSQL data directory or pid file, no Redis pid file


def test_a_management_command_starts_the_servers_settings_name_and_stop_stops_them(tmp_path):
    env = _bare_machine(tmp_path / "data")
    pg_port, redis_port = env["FLUXO_EMBEDDED_PG_PORT"], env["FLUXO_EMBEDDED_REDIS_PORT"]
    code = (
        "from django.db import connection; from django.core.cache import cache; cache.set('probe', 'up');"
        "print(connection.pg_version, cache.get('probe'))"
    )
    try:
        version, probe = _python("manage.py", "shell", "-c", code, env=env).split()[-2:]
        assert int(version) >= 180000 and probe == "up"  # PostgreSQL 18 and Redis, started by manage.py
        urls = dict(line.split("=", 1) for line in _python("-m", "config.embedded", "start", env=env).split())
        assert urls == {  # already running: start is idempotent and names the same servers
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/fluxo",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
        with psycopg.connect(urls["DATABASE_URL"]) as conn:
            assert conn.execute("SHOW server_version_num").fetchone()[0] >= "180000"
        assert redis.Redis.from_url(urls["REDIS_URL"]).get("fluxo:1:probe") is not None
    finally:
        _python("-m", "config.embedded", "stop", env=env)
    status = _python("-m", "config.embedded", "status", env=env)
    assert f"postgres 127.0.0.1:{pg_port} down" in status
    assert f"redis 127.0.0.1:{redis_port} down" in status


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, {"postgres": True, "redis": True}),
        ({"DATABASE_URL": "postgres://db/fluxo"}, {"postgres": False, "redis": True}),
        ({"REDIS_URL": "redis://cache:6379/0"}, {"postgres": True, "redis": False}),
        (
            {"DATABASE_URL": "postgres://db/fluxo", "REDIS_URL": "redis://cache:6379/0"},
            {"postgres": False, "redis": False},
        ),
        ({"FLUXO_EMBEDDED": "false"}, {"postgres": False, "redis": False}),
    ],
)
def test_entry_points_start_only_the_servers_whose_url_is_unset(monkeypatch, variables, expected):
    for name in ("DATABASE_URL", "REDIS_URL", "FLUXO_EMBEDDED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert embedded.wanted() == expected
