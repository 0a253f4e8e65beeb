"""Word forms in the calls' full-text index: "projectors" finds "projector", "printing" finds "printer".

SQLite: the FTS5 table is made again with the Porter stemmer in front of unicode61 (its triggers with it).
PostgreSQL: the GIN index is made again over the 'english' configuration, which stems the same way.
`incidents.search` stems the words searched for with the same tokenizer or configuration."""

from django.db import migrations

FTS_COLUMNS = "summary, description, device"
SQLITE_TRIGGERS = [
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
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS incidents_incident_fts_au",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ad",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ai",
    "DROP TABLE IF EXISTS incidents_incident_fts",
]


def sqlite_table(tokenize: str) -> list[str]:
    return [
        *SQLITE_DROP,
        f"""CREATE VIRTUAL TABLE incidents_incident_fts USING fts5(
            {FTS_COLUMNS}, content='incidents_incident', content_rowid='id', tokenize='{tokenize}', prefix='2 3')""",
        *SQLITE_TRIGGERS,
        "INSERT INTO incidents_incident_fts(incidents_incident_fts) VALUES ('rebuild')",
    ]


def postgres_index(config: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS incidents_incident_search",
        f"""CREATE INDEX incidents_incident_search ON incidents_incident USING GIN (
            to_tsvector('{config}', schooldesk_unaccent(summary || ' ' || description || ' ' || device)))""",
    ]


UP = {"sqlite": sqlite_table("porter unicode61 remove_diacritics 2"), "postgresql": postgres_index("english")}
DOWN = {"sqlite": sqlite_table("unicode61 remove_diacritics 2"), "postgresql": postgres_index("simple")}


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_incident_supplier_times")]

    operations = [migrations.RunPython(run(UP), run(DOWN))]
