"""``cityexchange seed [--demo]``: load the shipped data of every app, idempotently."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.core.datafiles import DataFileError


class Command(BaseCommand):
    help = "Load the shipped data (thesaurus, organisations, catalogue, past events...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also add clearly marked demo content (upcoming events, demo towns, accounts).",
        )

    def handle(self, *args: Any, demo: bool = False, **options: Any) -> None:
        for config in apps.get_app_configs():
            seed = getattr(config, "seed", None)
            if seed is None:
                continue
            try:
                lines = seed(demo=demo)
            except DataFileError as exc:
                raise CommandError(f"{config.label}: {exc}") from exc
            for line in lines:
                self.stdout.write(f"{config.label}: {line}")
        self.stdout.write(self.style.SUCCESS("Seed complete."))
