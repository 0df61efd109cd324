"""``cityexchange send-digests``: send the library digests that are due now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityexchange.library.digests import send_due_digests


class Command(BaseCommand):
    help = "Send every due library digest (normally run weekly by Celery beat)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_due_digests()} digests sent.")
