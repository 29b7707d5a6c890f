"""Accent- and case-insensitive search: the unaccent extension, an IMMUTABLE ``fluxo_fold(text)`` wrapper that
expression indexes accept (``unaccent(text)`` alone is only STABLE: it looks its dictionary up by search_path), trigram
indexes on the folded name and city, and a reversed-phone index for "the last digits" searches. Indexes are built
CONCURRENTLY: a base of a million leads keeps taking writes while they build."""

import common.db
import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently, UnaccentExtension
from django.db import migrations, models

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
            name="lead_full_name_trgm",
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
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(common.db.Fold("full_name"), name="gin_trgm_ops"),
                name="lead_full_name_fold_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(common.db.Fold("city"), name="gin_trgm_ops"),
                name="lead_city_fold_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(common.db.Fold("city"), name="lead_city_fold"),
        ),
    ]
