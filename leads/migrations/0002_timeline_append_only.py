"""The timeline is append-only: PostgreSQL refuses UPDATE and DELETE on leads_leadevent.

Corrections are new events (kind "correction"). TRUNCATE is not a row operation and stays possible for
test-database resets; the LGPD erasure path (compliance issue) anonymises leads, never rewrites events.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION leads_leadevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'leads_leadevent is append-only: % is not allowed (record a correction event instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER leads_leadevent_no_update_delete
    BEFORE UPDATE OR DELETE ON leads_leadevent
    FOR EACH ROW EXECUTE FUNCTION leads_leadevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS leads_leadevent_no_update_delete ON leads_leadevent;
DROP FUNCTION IF EXISTS leads_leadevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
