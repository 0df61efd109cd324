"""``cityexchange market-export <town> FILE``: one town's marketplace as a ZIP file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.marketplace.models import Town
from cityexchange.marketplace.transfer import export_town


class Command(BaseCommand):
    help = (
        "Write one town's marketplace (town settings, categories, shops, opening hours, "
        "products, logo and photos) to a ZIP file that market-import reads. Orders and "
        "accounts are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("town", help="the town's short address, e.g. lindenau")
        parser.add_argument("file", type=Path, help="the ZIP file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        town = Town.objects.select_related("organisation").filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no marketplace with the short address {options['town']!r}")
        counts = export_town(town, options["file"])
        self.stdout.write(
            f"{town.slug}: {counts['shops']} shops and {counts['photos']} photos written to "
            f"{options['file']}"
        )
