"""An index of the title words alone, for the first tier of broad queries.

* SQLite: ``library_fts_title`` (title words, facet and visibility tokens), filled
  from ``library_fts_head``. A column filter on the head table finds the same
  resources but reads the positions of every head match to check the column.
* PostgreSQL: title words carry weight B in ``library_searchentry.head``. Asking
  the head index for ``'word':B`` finds every head match and then reads each row
  to check the weight; this expression index holds only the weight-B lexemes, so
  the title tier reads the rows it keeps and no others.
"""

from django.db import migrations

FORWARD = {
    "sqlite": [
        "CREATE VIRTUAL TABLE library_fts_title USING fts5("
        "title, tags, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
        "INSERT INTO library_fts_title (rowid, title, tags) "
        "SELECT rowid, title, tags FROM library_fts_head",
    ],
    "postgresql": [
        "CREATE INDEX library_searchentry_title_gin ON library_searchentry "
        "USING GIN (ts_filter(head, '{b}'))",
    ],
}
BACKWARD = {
    "sqlite": ["DROP TABLE IF EXISTS library_fts_title"],
    "postgresql": ["DROP INDEX IF EXISTS library_searchentry_title_gin"],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0004_search_tiers")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
