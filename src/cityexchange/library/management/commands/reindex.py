"""``cityexchange reindex``: rebuild the library's search index from the published resources."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from cityexchange.library.progress import ProgressBar
from cityexchange.library.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the library search index (SQLite FTS5 or PostgreSQL full text)."

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(1, label="indexing", stream=self.stderr._out)  # type: ignore[arg-type]  # the raw stream: no newline added
        started = time.monotonic()
        count = index_rebuild(progress=bar.update)
        self.stdout.write(f"Indexed {count} resources in {time.monotonic() - started:.1f}s.")
