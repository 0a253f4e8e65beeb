"""schooldesk_unaccent names the unaccent extension's schema: pg_dump's restore runs with an empty search_path (as
PostgreSQL advises since CVE-2018-1058), where an unqualified `unaccent(...)` is not found, so pg_restore failed at
the search index and a PostgreSQL backup could not be restored. Same function, same results: the index stands."""

from django.db import migrations

BODY = "SELECT {schema}unaccent('{schema}unaccent'::regdictionary, $1)"
FUNCTION = """CREATE OR REPLACE FUNCTION schooldesk_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$"""


def replace(qualified: bool):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema = ""
        if qualified:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'unaccent'"
                )
                schema = schema_editor.quote_name(cursor.fetchone()[0]) + "."
        schema_editor.execute(FUNCTION.format(body=BODY.format(schema=schema)))

    return apply


class Migration(migrations.Migration):
    dependencies = [("incidents", "0007_search_index_word_forms")]

    operations = [migrations.RunPython(replace(qualified=True), replace(qualified=False))]
