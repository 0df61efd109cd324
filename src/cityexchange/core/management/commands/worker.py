"""``cityexchange worker``: a Celery worker (with beat) for the configured broker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.celery import app


class Command(BaseCommand):
    help = "Run a Celery worker with the beat scheduler; needs CITYEXCHANGE_BROKER_URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--no-beat", action="store_true", help="Run without the scheduler.")

    def handle(self, *args: Any, concurrency: int, no_beat: bool, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CITYEXCHANGE_BROKER_URL is not set: without a broker tasks already run inline."
            )
        argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
        if not no_beat:
            argv.append("--beat")
        app.worker_main(argv)
