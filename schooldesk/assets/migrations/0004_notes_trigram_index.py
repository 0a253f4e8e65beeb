"""The word search also looks in the notes: without an index there, PostgreSQL reads every asset (see 0003)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "assets_asset_notes_trgm" ON "assets_asset" '
        'USING gin ((UPPER(("notes")::text)) gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "assets_asset_notes_trgm"')


class Migration(migrations.Migration):
    dependencies = [("assets", "0003_search_trigram_indexes")]
    operations = [migrations.RunPython(create, drop)]
