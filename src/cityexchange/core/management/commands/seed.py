"""``cityexchange seed [--demo]``: load the shipped data of every app, idempotently."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

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
        # The loaders also write each translated field's base attribute, which the
        # translation layer maps to the active language: keep that the source language,
        # whatever language the caller (a test, a shell) has switched on.
        with translation.override(settings.LANGUAGE_CODE):
            self._seed_every_app(demo=demo)
        self.stdout.write(self.style.SUCCESS("Seed complete."))

    def _seed_every_app(self, *, demo: bool) -> None:
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
