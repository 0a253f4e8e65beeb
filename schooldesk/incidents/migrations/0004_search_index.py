"""Full-text search over calls: SQLite FTS5 (kept in step by triggers) or a PostgreSQL GIN index.

Both index the same text (summary, description, device), so `incidents.search.incident_text_filter`
finds the same calls on either database without scanning every row."""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE incidents_incident_fts USING fts5(
        summary, description, device, content='incidents_incident', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER incidents_incident_fts_ai AFTER INSERT ON incidents_incident BEGIN
        INSERT INTO incidents_incident_fts(rowid, summary, description, device)
        VALUES (new.id, new.summary, new.description, new.device); END""",
    """CREATE TRIGGER incidents_incident_fts_ad AFTER DELETE ON incidents_incident BEGIN
        INSERT INTO incidents_incident_fts(incidents_incident_fts, rowid, summary, description, device)
        VALUES ('delete', old.id, old.summary, old.description, old.device); END""",
    """CREATE TRIGGER incidents_incident_fts_au AFTER UPDATE OF summary, description, device ON incidents_incident BEGIN
        INSERT INTO incidents_incident_fts(incidents_incident_fts, rowid, summary, description, device)
        VALUES ('delete', old.id, old.summary, old.description, old.device);
        INSERT INTO incidents_incident_fts(rowid, summary, description, device)
        VALUES (new.id, new.summary, new.description, new.device); END""",
    "INSERT INTO incidents_incident_fts(incidents_incident_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS incidents_incident_fts_au",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ad",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ai",
    "DROP TABLE IF EXISTS incidents_incident_fts",
]
# unaccent is a trusted extension (PostgreSQL 13+): the database's owner may create it. It is only
# STABLE, so an IMMUTABLE wrapper with its dictionary named lets the index hold unaccented text.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION schooldesk_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$""",
    """CREATE INDEX incidents_incident_search ON incidents_incident USING GIN (
        to_tsvector('simple', schooldesk_unaccent(summary || ' ' || description || ' ' || device)))""",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS incidents_incident_search", "DROP FUNCTION IF EXISTS schooldesk_unaccent(text)"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_alter_incident_is_restricted")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
