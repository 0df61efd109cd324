"""``cityexchange backup [FOLDER]``: the database and uploaded files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup or pg_dump) and the uploaded files "
        "into one .tar.gz archive, readable by its owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            type=Path,
            default=None,
            help="Where to write the archive (default: var/backups).",
        )

    def handle(self, *args: Any, folder: Path | None, **options: Any) -> None:
        try:
            archive = backup(folder or Path(settings.VAR_DIR) / "backups")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
