"""Upgrading an installation whose audit log was chained at write (before issue #19, break 7): ``manage.py migrate``
re-seals the old entries in the new form, and what it found in the old chain is itself recorded, so tampering from
before the upgrade is not laundered by it."""

import importlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from compliance.models import AuditEntry
from compliance.services.audit import GENESIS, audit_chain_verify

migration = importlib.import_module("compliance.migrations.0007_audit_sealed_chain")


class _Legacy:
    def __init__(self, n: int, prev_hash: str):
        self.occurred_at = timezone.now()
        self.actor_id, self.actor_label, self.category = None, "sistema", "system"
        self.action, self.object_type, self.object_id = f"legacy.{n}", "leads.lead", str(n)
        self.ip_address, self.details, self.prev_hash = None, {"n": n, "nome": "José"}, prev_hash


def _legacy_log(count: int, *, edit: int | None = None) -> list[int]:
    """``count`` entries as the old writer made them (hash = HMAC(content + previous hash)); ``edit``: the index of
    one whose action was rewritten afterwards."""
    ids, prev = [], GENESIS
    with connection.cursor() as cursor:
        for n in range(count):
            entry = _Legacy(n, prev)
            digest = migration._legacy_hash(entry)
            action = "forged" if n == edit else entry.action
            cursor.execute(
                "INSERT INTO compliance_auditentry (occurred_at, actor_id, actor_label, category, action, object_type,"
                " object_id, ip_address, details, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " RETURNING id",
                [
                    entry.occurred_at,
                    entry.actor_id,
                    entry.actor_label,
                    entry.category,
                    action,
                    entry.object_type,
                    entry.object_id,
                    entry.ip_address,
                    json.dumps(entry.details),
                    prev,
                    digest,
                ],
            )
            ids.append(cursor.fetchone()[0])
            prev = digest
    return ids


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", [None, 2])
def test_migrate_reseals_the_old_chain_and_records_what_it_found(edit):
    call_command("migrate", "compliance", "0006", verbosity=0, stdout=StringIO())
    try:
        ids = _legacy_log(5, edit=edit)
    finally:
        call_command("migrate", "compliance", verbosity=0, stdout=StringIO())

    note = AuditEntry.objects.get(action="audit.chain_migrated")
    assert note.details == {
        "legacy_entries": 5,
        "legacy_chain_ok": edit is None,
        "legacy_broken_id": None if edit is None else ids[edit],
        "legacy_problem": "" if edit is None else "content does not match its hash: the entry was edited",
    }
    assert list(AuditEntry.objects.filter(pk__in=ids).order_by("seal_seq").values_list("id", flat=True)) == ids
    call_command("audit_seal", stdout=StringIO())
    report = audit_chain_verify()
    assert (report.ok, report.sealed, report.unsealed) == (True, 6, 0)
