"""Search over a million leads, accent- and case-insensitive: the unaccent extension and an IMMUTABLE
``fluxo_fold(text)`` wrapper (``unaccent(text)`` alone is only STABLE: it looks its dictionary up by search_path),
a stored ``search_text`` (name and city folded once at write time) with a trigram index, a reversed-phone index for
"the last digits" searches, and covering indexes (the visibility rule's columns INCLUDEd) for list pages and capped
counts. Indexes are built CONCURRENTLY; adding ``search_text`` rewrites the table once."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently, UnaccentExtension
from django.db import migrations, models

import common.db

FOLD_SQL = """
CREATE OR REPLACE FUNCTION fluxo_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assignment", "0003_consultant_debt_index"),
        ("leads", "0010_facebook_lead_ads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(FOLD_SQL, reverse_sql="DROP FUNCTION IF EXISTS fluxo_fold(text)"),
        RemoveIndexConcurrently(
            model_name="lead",
            name="lead_stage_created",
        ),
        RemoveIndexConcurrently(
            model_name="lead",
            name="lead_owner_stage_created",
        ),
        RemoveIndexConcurrently(
            model_name="lead",
            name="lead_full_name_trgm",
        ),
        migrations.AddField(
            model_name="lead",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=common.db.Fold(
                    django.db.models.functions.text.Concat("full_name", models.Value(" "), "city")
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        AddIndexConcurrently(
            model_name="contactpoint",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Reverse("value"), name="text_pattern_ops"
                ),
                condition=models.Q(("kind", "phone")),
                name="contact_phone_reversed",
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(
                fields=["owner", "stage", "-created_at"], include=("merged_into",), name="lead_owner_stage_created"
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(
                fields=["stage", "-created_at", "-id"],
                include=("owner", "team", "merged_into"),
                name="lead_stage_created",
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="lead_search_text_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(common.db.Fold("city"), name="lead_city_fold"),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(
                fields=["owner", "-created_at", "-id"],
                include=("team", "stage", "merged_into"),
                name="lead_owner_created_cover",
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(
                fields=["-created_at", "-id"],
                include=("owner", "team", "stage", "merged_into"),
                name="lead_created_cover",
            ),
        ),
    ]
