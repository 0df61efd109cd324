"""``cityexchange restore ARCHIVE``: bring a backup back into an empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `cityexchange backup` into an empty database and files "
        "folder of the same engine; checks every model's row count against the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite an installation that is not empty (its data is lost).",
        )

    def handle(self, *args: Any, archive: Path, replace: bool, **options: Any) -> None:
        try:
            result = restore(archive, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the {result.engine} backup of {result.created_at}: "
            f"{result.rows} rows and {result.files} files. "
            "Run `cityexchange migrate` if this version is newer than the backup's."
        )
