"""Database helpers the ORM lacks."""

from __future__ import annotations

from django.db import connection


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
