"""On PostgreSQL, trigram indexes let the register's word search (`icontains`, i.e. UPPER(col) LIKE '%word%')
use an index instead of reading every asset: an LA's 300,000. SQLite has no such index and needs none at a
school's size. Without the right to create the pg_trgm extension the search still works, only slower."""

from django.db import migrations, transaction

COLUMNS = ("tag", "serial", "make", "model")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: keep the plain (slower) search
        return
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "assets_asset_{column}_trgm" ON "assets_asset" '
            f'USING gin ((UPPER(("{column}")::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "assets_asset_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_list_indexes")]
    operations = [migrations.RunPython(create, drop)]
