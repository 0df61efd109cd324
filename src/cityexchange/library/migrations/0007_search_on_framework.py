"""The search index on the framework's own full-text search.

* PostgreSQL: the hand-made ``vector`` and ``head`` columns, their five GIN indexes
  (two of them partial "sample" indexes) and the storage settings go; a
  ``SearchVectorField`` with a ``GinIndex`` takes their place.
* SQLite: the three FTS5 tables go; one FTS5 table ``library_fts`` takes their place
  (rowid = resource id; tokens analysed in Python, split on spaces only).

The index is derived data: this migration empties it, and ``migrate`` fills it again
afterwards (``library.apps``, on ``post_migrate``) with the code of this release, as
``cityexchange reindex`` does. Self-contained: no live code is imported here.
"""

from typing import Any

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

FTS_TOKENIZER = "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\""


class RunSQLOn(migrations.RunSQL):
    """``RunSQL`` on one database vendor only."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        _name, _args, kwargs = super().deconstruct()
        return self.__class__.__name__, [self.vendor, kwargs["sql"], kwargs["reverse_sql"]], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index exists on PostgreSQL only; the model state has it everywhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# What migrations 0002-0006 made, for going back (empty; the old code's reindex fills it).
OLD_POSTGRES = [
    "ALTER TABLE library_searchentry ADD COLUMN vector tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE library_searchentry ADD COLUMN head tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX library_searchentry_vector_gin ON library_searchentry USING GIN (vector)",
    "CREATE INDEX library_searchentry_head_gin ON library_searchentry USING GIN (head)",
    "CREATE INDEX library_searchentry_title_gin ON library_searchentry "
    "USING GIN (ts_filter(head, '{b}'))",
    "CREATE INDEX library_searchentry_head_sample_gin ON library_searchentry "
    "USING GIN (head) WHERE resource_id % 8 = 0",
    "CREATE INDEX library_searchentry_vector_sample_gin ON library_searchentry "
    "USING GIN (vector) WHERE resource_id % 8 = 0",
]
OLD_SQLITE = [
    "DROP TABLE IF EXISTS library_fts",
    f"CREATE VIRTUAL TABLE library_fts USING fts5(title, summary, body, concepts, tags, "
    f"{FTS_TOKENIZER})",
    f"CREATE VIRTUAL TABLE library_fts_head USING fts5(title, topics, tags, {FTS_TOKENIZER})",
    f"CREATE VIRTUAL TABLE library_fts_title USING fts5(title, tags, {FTS_TOKENIZER})",
]


def empty_index(apps: Any, schema_editor: Any) -> None:
    apps.get_model("library", "SearchFacet").objects.all().delete()
    apps.get_model("library", "SearchEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0006_search_samples")]

    operations = [
        migrations.RunPython(empty_index, migrations.RunPython.noop),
        RunSQLOn(
            "postgresql",
            [
                "DROP INDEX IF EXISTS library_searchentry_vector_sample_gin",
                "DROP INDEX IF EXISTS library_searchentry_head_sample_gin",
                "DROP INDEX IF EXISTS library_searchentry_title_gin",
                "DROP INDEX IF EXISTS library_searchentry_head_gin",
                "DROP INDEX IF EXISTS library_searchentry_vector_gin",
                "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS head",
                "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS vector",
                "ALTER TABLE library_searchentry RESET (toast_tuple_target)",
                "ALTER TABLE library_searchentry ALTER COLUMN title SET STORAGE EXTENDED, "
                "ALTER COLUMN summary SET STORAGE EXTENDED, "
                "ALTER COLUMN body SET STORAGE EXTENDED, "
                "ALTER COLUMN concepts SET STORAGE EXTENDED",
            ],
            OLD_POSTGRES,
        ),
        RunSQLOn(
            "sqlite",
            [
                "DROP TABLE IF EXISTS library_fts_title",
                "DROP TABLE IF EXISTS library_fts_head",
                "DROP TABLE IF EXISTS library_fts",
                # Tokens are analysed in Python; FTS5 only splits them on spaces.
                f"CREATE VIRTUAL TABLE library_fts USING fts5(title, summary, body, concepts, "
                f"{FTS_TOKENIZER})",
            ],
            OLD_SQLITE,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="vector",
            field=django.contrib.postgres.search.SearchVectorField(blank=True, null=True),
        ),
        AddIndexOnPostgres(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="library_searchentry_vector"
            ),
        ),
    ]
