"""``cityexchange recount-seats``: check the events' seat counters against the registrations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compare each event's counters of confirmed and waiting registrations with the "
        "registrations themselves, repair those that differ and list them (audited)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from cityexchange.events.services import event_seats_recount

        repaired = event_seats_recount()
        if not repaired:
            self.stdout.write("all seat counters agree with the registrations.")
            return
        for event, before, counted in repaired:
            changes = ", ".join(
                f"{name} {before[name]} -> {counted[name]}"
                for name in counted
                if before[name] != counted[name]
            )
            self.stdout.write(f"{event.slug}: {changes}")
        self.stdout.write(f"{len(repaired)} event(s) repaired.")
