"""Spreadsheet imports: how large a file may be, how many rows a committed chunk holds, who normalizes them."""

from __future__ import annotations

from config.settings.base import env

FLUXO_IMPORT_MAX_ROWS = env.int("FLUXO_IMPORT_MAX_ROWS", default=1_000_000)
FLUXO_IMPORT_CHUNK_ROWS = env.int("FLUXO_IMPORT_CHUNK_ROWS", default=5000)
FLUXO_IMPORT_WORKERS = env.int("FLUXO_IMPORT_WORKERS", default=0)  # normalizing processes (0: one thread)
