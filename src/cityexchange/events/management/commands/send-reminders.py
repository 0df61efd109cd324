"""``cityexchange send-reminders``: send the event reminders that are due (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send due event reminders (24 h and 1 h before by default); never twice."

    def handle(self, *args: Any, **options: Any) -> None:
        from cityexchange.events.services import reminders_send_due

        self.stdout.write(f"{reminders_send_due()} reminder(s) sent.")
