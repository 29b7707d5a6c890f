"""Backup, then restore into a scratch database: same tables, same row counts, same contents."""

import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from compliance.backup import database_url
from leads.services import lead_add_note, lead_create
from tests.factories import LeadSourceFactory

TABLES = ["leads_lead", "leads_contactpoint", "leads_leadevent", "compliance_auditentry", "auth_user"]


def _fingerprint(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"  # noqa: S608
            ).fetchone()
            for table in TABLES
        }


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_scratch_database_with_identical_rows(tmp_path):
    source = LeadSourceFactory()
    for i in range(5):
        lead = lead_create(
            actor=None, source=source, full_name=f"Pessoa {i}", phones=[f"1198888000{i}"], document="52998224725"
        )
        lead_add_note(lead=lead, actor=None, text=f"nota {i}")
    file = tmp_path / "fluxo.bak"
    call_command("backup", "--output", str(file), stdout=StringIO())
    assert b"52998224725" not in file.read_bytes() and b"Pessoa" not in file.read_bytes()  # encrypted

    scratch = f"scratch_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        with pytest.raises(CommandError, match="--yes"):
            call_command("restore", str(file), "--database-url", database_url(name=scratch), stdout=StringIO())
        call_command("restore", str(file), "--database-url", database_url(name=scratch), "--yes", stdout=StringIO())
        original, restored = _fingerprint(database_url()), _fingerprint(database_url(name=scratch))
        assert restored == original
        assert original["leads_lead"][0] == 5
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_a_tampered_backup_is_refused(tmp_path, settings):
    from compliance.backup import MAGIC, BackupError, backup_restore

    bad = tmp_path / "bad.bak"
    bad.write_bytes(MAGIC + b"\x00\x00\x00\x05abcde")
    with pytest.raises(BackupError, match="decrypt"):
        backup_restore(bad, url="postgresql://unused/none")
    (tmp_path / "not.bak").write_bytes(b"hello")
    with pytest.raises(BackupError, match="not a Fluxo backup"):
        backup_restore(tmp_path / "not.bak", url="postgresql://unused/none")


def test_the_client_programs_are_looked_for_where_settings_say(settings, tmp_path):
    """Debian's folder of the server's major, then the embedded wheel's (settings name it: compliance never imports
    config), then PATH; FLUXO_PG_BIN_DIR alone when it is set; no wheel folder where the wheel is not installed."""
    from compliance.backup import _search_dirs

    settings.FLUXO_PG_BIN_DIR = ""
    settings.FLUXO_PG_WHEEL_BIN_DIR = str(tmp_path / "wheel" / "bin")
    assert _search_dirs(15)[:2] == [Path("/usr/lib/postgresql/15/bin"), tmp_path / "wheel" / "bin"]
    settings.FLUXO_PG_WHEEL_BIN_DIR = ""
    assert tmp_path / "wheel" / "bin" not in _search_dirs(15)
    settings.FLUXO_PG_BIN_DIR = str(tmp_path / "mine")
    assert _search_dirs(15) == [tmp_path / "mine"]
