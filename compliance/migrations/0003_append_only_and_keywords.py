"""The audit log and the consent ledger are append-only in PostgreSQL; default opt-out keywords."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION compliance_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER compliance_auditentry_append_only BEFORE UPDATE OR DELETE ON compliance_auditentry
    FOR EACH ROW EXECUTE FUNCTION compliance_append_only();
CREATE TRIGGER compliance_consentrecord_append_only BEFORE UPDATE OR DELETE ON compliance_consentrecord
    FOR EACH ROW EXECUTE FUNCTION compliance_append_only();
"""
UNTRIGGER = """
DROP TRIGGER IF EXISTS compliance_auditentry_append_only ON compliance_auditentry;
DROP TRIGGER IF EXISTS compliance_consentrecord_append_only ON compliance_consentrecord;
DROP FUNCTION IF EXISTS compliance_append_only();
"""

WHOLE = [
    "sair", "parar", "pare", "stop", "cancelar", "descadastrar", "remover", "unsubscribe", "basta", "chega",
    "não quero mais", "não tenho interesse", "não me chame mais",
]
PHRASES = [
    "não quero mais receber", "não quero mais mensagens", "não quero mais contato", "sair da lista", "me tire da lista", "me tira da lista",
    "me remova", "parar de receber", "pare de mandar", "pare de me mandar", "não me mande mais",
    "não me envie mais", "descadastrar", "cancelar inscrição", "quero sair", "não tenho interesse, pare",
    "não entre mais em contato", "nao entre mais em contato", "para de mandar mensagem",
]


def keywords(apps, schema_editor):
    keyword = apps.get_model("compliance", "OptOutKeyword")
    for phrase in WHOLE:
        keyword.objects.get_or_create(phrase=phrase, defaults={"match": "whole"})
    for phrase in PHRASES:
        keyword.objects.get_or_create(phrase=phrase, defaults={"match": "phrase"})


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_ledgers")]
    operations = [
        migrations.RunSQL(TRIGGER, UNTRIGGER),
        migrations.RunPython(keywords, migrations.RunPython.noop),
    ]
