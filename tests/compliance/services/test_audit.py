"""The audit log's chain: concurrent writers, append-only, tampering detected by audit_verify."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import IntegrityError, InternalError

from compliance.models import AuditCategory, AuditEntry
from compliance.services.audit import audit_chain_verify, audit_record, audit_seal

pytestmark = pytest.mark.django_db


def _chain(n=5):
    """``n`` entries, sealed into the chain as the sealer does after commit (entries are no longer chained at
    write: the on-commit kick and beat seal them)."""
    entries = [audit_record(action=f"test.{i}", category=AuditCategory.SYSTEM, details={"i": i}) for i in range(n)]
    audit_seal()
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("id"))


def _tamper(sql: str, params) -> None:
    """A DBA-level attacker: disables the append-only trigger, edits, re-enables."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditentry DISABLE TRIGGER compliance_auditentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE compliance_auditentry ENABLE TRIGGER compliance_auditentry_append_only")


def test_an_intact_chain_verifies():
    _chain()
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEntry.objects.count()


def test_the_log_refuses_update_and_delete():
    entry = _chain(1)[0]
    with pytest.raises((IntegrityError, InternalError), match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises((IntegrityError, InternalError), match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_rollbacks_keep_one_unbroken_chain():
    """Appends from many connections at once, some two to a transaction, some rolled back: one chain, no fork."""
    import threading

    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(12):
                try:
                    with transaction.atomic():
                        audit_record(action=f"test.{n}.{i}", category=AuditCategory.SYSTEM)
                        if i % 3 == 0:
                            audit_record(action=f"test.{n}.{i}.b", category=AuditCategory.SYSTEM)
                        if i % 4 == 1:
                            raise RuntimeError("rolled back")
                except RuntimeError:
                    pass
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    writing = threading.Event()
    writing.set()

    def sealer() -> None:  # as the on-commit kick and beat do, while the writers write
        try:
            while writing.is_set():
                audit_seal()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    sealing = threading.Thread(target=sealer)
    sealing.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writing.clear()
    sealing.join()
    audit_seal()  # what committed after the sealer's last pass
    assert not errors
    assert AuditEntry.objects.filter(action__startswith="test.").count() == 6 * (12 - 3 + 3)  # 9 kept + 3 extra
    report = audit_chain_verify()
    assert report.ok, report.problem
    assert (report.sealed, report.unsealed) == (report.checked, 0)
    assert report.gap_ids > 0  # the rolled-back entries' ids: gaps, not breaks
    prev = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(prev) == len(set(prev))  # no two entries claim the same predecessor


def test_audit_verify_detects_a_deleted_entry():
    entries = _chain()
    _tamper("DELETE FROM compliance_auditentry WHERE id = %s", [entries[1].pk])
    report = audit_chain_verify()
    assert (report.ok, report.broken_id) == (False, entries[2].pk)
    assert "deleted or inserted" in report.problem


def test_audit_verify_detects_an_inserted_entry():
    entries = _chain(3)
    _tamper(
        "INSERT INTO compliance_auditentry (occurred_at, category, action, object_type, object_id, details,"
        " prev_hash, hash, actor_label) VALUES (now(), 'system', 'forged', '', '', '{}', %s, %s, 'x')",
        [entries[-1].hash, "f" * 64],
    )
    report = audit_chain_verify()
    assert report.ok is False
    assert report.broken_id == AuditEntry.objects.order_by("-id").first().pk


def test_audit_verify_names_an_edited_entry_and_exits_non_zero():
    entries = _chain()
    _tamper("UPDATE compliance_auditentry SET details = '{\"i\": 99}' WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError, match=f"#{entries[2].pk}.*edited"):
        call_command("audit_verify", stdout=StringIO())
