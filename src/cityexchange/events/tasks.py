"""Thin Celery tasks of the events app; inline without a broker."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_reminders() -> int:
    from cityexchange.events.services import reminders_send_due

    return reminders_send_due()


@shared_task
def anonymise_registrations() -> int:
    from cityexchange.events.services import registrations_anonymise_expired

    return registrations_anonymise_expired()
