"""``cityexchange worker``: a Celery worker (with the scheduler) for the configured broker.

``--check`` is the worker's health command: it asks every running worker over the
broker to answer and exits 0 when at least one did (1 otherwise), for a supervisor's
or a container's health check.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.celery import app


class Command(BaseCommand):
    help = (
        "Run a Celery worker with the scheduler; needs CITYEXCHANGE_BROKER_URL. "
        "--check: exit 0 when a running worker answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument(
            "--no-beat", action="store_true", help="Run without the scheduler of periodic work."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not start a worker: ask the running ones to answer (exit 0 if one does).",
        )
        parser.add_argument(
            "--timeout", type=float, default=5.0, help="How long --check waits for answers."
        )

    def handle(
        self,
        *args: Any,
        concurrency: int,
        no_beat: bool,
        check: bool,
        timeout: float,
        **options: Any,
    ) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CITYEXCHANGE_BROKER_URL is not set: without a broker tasks already run inline."
            )
        if check:
            self._check(timeout)
            return
        if settings.LOG_FORMAT == "json":
            from celery.signals import setup_logging

            # Celery leaves the logging alone when someone answers this signal: the
            # worker's lines then go through settings.LOGGING's JSON formatter.
            setup_logging.connect(_keep_logging, weak=False, dispatch_uid="cx-logging")
        if not no_beat:
            from celery.signals import worker_ready

            # Started once the pool's processes exist, in the worker's main process only.
            worker_ready.connect(_start_scheduler, weak=False, dispatch_uid="cx-scheduler")
        app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}"])

    def _check(self, timeout: float) -> None:
        try:
            with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
                replies = app.control.ping(timeout=timeout, connection=connection)
        except Exception as exc:  # the broker itself does not answer
            self.stderr.write(f"The broker does not answer: {type(exc).__name__}.")
            sys.exit(1)
        names = sorted(name for reply in replies for name in reply)
        if not names:
            self.stderr.write(f"No worker answered within {timeout:g} s.")
            sys.exit(1)
        for name in names:
            self.stdout.write(f"{name}: ok")


def _start_scheduler(**kwargs: Any) -> None:
    from cityexchange.core.scheduler import start_in_background

    start_in_background()


def _keep_logging(**kwargs: Any) -> None:
    return None
