"""The embedded PostgreSQL and Redis a newcomer gets when DATABASE_URL / REDIS_URL are unset."""

import os
import socket
import subprocess
import sys

import psycopg
import redis
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_embedded_servers_start_serve_and_stop_from_their_own_data_dir(tmp_path):
    pg_port, redis_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "FLUXO_DATA_DIR": str(tmp_path / "data"),
        "FLUXO_EMBEDDED_PG_PORT": str(pg_port),
        "FLUXO_EMBEDDED_REDIS_PORT": str(redis_port),
    }

    def embedded(command: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "config.embedded", command],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    try:
        urls = dict(line.split("=", 1) for line in embedded("start").split())
        assert urls["DATABASE_URL"] == f"postgres://postgres@127.0.0.1:{pg_port}/fluxo"
        with psycopg.connect(urls["DATABASE_URL"]) as conn:
            assert conn.execute("SHOW server_version_num").fetchone()[0] >= "180000"
        assert redis.Redis.from_url(urls["REDIS_URL"]).ping()
        assert embedded("start").split() == [f"{k}={v}" for k, v in urls.items()]  # idempotent
    finally:
        embedded("stop")
    assert f"postgres 127.0.0.1:{pg_port} down" in embedded("status")
    assert f"redis 127.0.0.1:{redis_port} down" in embedded("status")
