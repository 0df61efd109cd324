"""The database's own full-text index: an FTS5 table on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    # Tokens are analysed in Python; FTS5 only splits on anything but letters, digits and "_".
    "CREATE VIRTUAL TABLE library_fts USING fts5("
    "title, summary, body, concepts, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS library_fts"]
POSTGRES_FORWARD = [
    "ALTER TABLE library_searchentry ADD COLUMN vector tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX library_searchentry_vector_gin ON library_searchentry USING GIN (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS library_searchentry_vector_gin",
    "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
