from django.db import migrations


def backfill(apps, schema_editor):
    from leads.normalization import name_key

    lead = apps.get_model("leads", "Lead")
    batch = []
    for pk, full_name in lead.objects.filter(name_key="").values_list("pk", "full_name").iterator(chunk_size=5000):
        batch.append(lead(pk=pk, name_key=name_key(full_name)))
        if len(batch) >= 5000:
            lead.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        lead.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_ingestion")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
