"""The timeline stays append-only, with one controlled exception: LGPD erasure (subject-rights anonymization or
deletion, retention), which sets ``fluxo.erasure = 'on'`` for its own transaction only (SET LOCAL)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION leads_leadevent_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('fluxo.erasure', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'leads_leadevent is append-only: % is not allowed (record a correction event instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION leads_leadevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'leads_leadevent is append-only: % is not allowed (record a correction event instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_encrypt_document")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
