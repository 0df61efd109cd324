"""``cityexchange market-import FILE``: create a town's marketplace from market-export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.marketplace.transfer import TransferError, import_town


class Command(BaseCommand):
    help = (
        "Create a town's marketplace from a file written by market-export: all of it or, "
        "on any problem, nothing. Shop and town staff are added afterwards in the back office."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the ZIP file written by market-export")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            town = import_town(options["file"])
        except (TransferError, ValueError, KeyError) as exc:
            raise CommandError(f"nothing imported: {exc}") from exc
        self.stdout.write(f"{town.slug}: {town.shops.count()} shops imported")
