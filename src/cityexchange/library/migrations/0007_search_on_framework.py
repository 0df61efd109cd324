"""The search index on the framework's own full-text search.

* PostgreSQL: the hand-made ``vector`` and ``head`` columns, their five GIN indexes
  (two of them partial "sample" indexes) and the storage settings go with the table
  ``library_searchentry``, made again with a ``SearchVectorField`` and a ``GinIndex``.
* SQLite: the three FTS5 tables go; one FTS5 table ``library_fts`` takes their place
  (rowid = resource id; tokens analysed in Python, split on spaces only).

The index is derived data: this migration empties it, and ``migrate`` fills it again
afterwards (``library.apps``, on ``post_migrate``) with the code of this release, as
``cityexchange reindex`` does. Self-contained: no live code is imported here.
"""

from typing import Any

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_TOKENIZER = "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\""


class RunSQLOn(migrations.RunSQL):
    """``RunSQL`` on one database vendor only."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        _name, _args, kwargs = super().deconstruct()
        return self.__class__.__name__, [self.vendor, kwargs["sql"], kwargs["reverse_sql"]], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index exists on PostgreSQL only; the model state has it everywhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
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
            "sqlite",
            [
                "DROP TABLE IF EXISTS library_fts_title",
                "DROP TABLE IF EXISTS library_fts_head",
                "DROP TABLE IF EXISTS library_fts",
            ],
            OLD_SQLITE,
        ),
        # Back: the columns and indexes migrations 0002-0006 added by hand.
        RunSQLOn("postgresql", [], OLD_POSTGRES),
        # The table is made again (it is empty): with its narrow columns first, a search
        # that filters or orders by them does not read past the long token columns.
        migrations.DeleteModel(name="SearchEntry"),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "resource",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="library.resource",
                    ),
                ),
                ("is_public", models.BooleanField(default=True)),
                ("published_on", models.DateField(blank=True, null=True)),
                ("tags", models.TextField(blank=True)),
                ("title", models.TextField(blank=True)),
                ("summary", models.TextField(blank=True)),
                ("concepts", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(blank=True, null=True),
                ),
            ],
            options={"verbose_name": "search entry", "verbose_name_plural": "search entries"},
        ),
        AddIndexOnPostgres(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="library_searchentry_vector"
            ),
        ),
        RunSQLOn(
            "sqlite",
            # Tokens are analysed in Python; FTS5 only splits them on spaces.
            [
                "CREATE VIRTUAL TABLE library_fts USING fts5(title, summary, body, concepts, "
                f"{FTS_TOKENIZER})"
            ],
            ["DROP TABLE IF EXISTS library_fts"],
        ),
    ]
