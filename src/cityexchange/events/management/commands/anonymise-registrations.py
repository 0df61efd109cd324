"""``cityexchange anonymise-registrations``: remove personal data after the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Anonymise registrations of events that ended longer ago than CITYEXCHANGE_RETENTION_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from cityexchange.events.services import registrations_anonymise_expired

        self.stdout.write(f"{registrations_anonymise_expired()} registration(s) anonymised.")
