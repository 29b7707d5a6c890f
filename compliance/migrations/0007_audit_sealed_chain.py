"""The audit log is appended without a lock and sealed into its hash chain after commit (issue #19, break 7).

New columns: ``content_hash`` (written with the entry) and the seal (``seal_seq``, ``prev_id``, ``prev_hash``, ``hash``,
``sealed_at``, written once by the sealer). The append-only trigger now lets the sealer — and only a transaction that
says so, for entries not yet sealed, without touching their content — write the seal. Entries written before this
migration were chained at write: their old chain is verified, they are re-sealed in id order in the new form, and
one ``audit.chain_migrated`` entry records what the verification found (so tampering before the migration is not
laundered by it).
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GUARD = """
CREATE OR REPLACE FUNCTION compliance_auditentry_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND current_setting('fluxo.audit_sealer', true) = 'on'
        AND OLD.seal_seq IS NULL AND OLD.hash IS NULL AND OLD.prev_id IS NULL
        AND NEW.seal_seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_id IS NOT NULL
        AND (NEW.id, NEW.occurred_at, NEW.actor_id, NEW.actor_label, NEW.category, NEW.action, NEW.object_type,
             NEW.object_id, NEW.ip_address, NEW.details, NEW.content_hash)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.occurred_at, OLD.actor_id, OLD.actor_label, OLD.category, OLD.action, OLD.object_type,
             OLD.object_id, OLD.ip_address, OLD.details, OLD.content_hash)
    THEN
        RETURN NEW;  -- the sealer writing the seal of an unsealed entry, once
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS compliance_auditentry_append_only ON compliance_auditentry;
CREATE TRIGGER compliance_auditentry_append_only BEFORE UPDATE OR DELETE ON compliance_auditentry
    FOR EACH ROW EXECUTE FUNCTION compliance_auditentry_guard();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS compliance_auditentry_append_only ON compliance_auditentry;
CREATE TRIGGER compliance_auditentry_append_only BEFORE UPDATE OR DELETE ON compliance_auditentry
    FOR EACH ROW EXECUTE FUNCTION compliance_append_only();
DROP FUNCTION IF EXISTS compliance_auditentry_guard();
"""


def _legacy_hash(entry) -> str:
    """The hash entries carried before this migration: HMAC(content + previous hash)."""
    content = json.dumps(
        [
            entry.occurred_at.isoformat(),
            entry.actor_id,
            entry.actor_label,
            entry.category,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.ip_address,
            entry.details,
            entry.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def reseal_legacy_entries(apps, schema_editor):
    from compliance.services.audit import CONTENT_FIELDS, GENESIS, _content_hmac, chain_hash

    entry_model = apps.get_model("compliance", "AuditEntry")
    if not entry_model.objects.exists():
        return
    now = timezone.now()
    legacy_prev, broken, problem = GENESIS, None, ""
    prev_id, prev_hash, seq, batch = 0, GENESIS, 0, []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditentry DISABLE TRIGGER compliance_auditentry_append_only")
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        if broken is None:
            if entry.prev_hash != legacy_prev:
                broken, problem = entry.pk, "link broken: an entry before it was deleted or inserted"
            elif not hmac.compare_digest(entry.hash or "", _legacy_hash(entry)):
                broken, problem = entry.pk, "content does not match its hash: the entry was edited"
        legacy_prev = entry.hash
        seq += 1
        entry.content_hash = _content_hmac({name: getattr(entry, name) for name in CONTENT_FIELDS})
        entry.seal_seq, entry.prev_id, entry.prev_hash, entry.sealed_at = seq, prev_id, prev_hash, now
        entry.hash = chain_hash(
            entry_id=entry.pk, seal_seq=seq, prev_id=prev_id, prev_hash=prev_hash, content_hash=entry.content_hash
        )
        prev_id, prev_hash = entry.pk, entry.hash
        batch.append(entry)
        if len(batch) >= 1000:
            entry_model.objects.bulk_update(batch, ["content_hash", "seal_seq", "prev_id", "prev_hash", "hash", "sealed_at"])
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, ["content_hash", "seal_seq", "prev_id", "prev_hash", "hash", "sealed_at"])
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditentry ENABLE TRIGGER compliance_auditentry_append_only")
    note = entry_model(
        category="system",
        action="audit.chain_migrated",
        details={"legacy_entries": seq, "legacy_chain_ok": broken is None, "legacy_broken_id": broken, "legacy_problem": problem},
    )
    note.content_hash = _content_hmac({name: getattr(note, name) for name in CONTENT_FIELDS})
    note.save(force_insert=True)


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0006_default_consent_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='content_hash',
            field=models.CharField(db_default='', max_length=64, verbose_name='content hash'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='previous entry'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seal_seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name='place in the chain'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='sealed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sealed at'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name='hash'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='previous hash'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('seal_seq__isnull', True)), fields=['id'], name='audit_unsealed'),
        ),
        migrations.RunSQL(GUARD, UNGUARD),
        migrations.RunPython(reseal_legacy_entries, migrations.RunPython.noop),
    ]
