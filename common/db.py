"""Database helpers the ORM lacks."""

from __future__ import annotations

from django.db import connection
from django.db.models import Func, TextField


def rows_update(model, objs: list, fields: list[str], *, synchronous: bool = True) -> None:
    """Save ``fields`` of many rows with one prepared UPDATE executed per row (psycopg pipelines ``executemany``):
    Django's ``bulk_update`` builds a CASE per field and row, which costs more than the writes themselves.
    ``synchronous=False`` lets the enclosing transaction commit without waiting for the WAL flush; use it only
    for writes whose loss in a database crash is recovered elsewhere. Must run inside a transaction."""
    if not objs:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    # only quoted identifiers from the model's own metadata; every value is a parameter
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        if not synchronous:
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.executemany(sql, params)


def rows_upsert(
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    *,
    conflict: str | tuple[str, ...],
    update: tuple[str, ...] = (),
):
    """Insert or update many rows at COPY speed: COPY into a temporary table shaped like ``table``, then one
    ``INSERT … ON CONFLICT (conflict) DO UPDATE`` (``DO NOTHING`` when ``update`` is empty: rows already there are
    kept). ``table`` and column names come from code, never from input. Must run inside a transaction (the
    temporary table is dropped at commit)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    staging = quote(f"_upsert_{table}")
    target = ", ".join(quote(c) for c in ((conflict,) if isinstance(conflict, str) else conflict))
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in update)
    action = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {cols} FROM {quote(table)} WITH NO DATA"  # noqa: S608
        )
        with cursor.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM {staging} ON CONFLICT ({target}) {action}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {staging}")


def rows_copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Append many rows with COPY (no conflicts expected)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class Fold(Func):
    """``fluxo_fold(text)`` in SQL: lower-case without accents, like ``common.text.fold`` in Python. The function is
    IMMUTABLE (a wrapper around ``unaccent`` with its dictionary named; created by leads migration 0011), so
    expression indexes can use it: search with ``Fold("full_name")`` against ``common.text.fold(typed)``."""

    function = "fluxo_fold"
    output_field = TextField()
