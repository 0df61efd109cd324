"""Thin Celery tasks of the events app; inline without a broker."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def send_reminders() -> int:
    from cityexchange.events.services import reminders_send_due

    return reminders_send_due()


@shared_task
def anonymise_registrations() -> int:
    from cityexchange.events.services import registrations_anonymise_expired

    return registrations_anonymise_expired()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_registration_mail(
    *, registration_id: int, template: str, status: str, extra: dict[str, Any]
) -> bool:
    """Render and deliver one participant mail; queued by the services after commit."""
    from cityexchange.core.mail import deliver
    from cityexchange.events import mails, selectors

    registration = selectors.registration_with_event(registration_id)
    if registration is None:
        return False
    message = mails.render(registration, template=template, status=status, extra=extra)
    if message is None:
        return False
    deliver(message)
    return True
