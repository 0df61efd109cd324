"""Search that stays fast with many matches: facet tags, a head index, narrow rows.

* ``library_searchentry.tags``: the facet values of each entry, counted over a
  sample of matches without a join per match.
* SQLite: ``library_fts`` gains a ``tags`` column (facet and visibility tokens,
  weight 0 in bm25) and ``library_fts_head`` (title words and topic concepts)
  is the first tier of candidates for broad queries.
* PostgreSQL: a ``head`` tsvector with its own GIN index; ``vector`` and the token
  columns are stored out of line so the rows a search scans stay narrow.

The index is derived data: the entries written for the earlier columns are removed
here, and ``migrate`` fills the index again once every migration has run (see
``library.apps``). Self-contained: no live code is imported here.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TABLE IF EXISTS library_fts",
    "CREATE VIRTUAL TABLE library_fts USING fts5("
    "title, summary, body, concepts, tags, "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
    "CREATE VIRTUAL TABLE library_fts_head USING fts5("
    "title, topics, tags, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS library_fts_head",
    "DROP TABLE IF EXISTS library_fts",
    "CREATE VIRTUAL TABLE library_fts USING fts5("
    "title, summary, body, concepts, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
]
POSTGRES_FORWARD = [
    "ALTER TABLE library_searchentry ADD COLUMN head tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX library_searchentry_head_gin ON library_searchentry USING GIN (head)",
    # Wide values out of line (uncompressed, so a page's few rows read fast); the
    # small head stays in the row for ranking the first tier without TOAST reads.
    "ALTER TABLE library_searchentry ALTER COLUMN vector SET STORAGE EXTERNAL, "
    "ALTER COLUMN title SET STORAGE EXTERNAL, ALTER COLUMN summary SET STORAGE EXTERNAL, "
    "ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN concepts SET STORAGE EXTERNAL, "
    "ALTER COLUMN head SET STORAGE MAIN",
    "ALTER TABLE library_searchentry SET (toast_tuple_target = 128)",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE library_searchentry RESET (toast_tuple_target)",
    "DROP INDEX IF EXISTS library_searchentry_head_gin",
    "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS head",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def empty_index(apps, schema_editor):
    apps.get_model("library", "SearchFacet").objects.all().delete()
    apps.get_model("library", "SearchEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_facets")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="tags",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
        migrations.RunPython(empty_index, migrations.RunPython.noop),
    ]
