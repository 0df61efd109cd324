"""PostgreSQL keeps each entry's ``vector`` in the row itself.

A search ranks up to COUNT_CAP matches, and ranking reads each match's vector. With the
default storage, PostgreSQL moved the vectors of most rows (longer than about 2 kB with
the texts beside them) out to the TOAST table, and reading them back there cost most of
a broad search (``benchmarks/search.py`` at 10,000 resources: ranking 501 matches took
about 14 ms, 6 ms with the vectors in the row). The texts the vector is made of are
read only when the index is written, so they are the columns that move out instead.
SQLite has no such setting: nothing happens there.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations

INLINE = (
    "ALTER TABLE library_searchentry "
    "ALTER COLUMN vector SET STORAGE MAIN, "
    "ALTER COLUMN body SET STORAGE EXTERNAL, "
    "ALTER COLUMN concepts SET STORAGE EXTERNAL"
)
DEFAULT = (
    "ALTER TABLE library_searchentry "
    "ALTER COLUMN vector SET STORAGE EXTENDED, "
    "ALTER COLUMN body SET STORAGE EXTENDED, "
    "ALTER COLUMN concepts SET STORAGE EXTENDED"
)


def _on_postgres(statement: str) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0008_resource_announced_at")]

    operations = [migrations.RunPython(_on_postgres(INLINE), _on_postgres(DEFAULT))]
