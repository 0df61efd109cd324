"""PostgreSQL: indexes of the head and of the whole text of one resource in eight, for
broad queries.

A GIN index answers with every match before the first row is read, so finding the
first few matches of a query that matches thousands of resources costs as much as
finding all of them. Broad queries only need a few: the first tier of head matches,
and a sample of the other matches for facets and for the rest of the first page.
Both are an arbitrary part of the matches anyway (the first in storage order);
drawn from this fixed sample when it holds enough of them, they cost an eighth.
``search.INDEX_SAMPLE`` must stay the modulus of the predicates, or the planner
cannot use these indexes. SQLite is not concerned: FTS5 reads its index in order
and stops at the LIMIT.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX library_searchentry_head_sample_gin ON library_searchentry "
    "USING GIN (head) WHERE resource_id % 8 = 0",
    "CREATE INDEX library_searchentry_vector_sample_gin ON library_searchentry "
    "USING GIN (vector) WHERE resource_id % 8 = 0",
]
BACKWARD = [
    "DROP INDEX IF EXISTS library_searchentry_head_sample_gin",
    "DROP INDEX IF EXISTS library_searchentry_vector_sample_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0005_search_title_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
