"""``cityexchange serve``: run the platform with gunicorn on 127.0.0.1:$PORT."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cityexchange.core.accesslog import ACCESS_FORMAT


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (the production-grade server), port from $PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))

    def handle(self, *args: Any, host: str, port: str, workers: str, **options: Any) -> None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            self.stderr.write(f"PORT={port!r} is not a port number.")
            sys.exit(2)
        self.stdout.write(f"cityexchange is serving on http://{host}:{port}/ (Ctrl-C stops it)")
        sys.stdout.flush()
        from django.conf import settings

        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "cityexchange.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            workers,
            "--threads",
            "4",
            # The scheduler of periodic work in the embedded default (see the module).
            "--config",
            "python:cityexchange.core.gunicorn_hooks",
            # Personal-link tokens never reach the access log.
            "--logger-class",
            "cityexchange.core.accesslog.AccessLogger",
        ]
        if settings.LOG_FORMAT != "json":
            # In JSON the application writes the request line itself (core.requestlog).
            argv += ["--access-logfile", "-", "--access-logformat", ACCESS_FORMAT]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
