"""Thin Celery tasks of the events app; inline without a broker.

Each wraps one service; the participant-mail task is defined in ``events.mails``
beside the code it wraps and re-exported here for the worker's autodiscovery.
"""

from __future__ import annotations

from celery import shared_task

from cityexchange.events import services
from cityexchange.events.mails import send_registration_mail

__all__ = ["anonymise_registrations", "send_registration_mail", "send_reminders"]


@shared_task
def send_reminders() -> int:
    return services.reminders_send_due()


@shared_task
def anonymise_registrations() -> int:
    return services.registrations_anonymise_expired()
