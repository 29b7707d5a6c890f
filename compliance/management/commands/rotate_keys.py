"""Re-encrypt every encrypted column with the newest key in FIELD_ENCRYPTION_KEYS.

Then the old key can be removed from the environment. Safe to re-run; works in batches; prints counts as JSON.
"""

import json

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from compliance.crypto import encrypted_fields, rotate


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the newest FIELD_ENCRYPTION_KEYS key so old keys can be removed."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        report = {}
        for model, field in encrypted_fields():
            # Identifiers come from model metadata, never from input; quote_name makes them SQL identifiers.
            quote = connection.ops.quote_name
            table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
            done, last = 0, None
            while True:
                with transaction.atomic(), connection.cursor() as cursor:
                    where = f"WHERE {column} <> ''" + (f" AND {pk} > %s" if last is not None else "")
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT %s FOR UPDATE",  # noqa: S608
                        [last, batch_size] if last is not None else [batch_size],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    cursor.executemany(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [(rotate(token), row_pk) for row_pk, token in rows],
                    )
                done += len(rows)
                last = rows[-1][0]
            report[f"{model._meta.label}.{field.name}"] = done
        self.stdout.write(json.dumps({"rotated": report}))
